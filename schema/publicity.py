"""GraphQL surface of 单位公示: startUnitPublicity, the unit's publicity list, objections."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry import relay

from models import ObjectionOutcome as DomainOutcome
from resolvers import publicity
from resolvers.env import Env
from rules.catalog import specialty_name
from rules.errors import RuleViolation
from rules.identity import mask_resident_id
from schema.catalog import TitleLevel
from schema.connection import After, Connection, First
from schema.context import Info
from schema.declarations import Declaration
from schema.enums import gql_enum
from schema.errors import ERRORS_DESCRIPTION, UserError
from schema.errors import ErrorCode as ErrorCodeType
from schema.ids import encode_id, query_id
from schema.mutation import Actor, GlobalIdArg, MutationSpec, PartialIds
from schema.nodes import resolve_visible

if TYPE_CHECKING:  # type checkers see the domain enum: schema.enums says why
    ObjectionOutcome = DomainOutcome
else:
    ObjectionOutcome = gql_enum(
        DomainOutcome,
        {"UPHELD": "异议成立（申报已退回申报人）", "DISMISSED": "异议不成立",
         "SUPERSEDED": "同一申报的另一异议成立、申报已退回，随之结案"},
        name="ObjectionOutcome", description="公示异议的处理结果",
    )


@strawberry.type(description="单位公示名单中的一份申报：本单位人员可见（身份证号脱敏）")
class PublicityEntry:
    declaration_id: strawberry.ID = strawberry.field(description="申报的全局 ID（提出异议时使用）")
    applicant_name: str = strawberry.field(description="姓名")
    id_number: str = strawberry.field(description="居民身份证号（脱敏）")
    year: int = strawberry.field(description="申报年度")
    level: TitleLevel = strawberry.field(description="申报级别")
    title_name: str = strawberry.field(description="申报职称")
    specialty_name: str = strawberry.field(description="现从事专业")
    started_at: dt.datetime = strawberry.field(description="公示开始时间")
    ends_on: dt.date = strawberry.field(description="公示期最后一天（北京时间，含当日）")
    ended: bool = strawberry.field(description="公示是否已期满")
    returned: bool = strawberry.field(description="是否因异议成立已退回申报人")
    open_objection_count: int = strawberry.field(description="尚未处理的异议数")

    @classmethod
    def of(cls, row, now: dt.datetime) -> "PublicityEntry":
        entry, step = row.PublicityEntry, row.ReviewStep
        return cls(
            declaration_id=encode_id("Declaration", entry.declaration_id), applicant_name=step.applicant_name,
            id_number=mask_resident_id(row.id_number), year=step.year, level=step.level,
            title_name=step.title_name,
            specialty_name=specialty_name(row.specialty_code) or row.specialty_code,
            started_at=row.started_at, ends_on=row.ends_on, ended=publicity.has_ended(entry.ends_at, now),
            returned=entry.returned_at is not None, open_objection_count=row.open_objections,
        )


@strawberry.type(description="一次单位公示：开始时间、公示工作日数、期满日期、公示的申报份数")
class UnitPublicity:
    started_at: dt.datetime = strawberry.field(description="公示开始时间")
    working_days: int = strawberry.field(
        description="公示期（工作日数，按国家法定节假日和调休安排计算，开始当日不计入）")
    ends_on: dt.date = strawberry.field(description="公示期最后一天（北京时间，含当日）；次日起可上报")
    declaration_count: int = strawberry.field(description="公示的申报份数")
    created_by_name: str = strawberry.field(description="发起公示的单位账号名称")

    @classmethod
    def of(cls, result: publicity.StartResult) -> "UnitPublicity":
        p = result.publicity
        return cls(started_at=p.started_at, working_days=p.working_days, ends_on=p.ends_on,
                   declaration_count=len(result.declaration_ids), created_by_name=p.created_by_name)


@strawberry.type(description="对单位公示的一条异议及其处理：只有公示单位可见（申报人只在状态跟踪中看到有异议及处理结果）")
class PublicityObjection(relay.Node):
    id: relay.NodeID[int]
    declaration: Declaration = strawberry.field(description="被提出异议的申报")
    applicant_name: str = strawberry.field(description="申报人姓名")
    title_name: str = strawberry.field(description="申报职称")
    reason: str = strawberry.field(description="异议的事实和理由")
    raised_by_name: str = strawberry.field(description="异议人（个人姓名或单位名称），不向申报人公开")
    raised_at: dt.datetime = strawberry.field(description="提出时间")
    outcome: ObjectionOutcome | None = strawberry.field(description="处理结果；未处理时为空")
    resolution: str | None = strawberry.field(description="处理意见")
    resolved_by_name: str | None = strawberry.field(description="处理人（单位账号名称）")
    resolved_at: dt.datetime | None = strawberry.field(description="处理时间")

    @classmethod
    def of(cls, row) -> "PublicityObjection":
        o = row.PublicityObjection
        return cls(id=o.id, declaration=Declaration.of(row.Declaration), applicant_name=row.applicant_name,
                   title_name=row.title_name, reason=o.reason, raised_by_name=o.raised_by_name,
                   raised_at=o.raised_at, outcome=o.outcome, resolution=o.resolution,
                   resolved_by_name=o.resolved_by_name, resolved_at=o.resolved_at)

    @classmethod
    async def resolve_nodes(cls, *, info: Info, node_ids: Iterable[str], required: bool = False):
        return await resolve_visible(info, node_ids, publicity.visible_objections, cls.of)


@strawberry.type(description="一份不能公示的申报及原因；有任何一份不能公示时，本次全部不公示")
class PublicityError:
    declaration_id: strawberry.ID | None = strawberry.field(
        description="申报的全局 ID（与单份申报无关或 ID 格式不正确时为空）")
    code: ErrorCodeType = strawberry.field(description="稳定的错误代码")
    field: str | None = strawberry.field(description="出错的输入字段（declarationIds、workingDays）")
    message: str = strawberry.field(description="中文说明")


@strawberry.type(description="开始单位公示的结果")
class StartUnitPublicityPayload:
    publicity: UnitPublicity | None = strawberry.field(default=None, description="本次公示；有错误时为空")
    errors: list[PublicityError] = strawberry.field(
        default_factory=list, description="不能公示的原因，逐份列出；有错误时什么都没有改变")


@strawberry.type(description="提出异议的结果")
class RaiseObjectionPayload:
    raised_at: dt.datetime | None = strawberry.field(default=None, description="异议的提交时间；有错误时为空")
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS_DESCRIPTION)


@strawberry.type(description="处理异议的结果")
class ResolveObjectionPayload:
    objection: PublicityObjection | None = strawberry.field(default=None, description="处理后的异议；有错误时为空")
    declaration: Declaration | None = strawberry.field(
        default=None, description="处理后的申报（异议成立时已退回申报人）；有错误时为空")
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS_DESCRIPTION)


def _start_error(e: RuleViolation) -> PublicityError:
    row_id = getattr(e, "declaration_id", None)
    return PublicityError(declaration_id=encode_id("Declaration", row_id) if row_id else None,
                          code=e.code, field=e.field, message=e.message)


def _start_refused(errors: list[RuleViolation]) -> StartUnitPublicityPayload:
    return StartUnitPublicityPayload(errors=[_start_error(e) for e in errors])


async def _start(env: Env, *, declaration_ids: PartialIds, working_days: int | None) -> publicity.StartResult:
    """Malformed ids are listed with the rest; any refusal refuses the whole batch."""
    return await publicity.start_unit_publicity(env, declaration_ids=declaration_ids.ids, working_days=working_days,
                                                failures=declaration_ids.invalid)


_START = MutationSpec(StartUnitPublicityPayload, actor=Actor.PERMITTED_UNIT, audit="publicity.start",
                      ids={"declaration_ids": GlobalIdArg("Declaration", "declarationIds", many=True, partial=True)},
                      refused=_start_refused)
_RAISE = MutationSpec(RaiseObjectionPayload, actor=Actor.PERSON_OR_UNIT, audit="publicity.objection",
                      ids={"declaration_id": GlobalIdArg("Declaration", "declarationId")})
_RESOLVE = MutationSpec(ResolveObjectionPayload, actor=Actor.PERMITTED_UNIT, audit="publicity.resolve",
                        ids={"objection_id": GlobalIdArg("PublicityObjection", "objectionId")})


def _resolved(result: publicity.ResolveResult) -> ResolveObjectionPayload:
    return ResolveObjectionPayload(objection=PublicityObjection.of(result.row),
                                   declaration=Declaration.of(result.declaration))


@strawberry.type
class PublicityQuery:
    @strawberry.field(description="单位公示名单：本单位账号或本单位人员（曾以该单位为工作单位申报的个人）可查看；"
                                  "姓名、申报职称、级别、专业、脱敏身份证号、公示起止和未处理异议数；"
                                  "默认只列公示期内的，最先期满的在前")
    async def unit_publicity(
        self, info: Info,
        unit_id: Annotated[strawberry.ID | None, strawberry.argument(
            description="单位的全局 ID；单位账号不填即本单位，个人不填即最近一次申报的工作单位")] = None,
        include_ended: Annotated[bool, strawberry.argument(
            description="是否包括已期满和已退回的（默认只列公示期内的）")] = False,
        first: First = None, after: After = None,
    ) -> Connection[PublicityEntry]:
        unit = query_id(unit_id, "Unit", "unitId") if unit_id is not None else None
        async with info.context.read() as env:
            page = await publicity.publicity_list(env, unit_id=unit, include_ended=include_ended,
                                                  first=first, after=after)
            now = env.clock.now()
        return Connection.of(page, lambda row: PublicityEntry.of(row, now))

    @strawberry.field(description="单位：本单位公示收到的异议，默认只列未处理的，先提出的在前")
    async def publicity_objections(
        self, info: Info,
        open_only: Annotated[bool, strawberry.argument(description="只列未处理的（默认是）")] = True,
        first: First = None, after: After = None,
    ) -> Connection[PublicityObjection]:
        async with info.context.read() as env:
            page = await publicity.objection_list(env, open_only=open_only, first=first, after=after)
        return Connection.of(page, PublicityObjection.of)


@strawberry.type
class PublicityMutation:
    @strawberry.mutation(description="单位：对本单位作为工作单位审核通过、尚未上报的申报开始单位公示（公示期满且异议处理完毕后"
                                     "才能上报）。公示期按工作日计算（国家法定节假日和调休安排，开始当日不计入），"
                                     "不少于规定的天数；有一份不能公示则全部不公示")
    async def start_unit_publicity(
        self, info: Info,
        declaration_ids: Annotated[list[strawberry.ID], strawberry.argument(description="申报的全局 ID")],
        working_days: Annotated[int | None, strawberry.argument(
            description="公示期（工作日数）；不填即规定的最少天数（默认5个工作日），不能少于它")] = None,
    ) -> StartUnitPublicityPayload:
        return await _START.run(info, _start, lambda r: StartUnitPublicityPayload(publicity=UnitPublicity.of(r)),
                                declaration_ids=declaration_ids, working_days=working_days)

    @strawberry.mutation(description="本单位人员（单位账号或以该单位为工作单位申报过的个人）在公示期内对公示的申报提出异议；"
                                     "异议人不向申报人公开")
    async def raise_objection(
        self, info: Info,
        declaration_id: Annotated[strawberry.ID, strawberry.argument(description="申报的全局 ID（见公示名单）")],
        reason: Annotated[str, strawberry.argument(description="异议的事实和理由（必填，不超过500字）")],
    ) -> RaiseObjectionPayload:
        return await _RAISE.run(info, publicity.raise_objection, lambda o: RaiseObjectionPayload(raised_at=o.raised_at),
                                declaration_id=declaration_id, reason=reason)

    @strawberry.mutation(description="单位：处理一条公示异议。成立则申报退回申报人（原因即处理意见，重新确认后从工作单位"
                                     "重新审核、公示）；不成立则记录在案")
    async def resolve_objection(
        self, info: Info,
        objection_id: Annotated[strawberry.ID, strawberry.argument(description="异议的全局 ID")],
        upheld: Annotated[bool, strawberry.argument(description="异议是否成立")],
        reason: Annotated[str, strawberry.argument(description="处理意见（必填）")],
    ) -> ResolveObjectionPayload:
        return await _RESOLVE.run(info, publicity.resolve_objection, _resolved, objection_id=objection_id,
                                  upheld=upheld, reason=reason)
