"""GraphQL surface of 专家库: the expert pool of a committee and 回避 declarations."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, Annotated

import strawberry
from sqlalchemy import select
from strawberry import relay

from models import Expert as ExpertModel
from models import ExpertConflict as ConflictModel
from models import ExpertStatus as DomainExpertStatus
from models import Person as PersonModel
from resolvers import experts
from resolvers.env import Env
from rules.catalog import TitleLevel as DomainTitleLevel
from rules.identity import mask_resident_id
from schema.accounts import Unit
from schema.catalog import TitleLevel
from schema.connection import After, Connection, First
from schema.context import Info
from schema.enums import gql_enum
from schema.errors import ERRORS_DESCRIPTION, UserError
from schema.ids import decode_id, query_id
from schema.mutation import Actor, GlobalIdArg, MutationSpec
from schema.units import units_of

if TYPE_CHECKING:  # type checkers see the domain enum: schema.enums says why
    ExpertStatus = DomainExpertStatus
else:
    ExpertStatus = gql_enum(
        DomainExpertStatus,
        {"ACTIVE": "在库（可被抽取）", "SUSPENDED": "暂停（不被抽取）", "RETIRED": "本聘期已退出"},
        name="ExpertStatus", description="评审专家在专家库中的状态",
    )


@strawberry.type(description="评审专家（专家库中的一个聘期）：仅评委会办事机构和所在地区的职称管理机构可见")
class Expert(relay.Node):
    id: relay.NodeID[int]
    name: str = strawberry.field(description="姓名")
    id_number: str = strawberry.field(description="身份证号（脱敏）")
    series_code: str = strawberry.field(description="职称系列代码")
    specialty_codes: list[str] = strawberry.field(description="评审专业代码")
    held_level: TitleLevel = strawberry.field(description="本人所持职称级别：只评审此级别及以下")
    unit: Unit = strawberry.field(description="工作单位：评审本单位的申报人时回避")
    term_start: dt.date = strawberry.field(description="聘期开始日")
    term_end: dt.date = strawberry.field(description="聘期最后一日（聘期最长3年）")
    status: ExpertStatus = strawberry.field(description="状态")
    status_reason: str | None = strawberry.field(description="暂停或退出的原因")
    current: bool = strawberry.field(description="是否为当前聘期；续聘后原聘期为 false，留作记录")

    @classmethod
    def of(cls, e: ExpertModel, person: PersonModel, unit) -> "Expert":
        return cls(id=e.id, name=person.name, id_number=mask_resident_id(person.id_number),
                   series_code=e.series_code, specialty_codes=list(e.specialty_codes),
                   held_level=e.held_level, unit=unit, term_start=e.term_start, term_end=e.term_end,
                   status=e.status, status_reason=e.status_reason, current=e.current)

    @classmethod
    async def resolve_nodes(cls, *, info: Info, node_ids: Iterable[str], required: bool = False):
        async with info.context.read() as env:
            found = await experts.visible_experts(env, [int(i) for i in node_ids])
            built = {e.id: e for e in await build_experts(env, list(found.values()))}
        return [built.get(int(i)) for i in node_ids]


async def build_experts(env: Env, rows: list[ExpertModel]) -> list[Expert]:
    """Experts with their persons and units, two statements for a page."""
    if not rows:
        return []
    persons = {p.id: p for p in await env.session.scalars(
        select(PersonModel).where(PersonModel.id.in_({e.person_id for e in rows})))}
    units = await units_of(env, [e.unit_id for e in rows])
    return [Expert.of(e, persons[e.person_id], Unit.of(units[e.unit_id])) for e in rows]


@strawberry.input(description="专家入库信息")
class ExpertInput:
    id_number: str = strawberry.field(description="专家的身份证号：须为已注册的个人（专家以本人账号登录评议、投票）")
    name: str = strawberry.field(description="姓名：须与注册信息一致")
    specialty_codes: list[str] = strawberry.field(description="评审专业代码（本评审委员会系列的专业，至少一个）")
    held_level: TitleLevel = strawberry.field(description="本人所持职称级别：须不低于本评审委员会评审的某一级别")
    unit_id: strawberry.ID = strawberry.field(description="工作单位（已获权限的单位）的全局 ID")
    term_start: dt.date = strawberry.field(description="聘期开始日")
    term_end: dt.date = strawberry.field(description="聘期最后一日：聘期最长3年")


@strawberry.type(description="专家库操作的结果")
class ExpertPayload:
    expert: Expert | None = strawberry.field(default=None, description="操作后的专家（续聘时为新聘期）；有错误时为空")
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS_DESCRIPTION)


@strawberry.type(description="专家回避声明")
class ExpertConflict:
    reason: str = strawberry.field(description="回避原因")
    declared_at: dt.datetime = strawberry.field(description="记录时间")

    @classmethod
    def of(cls, c: ConflictModel) -> "ExpertConflict":
        return cls(reason=c.reason, declared_at=c.declared_at)


@strawberry.type(description="记录专家回避的结果")
class DeclareConflictPayload:
    conflict: ExpertConflict | None = strawberry.field(default=None, description="回避记录；有错误时为空")
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS_DESCRIPTION)


def _details(input: ExpertInput) -> experts.ExpertDetails:
    return experts.ExpertDetails(
        id_number=input.id_number, name=input.name, specialty_codes=list(input.specialty_codes),
        held_level=DomainTitleLevel(input.held_level.value), unit_id=decode_id(input.unit_id, "Unit", "unitId"),
        term_start=input.term_start, term_end=input.term_end)


async def _one(env: Env, expert: ExpertModel) -> Expert:
    return (await build_experts(env, [expert]))[0]


async def _add(env: Env, *, input: ExpertInput) -> Expert:
    return await _one(env, await experts.add_expert(env, details=_details(input)))


async def _status(env: Env, *, expert_id: int, reason: str | None, status: DomainExpertStatus) -> Expert:
    return await _one(env, await experts.set_expert_status(env, expert_id=expert_id, status=status, reason=reason))


async def _renew(env: Env, *, expert_id: int, term_start: dt.date, term_end: dt.date) -> Expert:
    return await _one(env, await experts.renew_expert(env, expert_id=expert_id, term_start=term_start,
                                                      term_end=term_end))


def _expert_payload(e: Expert) -> ExpertPayload:
    return ExpertPayload(expert=e)


_EXPERT_ID = {"expert_id": GlobalIdArg("Expert", "id")}
_ADD = MutationSpec(ExpertPayload, actor=Actor.COMMITTEE_OFFICE, audit="expert.add")
_SET_STATUS = MutationSpec(ExpertPayload, actor=Actor.COMMITTEE_OFFICE, audit="expert.status", ids=_EXPERT_ID)
_RENEW = MutationSpec(ExpertPayload, actor=Actor.COMMITTEE_OFFICE, audit="expert.renew", ids=_EXPERT_ID)
_CONFLICT = MutationSpec(DeclareConflictPayload, actor=Actor.COMMITTEE_OFFICE, audit="expert.conflict",
                         ids={"expert_id": GlobalIdArg("Expert", "expertId"),
                              "declaration_id": GlobalIdArg("Declaration", "declarationId")})

ExpertId = Annotated[strawberry.ID, strawberry.argument(description="专家（当前聘期）的全局 ID")]


@strawberry.type
class ExpertQuery:
    @strawberry.field(description="专家库：评委会办事机构看本评审委员会的，职称管理机构看本地区评审委员会的；"
                                  "默认只列当前聘期")
    async def experts(
        self, info: Info,
        committee_id: Annotated[strawberry.ID | None, strawberry.argument(description="只看该评审委员会的")] = None,
        status: Annotated[ExpertStatus | None, strawberry.argument(description="只看该状态的")] = None,
        include_past_terms: Annotated[bool, strawberry.argument(description="同时列出已结束的聘期")] = False,
        first: First = None, after: After = None,
    ) -> Connection[Expert]:
        committee = query_id(committee_id, "Committee", "committeeId") if committee_id else None
        async with info.context.read() as env:
            page = await experts.list_experts(
                env, committee_id=committee, status=DomainExpertStatus(status.value) if status else None,
                include_past=include_past_terms, first=first, after=after)
            built = {e.id: e for e in await build_experts(env, page.rows)}
        return Connection.of(page, lambda e: built[e.id])


@strawberry.type
class ExpertMutation:
    @strawberry.mutation(description="评委会办事机构：专家入库（一个聘期，最长3年）")
    async def add_expert(
        self, info: Info, input: Annotated[ExpertInput, strawberry.argument(description="专家信息")],
    ) -> ExpertPayload:
        return await _ADD.run(info, _add, _expert_payload, input=input)

    @strawberry.mutation(description="评委会办事机构：暂停专家（不再被抽取；已抽取的会议不变），须填原因")
    async def suspend_expert(
        self, info: Info, id: ExpertId,
        reason: Annotated[str, strawberry.argument(description="暂停原因")],
    ) -> ExpertPayload:
        return await _SET_STATUS.run(info, _status, _expert_payload, expert_id=id, reason=reason,
                                     status=DomainExpertStatus.SUSPENDED)

    @strawberry.mutation(description="评委会办事机构：恢复暂停的专家")
    async def reinstate_expert(self, info: Info, id: ExpertId) -> ExpertPayload:
        return await _SET_STATUS.run(info, _status, _expert_payload, expert_id=id, reason=None,
                                     status=DomainExpertStatus.ACTIVE)

    @strawberry.mutation(description="评委会办事机构：专家退出（本聘期终止，记录保留），须填原因")
    async def retire_expert(
        self, info: Info, id: ExpertId,
        reason: Annotated[str, strawberry.argument(description="退出原因")],
    ) -> ExpertPayload:
        return await _SET_STATUS.run(info, _status, _expert_payload, expert_id=id, reason=reason,
                                     status=DomainExpertStatus.RETIRED)

    @strawberry.mutation(description="评委会办事机构：续聘（新聘期，最长3年）；原聘期结束并保留为记录")
    async def renew_expert(
        self, info: Info, id: ExpertId,
        term_start: Annotated[dt.date, strawberry.argument(description="新聘期开始日（晚于原聘期开始日）")],
        term_end: Annotated[dt.date, strawberry.argument(description="新聘期最后一日")],
    ) -> ExpertPayload:
        return await _RENEW.run(info, _renew, _expert_payload, expert_id=id, term_start=term_start,
                                term_end=term_end)

    @strawberry.mutation(
        description="评委会办事机构：记录专家对某申报人的回避（专家向办事机构声明，由办事机构记录）。"
                    "抽取专家时据此回避：该专家不评议、不投票该申报人")
    async def declare_conflict(
        self, info: Info,
        expert_id: Annotated[strawberry.ID, strawberry.argument(description="专家的全局 ID")],
        declaration_id: Annotated[strawberry.ID, strawberry.argument(description="本评审委员会受理的申报的全局 ID")],
        reason: Annotated[str, strawberry.argument(description="回避原因，如 近亲属、师生、同一课题组")],
    ) -> DeclareConflictPayload:
        return await _CONFLICT.run(info, experts.declare_conflict,
                                   lambda c: DeclareConflictPayload(conflict=ExpertConflict.of(c)),
                                   expert_id=expert_id, declaration_id=declaration_id, reason=reason)


__all__ = ["Expert", "ExpertMutation", "ExpertQuery", "build_experts"]
