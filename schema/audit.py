"""GraphQL surface of the audit log (管理机构查询本地区操作日志)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import strawberry

from models import AccountKind as DomainAccountKind
from resolvers import audit
from schema.accounts import AccountKind, Unit
from schema.connection import After, Connection, First
from schema.context import Info
from schema.ids import encode_id, query_id


@strawberry.type(description="一条操作日志（只追加，不可修改；逐条哈希链接）")
class AuditEntry:
    sequence: int = strawberry.field(description="序号（日志中的位置）")
    at: dt.datetime = strawberry.field(description="时间")
    request_id: str = strawberry.field(description="请求 ID")
    account_kind: AccountKind | None = strawberry.field(description="账号类型；登录失败且账号不存在时为空")
    login_name: str | None = strawberry.field(
        description="账号登录名；登录失败且输入的账号不存在时，为输入内容的指纹（hmac:16位十六进制/长度），不存原文")
    action: str = strawberry.field(description="操作，如 login、permission.submit、path.approve")
    object_type: str | None = strawberry.field(description="操作对象类型")
    object_id: strawberry.ID | None = strawberry.field(description="操作对象的全局 ID")
    success: bool = strawberry.field(description="是否成功")
    reason: str | None = strawberry.field(description="原因或说明")
    hash: str = strawberry.field(description="本条的 SHA-256（十六进制），链接上一条")
    client_address: str | None = strawberry.field(description="来源 IP 地址（登录尝试记录）；其他操作为空")
    unit_row_id: strawberry.Private[int | None]

    @strawberry.field(description="操作单位（单位账号的操作）；其他账号为空")
    async def unit(self, info: Info) -> Unit | None:
        if self.unit_row_id is None:
            return None
        row = await info.context.loaders.unit.load(self.unit_row_id)
        return Unit.of(row) if row else None

    @classmethod
    def of(cls, e) -> "AuditEntry":
        return cls(
            sequence=e.id, at=e.at, request_id=e.request_id,
            account_kind=DomainAccountKind(e.account_kind) if e.account_kind else None, login_name=e.login_name,
            unit_row_id=e.unit_id, action=e.action, object_type=e.object_type,
            object_id=encode_id(e.object_type, e.object_id) if e.object_type and e.object_id else None,
            success=e.success, reason=e.reason, hash=e.hash.hex(), client_address=e.client_address,
        )


@strawberry.type
class AuditQuery:
    @strawberry.field(description="管理机构：本地区的操作日志，最新的在前")
    async def audit_log(
        self, info: Info,
        action: Annotated[str | None, strawberry.argument(description="只看该操作，如 login、path.approve")] = None,
        unit_id: Annotated[strawberry.ID | None,
                           strawberry.argument(description="只看该单位（全局 ID）的操作")] = None,
        success: Annotated[bool | None,
                           strawberry.argument(description="只看成功（true）或被拒绝（false）的操作")] = None,
        first: First = None, after: After = None,
    ) -> Connection[AuditEntry]:
        async with info.context.read() as env:
            row_unit_id = query_id(unit_id, "Unit", "unitId") if unit_id is not None else None
            page = await audit.audit_log(env, action=action, unit_id=row_unit_id, success=success,
                                         first=first, after=after)
        return Connection.of(page, AuditEntry.of)
