"""GraphQL surface of API clients (接口客户端): the province admin registers the HR systems,
rotates their secrets, disables, enables and deletes them. The clients themselves get their
tokens from POST /oauth/token (app/oauth.py), not from GraphQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry import relay

from models import ApiClient as ApiClientModel
from resolvers import api_clients as steps
from resolvers.env import Env
from rules.scopes import SCOPE_DESCRIPTIONS
from rules.scopes import Scope as DomainScope
from schema.accounts import RegionType
from schema.connection import After, Connection, First
from schema.context import Info
from schema.enums import gql_enum
from schema.errors import ERRORS_DESCRIPTION, UserError
from schema.mutation import Actor, GlobalIdArg, MutationSpec
from schema.nodes import resolve_visible

if TYPE_CHECKING:  # type checkers see the domain enum: schema.enums says why
    ApiScope = DomainScope
else:
    ApiScope = gql_enum(DomainScope, SCOPE_DESCRIPTIONS, name="ApiScope",
                        description="接口客户端的权限范围（OAuth scope；令牌请求中写作 declarations:read 等）")


@strawberry.type(name="ApiClient", description="接口客户端：省人事管理、职称证书、社保等系统以客户端凭据接入本系统")
class ApiClient(relay.Node):
    id: relay.NodeID[int]
    client_id: str = strawberry.field(description="客户端标识（OAuth client_id），取令牌时使用")
    name: str = strawberry.field(description="名称，如 省人事管理系统")
    scopes: list[ApiScope] = strawberry.field(description="授予的权限范围；每个令牌可以只取其中一部分")
    region: RegionType = strawberry.field(description="数据范围：370000 为全省，或一个地市")
    allowed_networks: list[str] | None = strawberry.field(
        description="允许取得和使用令牌的来源网段；为空表示不限来源，空列表表示不允许任何来源")
    created_at: dt.datetime = strawberry.field(description="登记时间")
    disabled: bool = strawberry.field(description="是否已停用：停用后取不到令牌，已有令牌立即失效")
    disabled_at: dt.datetime | None = strawberry.field(description="停用时间；未停用为空")
    deleted_at: dt.datetime | None = strawberry.field(description="删除时间；未删除为空。删除后不可恢复")

    @classmethod
    def of(cls, row: ApiClientModel) -> "ApiClient":
        return cls(id=row.id, client_id=row.client_id, name=row.name,
                   scopes=[DomainScope(s) for s in row.scopes], region=RegionType.of(row.region_code),
                   allowed_networks=None if row.allowed_networks is None else [str(n) for n in row.allowed_networks],
                   created_at=row.created_at, disabled=row.disabled_at is not None, disabled_at=row.disabled_at,
                   deleted_at=row.deleted_at)

    @classmethod
    async def resolve_nodes(cls, *, info: Info, node_ids: Iterable[str], required: bool = False):
        return await resolve_visible(info, node_ids, steps.visible_clients, cls.of)


@strawberry.input(description="登记接口客户端")
class CreateApiClientInput:
    name: str = strawberry.field(description="名称（不超过100字，不与其他在用客户端重名）")
    scopes: list[ApiScope] = strawberry.field(description="授予的权限范围，至少一项")
    region_code: str = strawberry.field(description="数据范围：370000（全省）或一个地市的区划代码")
    allowed_networks: list[str] | None = strawberry.field(
        default=None, description="允许的来源地址或网段（如 10.1.2.0/24、2001:db8::/32），最多50个；不填表示不限来源")


@strawberry.type(description="登记接口客户端或更换密钥的结果")
class ApiClientSecretPayload:
    api_client: ApiClient | None = strawberry.field(default=None, description="客户端；有错误时为空")
    client_secret: str | None = strawberry.field(
        default=None, description="客户端密钥（OAuth client_secret），只在此返回一次，系统只保存其摘要；有错误时为空")
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS_DESCRIPTION)


@strawberry.type(description="停用、启用或删除接口客户端的结果")
class ApiClientPayload:
    api_client: ApiClient | None = strawberry.field(default=None, description="操作后的客户端；有错误时为空")
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS_DESCRIPTION)


async def _create(env: Env, *, input: CreateApiClientInput) -> steps.IssuedSecret:
    return await steps.create_client(env, name=input.name, scopes=list(input.scopes), region_code=input.region_code,
                                     allowed_networks=input.allowed_networks)


async def _disable(env: Env, *, api_client_id: int) -> ApiClientModel:
    return await steps.set_disabled(env, api_client_id=api_client_id, disabled=True)


async def _enable(env: Env, *, api_client_id: int) -> ApiClientModel:
    return await steps.set_disabled(env, api_client_id=api_client_id, disabled=False)


def _secret_payload(issued: steps.IssuedSecret) -> ApiClientSecretPayload:
    return ApiClientSecretPayload(api_client=ApiClient.of(issued.client), client_secret=issued.client_secret)


def _payload(row: ApiClientModel) -> ApiClientPayload:
    return ApiClientPayload(api_client=ApiClient.of(row))


_ID = {"api_client_id": GlobalIdArg("ApiClient", "id")}
_CREATE = MutationSpec(ApiClientSecretPayload, actor=Actor.PROVINCE_ADMIN, audit="apiClient.create")
_ROTATE = MutationSpec(ApiClientSecretPayload, actor=Actor.PROVINCE_ADMIN, audit="apiClient.rotateSecret", ids=_ID)
_DISABLE = MutationSpec(ApiClientPayload, actor=Actor.PROVINCE_ADMIN, audit="apiClient.disable", ids=_ID)
_ENABLE = MutationSpec(ApiClientPayload, actor=Actor.PROVINCE_ADMIN, audit="apiClient.enable", ids=_ID)
_DELETE = MutationSpec(ApiClientPayload, actor=Actor.PROVINCE_ADMIN, audit="apiClient.delete", ids=_ID)

ClientId = Annotated[strawberry.ID, strawberry.argument(description="接口客户端的全局 ID")]


@strawberry.type
class ApiClientQuery:
    @strawberry.field(description="省级管理机构：接口客户端列表，按登记先后")
    async def api_clients(
        self, info: Info,
        include_deleted: Annotated[bool, strawberry.argument(description="是否包括已删除的")] = False,
        first: First = None, after: After = None,
    ) -> Connection[ApiClient]:
        async with info.context.read() as env:
            page = await steps.list_clients(env, include_deleted=include_deleted, first=first, after=after)
        return Connection.of(page, ApiClient.of)


@strawberry.type
class ApiClientMutation:
    @strawberry.mutation(description="省级管理机构：登记接口客户端，返回只显示一次的客户端密钥")
    async def create_api_client(
        self, info: Info, input: Annotated[CreateApiClientInput, strawberry.argument(description="客户端信息")],
    ) -> ApiClientSecretPayload:
        return await _CREATE.run(info, _create, _secret_payload, input=input)

    @strawberry.mutation(
        description="省级管理机构：更换客户端密钥，返回只显示一次的新密钥；仍有效的旧密钥在过渡期内继续有效，"
                    "便于对方各服务器逐台换用")
    async def rotate_api_client_secret(
        self, info: Info, id: ClientId,
        overlap_hours: Annotated[int, strawberry.argument(
            description="旧密钥继续有效的小时数，0 表示立即失效；"
                        "上限见 ZHICHENG_CLIENT_SECRET_MAX_OVERLAP_HOURS")] = 24,
    ) -> ApiClientSecretPayload:
        return await _ROTATE.run(info, steps.rotate_secret, _secret_payload, api_client_id=id,
                                 overlap_hours=overlap_hours)

    @strawberry.mutation(description="省级管理机构：停用接口客户端：取不到新令牌，已有令牌立即失效")
    async def disable_api_client(self, info: Info, id: ClientId) -> ApiClientPayload:
        return await _DISABLE.run(info, _disable, _payload, api_client_id=id)

    @strawberry.mutation(description="省级管理机构：重新启用停用的接口客户端（未过期的令牌恢复有效）")
    async def enable_api_client(self, info: Info, id: ClientId) -> ApiClientPayload:
        return await _ENABLE.run(info, _enable, _payload, api_client_id=id)

    @strawberry.mutation(description="省级管理机构：删除接口客户端：密钥和令牌全部作废，不可恢复；名称可再用于新客户端")
    async def delete_api_client(self, info: Info, id: ClientId) -> ApiClientPayload:
        return await _DELETE.run(info, steps.delete_client, _payload, api_client_id=id)


__all__ = ["ApiClient", "ApiClientMutation", "ApiClientQuery"]
