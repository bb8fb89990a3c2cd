"""GraphQL surface of issue 13's returns and eligibility: requestCorrection (一次性告知补正),
returnDeclaration (按原报送渠道退回), addToIntegrityList and myIntegrityRecords (职称诚信档案)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry import relay

from models import IntegrityRecord as IntegrityModel
from resolvers import integrity, returns
from resolvers.env import Env
from rules.corrections import CorrectionItem as DomainItem
from rules.corrections import CorrectionTarget as DomainTarget
from rules.integrity import IntegrityCategory as DomainCategory
from schema.accounts import Person, Unit
from schema.context import Info, load_referenced
from schema.correction_notice import CorrectionNotice, CorrectionTarget, today_of
from schema.declarations import Declaration
from schema.enums import gql_enum
from schema.errors import ERRORS_DESCRIPTION, UserError
from schema.mutation import Actor, GlobalIdArg, MutationSpec
from schema.nodes import resolve_visible

if TYPE_CHECKING:  # type checkers see the domain enum: schema.enums says why
    IntegrityCategory = DomainCategory
else:
    IntegrityCategory = gql_enum(
        DomainCategory,
        {"FALSIFIED_MATERIALS": "弄虚作假、材料造假（不填截止日期即记3年）", "OTHER": "其他失信行为（须填截止日期）"},
        name="IntegrityCategory", description="记入职称诚信档案的类别",
    )


@strawberry.input(description="补正通知中的一项")
class CorrectionItemInput:
    target: CorrectionTarget = strawberry.field(description="指向：一类记录、一项基本信息或证明材料；每项只列一次")
    message: str = strawberry.field(description="需要如何补正（不超过500字）")

    def plain(self) -> DomainItem:
        return DomainItem(DomainTarget(self.target.value), self.message)


@strawberry.type(description="一次性告知补正的结果")
class RequestCorrectionPayload:
    declaration: Declaration | None = strawberry.field(default=None, description="退回申报人后的申报；有错误时为空")
    correction_notice: CorrectionNotice | None = strawberry.field(default=None, description="本次补正通知")
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS_DESCRIPTION)


@strawberry.type(description="按原报送渠道退回的结果")
class ReturnDeclarationPayload:
    declaration: Declaration | None = strawberry.field(default=None, description="退回后的申报；有错误时为空")
    returned_to: Unit | None = strawberry.field(default=None, description="退回到的下级单位（原报送单位）")
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS_DESCRIPTION)


@strawberry.type(description="职称诚信档案中的一条记录：原因、类别和有效期；有效期内不得申报职称")
class IntegrityRecord(relay.Node):
    id: relay.NodeID[int]
    category: IntegrityCategory = strawberry.field(description="类别")
    reason: str = strawberry.field(description="原因")
    starts_on: dt.date = strawberry.field(description="起始日期（北京时间）")
    ends_on: dt.date = strawberry.field(description="截止日期（北京时间，含当日）")
    created_at: dt.datetime = strawberry.field(description="记录时间")
    person_row_id: strawberry.Private[int]

    @strawberry.field(description="现在（北京时间今天）是否在有效期内")
    def in_force(self, info: Info) -> bool:
        return self.starts_on <= today_of(info) <= self.ends_on

    @strawberry.field(description="被记录的人员（非本人时身份证号、手机号脱敏）")
    async def person(self, info: Info) -> Person:
        return Person.of(await load_referenced(info.context.loaders.person, self.person_row_id), info.context.viewer)

    @classmethod
    def of(cls, r: IntegrityModel) -> "IntegrityRecord":
        return cls(id=r.id, category=r.category, reason=r.reason, starts_on=r.starts_on, ends_on=r.ends_on,
                   created_at=r.created_at, person_row_id=r.person_id)

    @classmethod
    async def resolve_nodes(cls, *, info: Info, node_ids: Iterable[str], required: bool = False):
        return await resolve_visible(info, node_ids, integrity.visible_integrity_records, cls.of)


@strawberry.type(description="记入职称诚信档案的结果")
class AddToIntegrityListPayload:
    integrity_record: IntegrityRecord | None = strawberry.field(default=None, description="新记录；有错误时为空")
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS_DESCRIPTION)


_DECLARATION_ID = {"declaration_id": GlobalIdArg("Declaration", "declarationId")}
_REQUEST = MutationSpec(RequestCorrectionPayload, actor=Actor.PERMITTED_UNIT, audit="declaration.request_correction",
                        ids=_DECLARATION_ID)
_RETURN = MutationSpec(ReturnDeclarationPayload, actor=Actor.PERMITTED_UNIT, audit="declaration.return",
                       ids=_DECLARATION_ID)
_INTEGRITY = MutationSpec(AddToIntegrityListPayload, actor=Actor.ADMIN, audit="integrity.add",
                          ids={"person_id": GlobalIdArg("Person", "personId")})


async def _request(env: Env, *, declaration_id: int, items: list[CorrectionItemInput], deadline: dt.date
                   ) -> returns.CorrectionResult:
    return await returns.request_correction(env, declaration_id=declaration_id, items=[i.plain() for i in items],
                                            deadline=deadline)


def _requested(result: returns.CorrectionResult) -> RequestCorrectionPayload:
    return RequestCorrectionPayload(declaration=Declaration.of(result.declaration),
                                    correction_notice=CorrectionNotice.of(result.notice))


def _returned(result: returns.ReturnResult) -> ReturnDeclarationPayload:
    return ReturnDeclarationPayload(declaration=Declaration.of(result.declaration), returned_to=Unit.of(result.to_unit))


async def _add(env: Env, *, person_id: int, reason: str, category: IntegrityCategory, ends_on: dt.date | None
               ) -> IntegrityModel:
    return await integrity.add_to_integrity_list(env, person_id=person_id, reason=reason,
                                                 category=DomainCategory(category.value), ends_on=ends_on)


def _added(record: IntegrityModel) -> AddToIntegrityListPayload:
    return AddToIntegrityListPayload(integrity_record=IntegrityRecord.of(record))


@strawberry.type
class CorrectionQuery:
    @strawberry.field(description="个人：我的职称诚信档案记录（含已过期的），最新在前")
    async def my_integrity_records(self, info: Info) -> list[IntegrityRecord]:
        async with info.context.read() as env:
            rows = await integrity.my_integrity_records(env)
        return [IntegrityRecord.of(r) for r in rows]


@strawberry.type
class CorrectionMutation:
    @strawberry.mutation(description="单位：一次性告知补正——把待本单位审核的申报退回申报人，一次列出全部补正事项并给出期限；"
                                     "申报人只能修改列出的内容（材料除外），重新确认后回到本单位；期限内未重新确认即视为放弃")
    async def request_correction(
        self, info: Info,
        declaration_id: Annotated[strawberry.ID, strawberry.argument(description="申报的全局 ID")],
        items: Annotated[list[CorrectionItemInput], strawberry.argument(description="全部补正事项，至少一项")],
        deadline: Annotated[dt.date, strawberry.argument(
            description="补正期限：申报人最晚在此日（北京时间，含当日）重新确认；须晚于今天且不超过规定天数（默认30天）")],
    ) -> RequestCorrectionPayload:
        return await _REQUEST.run(info, _request, _requested, declaration_id=declaration_id, items=items,
                                  deadline=deadline)

    @strawberry.mutation(description="上级单位或评审委员会受理单位：按原报送渠道把待本单位审核的申报退回报送它的下级单位"
                                     "（不退回申报人），须填写原因；下级单位可再次审核上报、审核不通过、告知补正或继续向下退回")
    async def return_declaration(
        self, info: Info,
        declaration_id: Annotated[strawberry.ID, strawberry.argument(description="申报的全局 ID")],
        reason: Annotated[str, strawberry.argument(description="退回原因（必填，不超过500字）")],
    ) -> ReturnDeclarationPayload:
        return await _RETURN.run(info, returns.return_declaration, _returned, declaration_id=declaration_id,
                                 reason=reason)

    @strawberry.mutation(description="职称管理机构：把管辖范围内的人员记入职称诚信档案；有效期内该人员不能新增或确认申报")
    async def add_to_integrity_list(
        self, info: Info,
        person_id: Annotated[strawberry.ID, strawberry.argument(description="人员的全局 ID")],
        reason: Annotated[str, strawberry.argument(description="原因（必填，不超过500字），申报人可见")],
        category: Annotated[IntegrityCategory, strawberry.argument(description="类别")],
        ends_on: Annotated[dt.date | None, strawberry.argument(
            description="截止日期（含当日）；弄虚作假不填即自今天起3年，其他类别必填")] = None,
    ) -> AddToIntegrityListPayload:
        return await _INTEGRITY.run(info, _add, _added, person_id=person_id, reason=reason, category=category,
                                    ends_on=ends_on)
