"""GraphQL surface of 批量导出: startExport, export(id), exports."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry import relay

from models import Export as ExportModel
from resolvers import exports
from resolvers.env import Env
from rules.declaration_states import DeclarationStatus as DomainStatus
from rules.exports import ExportFormat as DomainFormat
from rules.exports import ExportKind as DomainKind
from rules.exports import ExportState as DomainState
from rules.exports import effective_state
from rules.scopes import Scope
from schema.connection import After, Connection, First
from schema.context import Info
from schema.declarations import DeclarationStatus
from schema.enums import gql_enum
from schema.errors import ERRORS_DESCRIPTION, UserError
from schema.ids import query_id
from schema.mutation import Actor, MutationSpec

if TYPE_CHECKING:  # type checkers see the domain enums: schema.enums says why
    ExportKind = DomainKind
    ExportFormat = DomainFormat
    ExportState = DomainState
else:
    ExportKind = gql_enum(DomainKind, {
        DomainKind.DECLARATIONS: "申报数据：每条申报一行（不含草稿）",
        DomainKind.RESULTS: "评审结果：每个已闭票计票的评审对象一行（评委会、评审会议、到会人数、同意/不同意/弃权票、"
                            "是否通过、当前状态）",
        DomainKind.CERTIFICATES: "职称证书：每张已发证书一行（证书编号、持证人、职称、级别、专业、评委会、发证日期；"
                                 "已撤销的也在内并注明撤销日期）",
    }, name="ExportKind", description="导出的数据种类")
    ExportFormat = gql_enum(DomainFormat, {
        DomainFormat.CSV: "CSV（UTF-8，带 BOM，首行为中文表头）",
        DomainFormat.XLSX: "Excel 工作簿（.xlsx，首行为中文表头）",
        DomainFormat.JSONL: "JSON Lines：每行一个 JSON 对象，键为英文字段名",
    }, name="ExportFormat", description="导出文件格式")
    ExportState = gql_enum(DomainState, {
        DomainState.QUEUED: "排队中：等待后台工作进程处理",
        DomainState.RUNNING: "导出中：见 rowsDone / rowsTotal",
        DomainState.SUCCEEDED: "已完成：可通过 downloadUrl 下载",
        DomainState.FAILED: "失败：见 failureReason",
        DomainState.EXPIRED: "已过期：文件已删除，请重新导出",
    }, name="ExportState", description="导出任务的状态")


@strawberry.type(description="批量导出任务（仅创建者可见：管理机构账号或 API 客户端）："
                             "在后台工作进程中运行，完成后在限定时间内可下载")
class Export(relay.Node):
    id: relay.NodeID[int]
    kind: ExportKind = strawberry.field(description="导出的数据种类")
    format: ExportFormat = strawberry.field(description="文件格式")
    state: ExportState = strawberry.field(description="状态")
    region_code: str = strawberry.field(description="导出数据所属地区代码（370000 为全省）")
    full_identity: bool = strawberry.field(
        description="文件中身份证号是否完整（仅持 identity:read 权限范围的 API 客户端；"
                    "每次下载记入操作日志）；否则遮蔽")
    rows_done: int = strawberry.field(description="已写入的行数（每写入若干行更新一次）")
    rows_total: int | None = strawberry.field(description="应写入的总行数；开始导出前为空")
    failure_reason: str | None = strawberry.field(description="失败原因；未失败时为空")
    file_name: str = strawberry.field(description="下载时的文件名")
    file_size: int | None = strawberry.field(description="文件字节数；完成前为空")
    created_at: dt.datetime = strawberry.field(description="创建时间")
    started_at: dt.datetime | None = strawberry.field(description="开始导出时间")
    finished_at: dt.datetime | None = strawberry.field(description="完成或失败时间")
    expires_at: dt.datetime | None = strawberry.field(description="文件保留至（过期后删除）；完成前为空")
    download_url: str | None = strawberry.field(
        description="下载地址（相对路径，GET，须带创建者的 Authorization: Bearer 令牌："
                    "登录令牌或 API 客户端令牌）；每次查询签发新链接，"
                    "在 downloadUrlExpiresAt 前有效；未完成或已过期时为空")
    download_url_expires_at: dt.datetime | None = strawberry.field(description="下载地址 downloadUrl 的失效时间")

    @classmethod
    def of(cls, e: ExportModel, key: bytes, env: Env) -> Export:
        now = env.clock.now()
        link = exports.download_link(e, key, now, env.settings.export_link_minutes)
        return cls(id=e.id, kind=e.kind, format=e.format, state=effective_state(e.state, e.expires_at, now),
                   region_code=e.region_code, full_identity=e.full_identity, rows_done=e.rows_done,
                   rows_total=e.rows_total,
                   failure_reason=e.failure_reason, file_name=e.file_name, file_size=e.file_size,
                   created_at=e.created_at, started_at=e.started_at, finished_at=e.finished_at,
                   expires_at=e.expires_at, download_url=link.path if link else None,
                   download_url_expires_at=link.expires_at if link else None)

    @classmethod
    async def resolve_nodes(cls, *, info: Info, node_ids: Iterable[str], required: bool = False):
        ids = [int(i) for i in node_ids]
        async with info.context.read() as env:
            found = await exports.visible_exports(env, ids)
            key = await exports.signing_key(env.session) if found else b""
            built = {i: cls.of(e, key, env) for i, e in found.items()}
        return [built.get(i) for i in ids]


@strawberry.input(description="导出哪些数据（各条件同时满足；评审结果和证书按其所属申报筛选）")
class ExportFilterInput:
    year: int | None = strawberry.field(default=None, description="申报年度；不填为全部年度")
    states: list[DeclarationStatus] | None = strawberry.field(
        default=None,
        description="只导出这些状态（按当日的实际状态，如补正逾期为 ABANDONED）；不能含 DRAFT；不填为草稿以外的全部")
    region_code: str | None = strawberry.field(
        default=None, description="地区代码（工作单位所在地），须在本机构管辖内；不填为本机构的地区")
    updated_since: dt.datetime | None = strawberry.field(default=None, description="只导出此时间以后有更新的申报")

    def to_domain(self) -> exports.ExportFilter:
        return exports.ExportFilter(
            year=self.year, states=tuple(DomainStatus(s.value) for s in self.states or ()),
            region_code=self.region_code, updated_since=self.updated_since)


@strawberry.type(description="发起导出的结果")
class StartExportPayload:
    export: Export | None = strawberry.field(default=None, description="已排队的导出任务；有错误时为空")
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS_DESCRIPTION)


_START = MutationSpec(StartExportPayload, actor=Actor.ADMIN_OR_CLIENT, scope=Scope.DECLARATIONS_READ,
                      audit="export.start")


async def _start(env: Env, *, kind: DomainKind, format: DomainFormat, filter: ExportFilterInput | None) -> Export:
    export = await exports.start_export(env, kind=DomainKind(kind.value), format=DomainFormat(format.value),
                                        filter=filter.to_domain() if filter else exports.ExportFilter())
    return Export.of(export, await exports.signing_key(env.session), env)


def _payload(export: Export) -> StartExportPayload:
    return StartExportPayload(export=export)


@strawberry.type
class ExportQuery:
    @strawberry.field(description="自己发起的一个导出任务；不存在或非本人发起时为空")
    async def export(
        self, info: Info, id: Annotated[strawberry.ID, strawberry.argument(description="导出任务的全局 ID")],
    ) -> Export | None:
        row_id = query_id(id, "Export", "id")
        return (await Export.resolve_nodes(info=info, node_ids=[str(row_id)]))[0]

    @strawberry.field(description="自己发起的导出任务，最新的在前（须登录，或为持 declarations:read 的 API 客户端）")
    async def exports(self, info: Info, first: First = None, after: After = None) -> Connection[Export]:
        async with info.context.read() as env:
            page = await exports.my_exports(env, first=first, after=after)
            key = await exports.signing_key(env.session) if page.rows else b""
            return Connection.of(page, lambda e: Export.of(e, key, env))


@strawberry.type
class ExportMutation:
    @strawberry.mutation(description="职称管理机构（本地区），或持 declarations:read 的 API 客户端（其地区）："
                                     "发起批量导出（后台任务）。立即返回排队中的导出任务，用 export(id) 查询进度，"
                                     "完成后用 downloadUrl 下载。身份证号遮蔽，持 identity:read 的客户端除外。")
    async def start_export(
        self, info: Info,
        kind: Annotated[ExportKind, strawberry.argument(description="导出的数据种类")],
        format: Annotated[ExportFormat, strawberry.argument(description="文件格式")],
        filter: Annotated[ExportFilterInput | None,
                          strawberry.argument(description="导出条件；不填为本地区全部")] = None,
    ) -> StartExportPayload:
        return await _START.run(info, _start, _payload, kind=kind, format=format, filter=filter)
