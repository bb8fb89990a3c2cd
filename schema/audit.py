"""GraphQL surface of the audit log (管理机构查询本地区操作日志)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import strawberry

from core.errors import BadInput
from resolvers import audit
from rules.errors import RuleViolation
from schema.connection import Connection
from schema.context import Info
from schema.ids import decode_id, encode_id


@strawberry.type(description="一条操作日志（只追加，不可修改；逐条哈希链接）")
class AuditEntry:
    sequence: int = strawberry.field(description="序号（日志中的位置）")
    at: dt.datetime = strawberry.field(description="时间")
    request_id: str = strawberry.field(description="请求 ID")
    account_kind: str | None = strawberry.field(description="账号类型：PERSON、UNIT、ADMIN")
    login_name: str | None = strawberry.field(description="账号登录名（登录失败时为输入的账号）")
    unit: strawberry.ID | None = strawberry.field(description="操作单位的全局 ID")
    action: str = strawberry.field(description="操作，如 login、permission.submit、path.approve")
    object_type: str | None = strawberry.field(description="操作对象类型")
    object_id: strawberry.ID | None = strawberry.field(description="操作对象的全局 ID")
    success: bool = strawberry.field(description="是否成功")
    reason: str | None = strawberry.field(description="原因或说明")
    hash: str = strawberry.field(description="本条的 SHA-256（十六进制），链接上一条")

    @classmethod
    def of(cls, e) -> "AuditEntry":
        return cls(
            sequence=e.id, at=e.at, request_id=e.request_id, account_kind=e.account_kind, login_name=e.login_name,
            unit=encode_id("Unit", e.unit_id) if e.unit_id else None, action=e.action, object_type=e.object_type,
            object_id=encode_id(e.object_type, e.object_id) if e.object_type and e.object_id else None,
            success=e.success, reason=e.reason, hash=e.hash.hex(),
        )


@strawberry.type
class AuditQuery:
    @strawberry.field(description="管理机构：本地区的操作日志，最新的在前")
    async def audit_log(
        self, info: Info, action: str | None = None,
        unit: Annotated[strawberry.ID | None, strawberry.argument(description="只看该单位的操作")] = None,
        success: bool | None = None, first: int | None = None, after: str | None = None,
    ) -> Connection[AuditEntry]:
        async with info.context.read() as env:
            unit_id = None
            if unit is not None:
                try:
                    unit_id = decode_id(unit, "Unit", "unit")
                except RuleViolation as exc:
                    raise BadInput(exc.message) from exc
            page = await audit.audit_log(env, action=action, unit_id=unit_id, success=success,
                                         first=first, after=after)
        return Connection.of(page, AuditEntry.of)
