"""GraphQL surface of 数据上报 (手册 2.4): reportQueue and reportDeclarations."""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING, Annotated

import strawberry

from resolvers import reporting
from resolvers.env import Env
from resolvers.reporting import ReportFailure
from schema.connection import After, Connection, First
from schema.context import Info
from schema.declarations import Declaration
from schema.enums import gql_enum
from schema.errors import ErrorCode as ErrorCodeType
from schema.ids import encode_id
from schema.mutation import Actor, GlobalIdArg, MutationSpec, PartialIds
from schema.review import QueueFilterInput, QueueItem, queue_connection

if TYPE_CHECKING:  # type checkers see the domain enum: schema.enums says why
    ReportQueueSort = reporting.ReportSort
else:
    ReportQueueSort = gql_enum(
        reporting.ReportSort,
        {"CONFIRMED_AT": "申报时间", "LEVEL": "申报级别（由高到低为升序）", "TITLE": "职称名称",
         "APPLICANT_NAME": "姓名", "WORK_UNIT_NAME": "工作单位"},
        name="ReportQueueSort", description="数据上报列表的排序列",
    )


@strawberry.enum(description="排序方向")
class SortDirection(Enum):
    ASC = strawberry.enum_value("ASC", description="升序")
    DESC = strawberry.enum_value("DESC", description="降序")


@strawberry.input(description="数据上报列表的查询条件")
class ReportQueueFilter(QueueFilterInput):
    work_unit_name: str | None = strawberry.field(default=None, description="单位名称（选填，包含即可）")


@strawberry.type(description="一份未能上报的申报及原因；其余申报照常上报")
class ReportError:
    declaration_id: strawberry.ID | None = strawberry.field(description="申报的全局 ID（ID 格式不正确时为空）")
    code: ErrorCodeType = strawberry.field(description="稳定的错误代码")
    field: str | None = strawberry.field(description="出错的输入字段（ids）")
    message: str = strawberry.field(description="中文说明；无上报路径时写明缺少的系列和级别")


@strawberry.type(description="上报的结果：能上报的都已上报，不能上报的逐条说明原因")
class ReportDeclarationsPayload:
    reported: list[Declaration] = strawberry.field(default_factory=list, description="已上报的申报（现待上级审核）")
    reported_count: int = strawberry.field(default=0, description="已上报的份数")
    errors: list[ReportError] = strawberry.field(default_factory=list, description="未能上报的申报及原因")


def _error(failure: ReportFailure) -> ReportError:
    e = failure.error
    gid = encode_id("Declaration", failure.declaration_id) if failure.declaration_id else None
    return ReportError(declaration_id=gid, code=e.code, field=e.field, message=e.message)


def _payload(result: reporting.ReportResult) -> ReportDeclarationsPayload:
    return ReportDeclarationsPayload(reported=[Declaration.of(d) for d in result.reported],
                                     reported_count=len(result.reported),
                                     errors=[_error(f) for f in result.failures])


def _refused(errors: list) -> ReportDeclarationsPayload:
    """The whole step refused (e.g. the unit lost its permission): nothing was sent."""
    return ReportDeclarationsPayload(errors=[
        ReportError(declaration_id=None, code=e.code, field=e.field, message=e.message) for e in errors])


async def _report(env: Env, *, declaration_ids: PartialIds) -> reporting.ReportResult:
    """Malformed ids are reported one by one; they do not stop the rest."""
    failures = [ReportFailure(None, violation) for violation in declaration_ids.invalid]
    return await reporting.report_declarations(env, declaration_ids=declaration_ids.ids, failures=failures)


_REPORT = MutationSpec(ReportDeclarationsPayload, actor=Actor.PERMITTED_UNIT, audit="declaration.report",
                       ids={"declaration_ids": GlobalIdArg("Declaration", "ids", many=True, partial=True)},
                       refused=_refused)


@strawberry.type
class ReportingQuery:
    @strawberry.field(description="单位：数据上报列表——本单位审核通过、尚未上报的申报；按年度、级别、职称、"
                                  "单位名称（选填）查询，可按申报时间、级别、职称、姓名、工作单位升降序排序")
    async def report_queue(
        self, info: Info,
        filter: Annotated[ReportQueueFilter | None, strawberry.argument(description="查询条件；不填即全部")] = None,
        sort: Annotated[ReportQueueSort,
                        strawberry.argument(description="排序列，默认申报时间")] = reporting.ReportSort.CONFIRMED_AT,
        direction: Annotated[SortDirection, strawberry.argument(description="排序方向，默认升序")] = SortDirection.ASC,
        first: First = None, after: After = None,
    ) -> Connection[QueueItem]:
        f = filter or ReportQueueFilter()
        return await queue_connection(info, lambda env: reporting.report_queue(
            env, f=f.plain(), work_unit_name=f.work_unit_name, sort=reporting.ReportSort(sort.value),
            descending=direction is SortDirection.DESC, first=first, after=after))


@strawberry.type
class ReportingMutation:
    @strawberry.mutation(description="单位：把选中的申报（可一次整页或更多）按唯一上报路径上报到上级单位；"
                                     "未开通该系列、级别路径的和不可上报的逐条列在 errors 中，其余照常上报")
    async def report_declarations(
        self, info: Info,
        ids: Annotated[list[strawberry.ID], strawberry.argument(description="申报的全局 ID")],
    ) -> ReportDeclarationsPayload:
        return await _REPORT.run(info, _report, _payload, declaration_ids=ids)
