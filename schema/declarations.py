"""GraphQL surface of declarations (职称申报 1.2): the Declaration node with its records,
materials and timeline; create, update, confirm, withdraw; myDeclarations."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry import relay

from models import Declaration as DeclarationModel
from models import DeclarationEvent as EventModel
from models import DeclarationMethod as DomainMethod
from resolvers import corrections, declarations
from resolvers.declarations import DeclarationFields
from resolvers.env import Env
from rules import catalog as catalog_rules
from rules import corrections as correction_rules
from rules import records as record_rules
from rules.declaration_states import DeclarationAction as DomainAction
from rules.declaration_states import DeclarationStatus as DomainStatus
from rules.declaration_states import allowed_actions
from schema.accounts import Person, Unit
from schema.catalog import ExceptionalCondition, TitleLevel
from schema.certificates import IssuedCertificate
from schema.committees import Committee
from schema.connection import After, Connection, First
from schema.context import Info, load_referenced
from schema.correction_notice import CorrectionNotice, today_of
from schema.enums import gql_enum
from schema.errors import ERRORS_DESCRIPTION, UserError
from schema.execution import PREFETCHED
from schema.ids import decode_id, query_id
from schema.mutation import Actor, GlobalIdArg, MutationSpec
from schema.nodes import resolve_visible
from schema.records import (
    Achievement,
    ContinuingEducation,
    DeclarationRecord,
    Education,
    EducationLevel,
    Material,
    Qualification,
    WorkExperience,
    qualification_of,
    record_of,
)
from schema.review_decisions import DeclarationReview

# --- corrections (一次性告知补正, 按原报送渠道退回) ---
_CORRECTION_STATUSES = {"ABANDONED": "视为放弃：补正期限内未重新确认申报，本年度申报终结"}
_CORRECTION_ACTIONS = {"REQUEST_CORRECTION": "一次性告知补正（退回申报人，限期补正）",
                       "RESUBMIT": "补正后重新确认（回到告知补正的单位）", "ABANDON": "补正期限已过，视为放弃（系统）",
                       "RETURN_DOWN": "按原报送渠道退回下级单位"}
# --- 评审 (committee stage) ---
_COMMITTEE_STATUSES = {"CHECKED": "受理审查通过（待评审）", "IN_REVIEW": "评审中（已列入评审会议）",
                       "PASSED": "评审通过", "NOT_PASSED": "评审未通过", "GRANTED": "已取得职称（已发证）",
                       "REVOKED": "职称已撤销"}
_COMMITTEE_ACTIONS = {"CHECK": "评委会受理审查通过",
                      "RESUBMIT_TO_COMMITTEE": "按评委会的补正告知补正后重新确认（回到评委会）",
                      "SCHEDULE": "列入评审会议", "PASS": "评审通过", "FAIL": "评审未通过"}
# --- 评审结果 (results publicity, confirmation, revocation) ---
_RESULT_ACTIONS = {"START_RESULTS_PUBLICITY": "评审结果公示开始",
                   "RAISE_RESULT_OBJECTION": "评审结果公示期间收到异议",
                   "DISMISS_RESULT_OBJECTION": "评审结果异议不成立",
                   "WITHDRAW_RESULT": "评审结果异议成立，评审通过结果撤销",
                   "GRANT": "职称管理机构确认评审结果，取得职称并发放电子证书",
                   "CONFIRM_NOT_PASSED": "职称管理机构确认评审结果（未通过）",
                   "REVOKE": "职称被撤销（弄虚作假取得）"}

if TYPE_CHECKING:  # type checkers see the domain enum: schema.enums says why
    DeclarationStatus = DomainStatus
    DeclarationAction = DomainAction
    DeclarationMethod = DomainMethod
else:
    DeclarationStatus = gql_enum(
        DomainStatus,
        {"DRAFT": "草稿（未确认申报，可修改）", "PENDING_REVIEW": "待审核（在当前单位）",
         "APPROVED": "审核通过（待上报）", "RETURNED": "审核不通过，已退回申报人修改", "ACCEPTED": "评审委员会已受理",
         **_CORRECTION_STATUSES, **_COMMITTEE_STATUSES},
        name="DeclarationStatus", description="申报状态",
    )
    DeclarationAction = gql_enum(
        DomainAction,
        {"CREATE": "新增申报", "EDIT": "修改", "CONFIRM": "确认申报", "WITHDRAW": "撤回", "APPROVE": "审核通过",
         "REJECT": "审核不通过（退回）", "REPORT": "上报", "ACCEPT": "受理", "START_PUBLICITY": "单位公示开始",
         "RAISE_OBJECTION": "公示期间收到异议", "DISMISS_OBJECTION": "异议不成立",
         "UPHOLD_OBJECTION": "异议成立（退回申报人）", **_CORRECTION_ACTIONS, **_COMMITTEE_ACTIONS, **_RESULT_ACTIONS},
        name="DeclarationAction", description="申报流程中的一步",
    )
    DeclarationMethod = gql_enum(
        DomainMethod, {"NORMAL": "正常晋升", "EXCEPTIONAL": "破格", "SERIES_CHANGE": "改系列"},
        name="DeclarationMethod", description="申报方式",
    )


@strawberry.type(description="状态跟踪中的一步：谁、在哪个单位、做了什么、原因、时间")
class DeclarationEvent:
    action: DeclarationAction = strawberry.field(description="做了什么")
    from_status: DeclarationStatus | None = strawberry.field(description="此前状态；新增时为空")
    to_status: DeclarationStatus = strawberry.field(description="此后状态")
    actor_name: str = strawberry.field(description="操作人（个人姓名或单位名称）")
    reason: str | None = strawberry.field(description="原因（退回、撤回时）")
    at: dt.datetime = strawberry.field(description="时间")
    unit_row_id: strawberry.Private[int | None]

    @strawberry.field(description="相关单位：确认申报时为工作单位，审核、上报时为操作单位")
    async def unit(self, info: Info) -> Unit | None:
        if self.unit_row_id is None:
            return None
        row = await info.context.loaders.unit.load(self.unit_row_id)
        return Unit.of(row) if row else None

    @classmethod
    def of(cls, e: EventModel) -> "DeclarationEvent":
        return cls(action=e.action, from_status=e.from_status, to_status=e.to_status, actor_name=e.actor_name,
                   reason=e.reason, at=e.at, unit_row_id=e.unit_id)

    @classmethod
    def abandoned(cls, deadline: dt.date, unit_id: int) -> "DeclarationEvent":
        """The 视为放弃 step a passed deadline means, exactly as `resolvers.corrections` stores it."""
        return cls(action=DomainAction.ABANDON, from_status=DomainStatus.RETURNED, to_status=DomainStatus.ABANDONED,
                   actor_name=corrections.SYSTEM_ACTOR, reason=correction_rules.abandoned_reason(deadline),
                   at=correction_rules.expired_at(deadline).astimezone(dt.UTC), unit_row_id=unit_id)




@strawberry.type(description="一份职称申报")
class Declaration(relay.Node):
    id: relay.NodeID[int]
    year: int = strawberry.field(description="申报年度")
    series_code: str = strawberry.field(description="职称系列代码")
    series_name: str = strawberry.field(description="职称系列")
    level: TitleLevel = strawberry.field(description="申报级别")
    title_code: str = strawberry.field(description="申报职称代码")
    title_name: str = strawberry.field(description="申报职称")
    specialty_code: str = strawberry.field(description="现从事专业代码")
    specialty_name: str = strawberry.field(description="现从事专业")
    method: DeclarationMethod = strawberry.field(description="申报方式")
    exceptional_reason: str | None = strawberry.field(description="破格情况（仅破格申报）")
    exceptional_conditions: list[ExceptionalCondition] = strawberry.field(
        description="所选破格条件（仅破格申报；其他申报方式为空列表）")
    former_series_code: str | None = strawberry.field(description="原职称系列（仅改系列申报）")
    education_level: EducationLevel | None = strawberry.field(description="最高学历")
    current_title: str | None = strawberry.field(description="现职称")
    current_title_obtained_on: dt.date | None = strawberry.field(description="现职称取得时间")
    years_in_specialty: int | None = strawberry.field(description="从事本专业年限")
    phone: str | None = strawberry.field(description="联系电话")
    status: DeclarationStatus = strawberry.field(
        description="当前状态；被一次性告知补正而期限已过未重新确认的，即为视为放弃（ABANDONED）")
    return_reason: str | None = strawberry.field(description="最近一次退回的原因（状态为 RETURNED 时）")
    created_at: dt.datetime = strawberry.field(description="新增时间")
    updated_at: dt.datetime = strawberry.field(description="最近修改时间")
    confirmed_at: dt.datetime | None = strawberry.field(description="最近一次确认申报的时间")
    is_editable: bool = strawberry.field(
        description="申报人现在能否修改（草稿或被退回时；补正期间只能修改补正通知列出的内容和材料）")
    can_withdraw: bool = strawberry.field(description="状态允许撤回（单位是否已处理以撤回结果为准）")
    accepted_at: dt.datetime | None = strawberry.field(description="评审委员会受理时间（状态为 ACCEPTED 时）")
    person_row_id: strawberry.Private[int]
    work_unit_row_id: strawberry.Private[int]
    current_unit_row_id: strawberry.Private[int | None]
    committee_row_id: strawberry.Private[int | None]
    # The status as stored; `status` is what it is today (a correction deadline passes
    # without anyone writing it: rules.corrections.effective_status).
    stored_status: strawberry.Private[DomainStatus]
    # Loaded with a list page (one statement for the page), so each item answers at once
    # instead of through 50 async DataLoader resolutions (measured: 16 of 42 ms per page),
    # and read as a plain list by the execution's direct path (schema/execution.PREFETCHED).
    qualification_list: strawberry.Private[list["Qualification"] | None] = None

    @classmethod
    def of(cls, d: DeclarationModel, qualification_rows: list | None = None, *,
           today: dt.date | None = None) -> "Declaration":
        """`today` (Beijing) judges an open correction notice's deadline: reads pass it
        (`today_of(info)`); a mutation's payload shows the state its step just stored, which
        settled the deadline under the row lock, so it needs none. Status fields stay plain
        attributes (the execution fast path) rather than resolvers asking the clock."""
        status = d.status if today is None else correction_rules.effective_status(d.status, d.correction_deadline,
                                                                                 today)
        actions = allowed_actions(status)
        return cls(
            id=d.id, year=d.year, series_code=d.series_code, series_name=catalog_rules.series_name(d.series_code) or "",
            level=d.level, title_code=d.title_code, title_name=catalog_rules.title_name(d.title_code) or "",
            specialty_code=d.specialty_code, specialty_name=catalog_rules.specialty_name(d.specialty_code) or "",
            method=d.method, exceptional_reason=d.exceptional_reason,
            exceptional_conditions=[ExceptionalCondition.of_code(c) for c in d.exceptional_condition_codes or ()],
            former_series_code=d.former_series_code,
            education_level=d.education_level, current_title=d.current_title,
            current_title_obtained_on=d.current_title_obtained_on, years_in_specialty=d.years_in_specialty,
            phone=d.phone, status=status, stored_status=d.status, return_reason=d.return_reason,
            created_at=d.created_at, updated_at=d.updated_at, confirmed_at=d.confirmed_at,
            is_editable=DomainAction.EDIT in actions, can_withdraw=DomainAction.WITHDRAW in actions,
            person_row_id=d.person_id,
            work_unit_row_id=d.work_unit_id, current_unit_row_id=d.current_unit_id,
            accepted_at=d.accepted_at, committee_row_id=d.committee_id,
            qualification_list=None if qualification_rows is None else list(map(qualification_of, qualification_rows)),
        )

    @strawberry.field(description="最近一次一次性告知补正（含已补正或视为放弃的）；从未告知补正时为空")
    async def correction_notice(self, info: Info) -> CorrectionNotice | None:
        row = await info.context.loaders.latest_notice.load(self.id)
        return CorrectionNotice.of(row) if row else None

    @strawberry.field(description="申报人（非本人时身份证号、手机号脱敏）")
    async def applicant(self, info: Info) -> Person:
        return Person.of(await load_referenced(info.context.loaders.person, self.person_row_id), info.context.viewer)

    @strawberry.field(description="工作单位")
    async def work_unit(self, info: Info) -> Unit:
        return Unit.of(await load_referenced(info.context.loaders.unit, self.work_unit_row_id))

    @strawberry.field(description="申报现在所在的单位（待其审核或上报）；在申报人手中时为空")
    async def current_unit(self, info: Info) -> Unit | None:
        if self.current_unit_row_id is None:
            return None
        return Unit.of(await load_referenced(info.context.loaders.unit, self.current_unit_row_id))

    async def _records(self, info: Info, category: record_rules.RecordCategory | None = None) -> list:
        rows = await info.context.loaders.records_by_declaration.load(self.id)
        return [record_of(r) for r in rows if category is None or r.category is category]

    @strawberry.field(description="全部分类记录，按录入顺序")
    async def records(self, info: Info) -> list[DeclarationRecord]:
        return await self._records(info)

    @strawberry.field(description="现专业技术资格", metadata={PREFETCHED: "qualification_list"})
    def qualifications(self, info: Info) -> list[Qualification]:
        # Sync on purpose: a plain list when the page prefetched it, else an awaitable
        # that graphql-core awaits.
        if self.qualification_list is not None:  # listed_qualifications: all QUALIFICATION rows
            return self.qualification_list
        # The annotation is the GraphQL type strawberry reads; graphql-core awaits the awaitable.
        return self._records(info, record_rules.RecordCategory.QUALIFICATION)  # type: ignore[return-value]

    @strawberry.field(description="学历")
    async def educations(self, info: Info) -> list[Education]:
        return await self._records(info, record_rules.RecordCategory.EDUCATION)

    @strawberry.field(description="工作经历")
    async def work_experiences(self, info: Info) -> list[WorkExperience]:
        return await self._records(info, record_rules.RecordCategory.WORK_EXPERIENCE)

    @strawberry.field(description="继续教育")
    async def continuing_educations(self, info: Info) -> list[ContinuingEducation]:
        return await self._records(info, record_rules.RecordCategory.CONTINUING_EDUCATION)

    @strawberry.field(description="业绩成果")
    async def achievements(self, info: Info) -> list[Achievement]:
        return await self._records(info, record_rules.RecordCategory.ACHIEVEMENT)

    @strawberry.field(description="全部证明材料（含挂在记录上的，见 record）")
    async def materials(self, info: Info) -> list[Material]:
        return [Material.of(m) for m in await info.context.loaders.materials_by_declaration.load(self.id)]

    @strawberry.field(description="各级单位的审核结论（数据审核），按时间顺序")
    async def reviews(self, info: Info) -> list[DeclarationReview]:
        return [DeclarationReview.of(s) for s in await info.context.loaders.decisions_by_declaration.load(self.id)]

    @strawberry.field(description="取得的电子职称证书（确认评审结果后）：申报人本人、评委会办事机构和职称管理机构可见，"
                                  "其他人和尚未发证时为空")
    async def certificate(self, info: Info) -> IssuedCertificate | None:
        viewer = info.context.viewer
        if viewer is None or viewer.unit is not None:  # units on the route see the state, not the certificate
            return None
        row = await info.context.loaders.certificate.load(self.id)
        return IssuedCertificate.of(row) if row else None

    @strawberry.field(description="受理的评审委员会（状态为 ACCEPTED 时）")
    async def committee(self, info: Info) -> Committee | None:
        if self.committee_row_id is None:
            return None
        row = await load_referenced(info.context.loaders.committee, self.committee_row_id)
        return Committee.of(row, await load_referenced(info.context.loaders.unit, row.accepting_unit_id))

    @strawberry.field(description="状态跟踪：每一步，按时间顺序（补正期限届满即有“视为放弃”一步，操作人为系统）")
    async def timeline(self, info: Info) -> list[DeclarationEvent]:
        events = [DeclarationEvent.of(e) for e in await info.context.loaders.events_by_declaration.load(self.id)]
        if self.status is not self.stored_status:  # abandoned, not yet stored: as it will be
            notice = await load_referenced(info.context.loaders.latest_notice, self.id)
            events.append(DeclarationEvent.abandoned(notice.deadline, notice.unit_id))
        return events

    @classmethod
    async def resolve_nodes(cls, *, info: Info, node_ids: Iterable[str], required: bool = False):
        today = today_of(info)
        return await resolve_visible(info, node_ids, declarations.visible_declarations,
                                     lambda d: cls.of(d, today=today))


@strawberry.input(description="申报基本信息（图1-7）；保存时带*项必填，其余在确认申报前补全")
class DeclarationInput:
    year: int = strawberry.field(description="*申报年度（须为开放的年度）")
    series_code: str = strawberry.field(description="*职称系列")
    level: TitleLevel = strawberry.field(description="*申报级别")
    title_code: str = strawberry.field(description="*申报职称（须属于所选系列和级别）")
    specialty_code: str = strawberry.field(description="*现从事专业（须是所选申报职称可选的专业）")
    method: DeclarationMethod = strawberry.field(description="*申报方式")
    work_unit_id: strawberry.ID = strawberry.field(description="*工作单位（已获职称申报权限的单位）")
    exceptional_condition_codes: list[str] | None = strawberry.field(
        default=None,
        description="破格条件代码（见 exceptionalConditions）：破格时至少选择一项，否则不可选",
    )
    exceptional_reason: str | None = strawberry.field(
        default=None, description="破格情况的详细说明：破格时必填，否则不可填")
    former_series_code: str | None = strawberry.field(default=None, description="原职称系列：改系列时必填")
    education_level: EducationLevel | None = strawberry.field(default=None, description="最高学历")
    current_title: str | None = strawberry.field(default=None, description="现职称（初定可空）")
    current_title_obtained_on: dt.date | None = strawberry.field(default=None, description="现职称取得时间")
    years_in_specialty: int | None = strawberry.field(default=None, description="从事本专业年限")
    phone: str | None = strawberry.field(default=None, description="联系电话")

    def fields(self) -> DeclarationFields:
        """Plain values for the workflow (decoding the unit ID may raise INVALID_ID)."""
        return DeclarationFields(
            year=self.year, series_code=self.series_code, level=catalog_rules.TitleLevel(self.level.value),
            title_code=self.title_code, specialty_code=self.specialty_code, method=DomainMethod(self.method.value),
            work_unit_id=decode_id(self.work_unit_id, "Unit", "workUnitId"),
            exceptional_reason=self.exceptional_reason,
            exceptional_condition_codes=list(self.exceptional_condition_codes or ()),
            former_series_code=self.former_series_code,
            education_level=record_rules.EducationLevel(self.education_level.value) if self.education_level else None,
            current_title=self.current_title, current_title_obtained_on=self.current_title_obtained_on,
            years_in_specialty=self.years_in_specialty, phone=self.phone,
        )


@strawberry.type(description="申报操作的结果")
class DeclarationPayload:
    declaration: Declaration | None = strawberry.field(default=None, description="操作后的申报；有错误时为空")
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS_DESCRIPTION)


def _payload(d: DeclarationModel) -> DeclarationPayload:
    return DeclarationPayload(declaration=Declaration.of(d))


# The applicant's own steps: their timeline (状态跟踪) records them, not the staff audit log.
_CREATE = MutationSpec(DeclarationPayload, actor=Actor.PERSON)
_OWN = MutationSpec(DeclarationPayload, actor=Actor.PERSON, ids={"declaration_id": GlobalIdArg("Declaration", "id")})


@strawberry.type
class DeclarationQuery:
    @strawberry.field(description="一份申报（本人、申报已到达的单位、所在地区的管理机构可见；否则为空）")
    async def declaration(
        self, info: Info, id: Annotated[strawberry.ID, strawberry.argument(description="申报的全局 ID")],
    ) -> Declaration | None:
        row_id = query_id(id, "Declaration", "id")
        async with info.context.read() as env:
            found = await declarations.visible_declarations(env, [row_id])
        row = found.get(row_id)
        return Declaration.of(row, today=today_of(info)) if row else None

    @strawberry.field(description="个人：我的申报，按年度从新到旧")
    async def my_declarations(
        self, info: Info, first: First = None, after: After = None
    ) -> Connection[Declaration]:
        async with info.context.read() as env:
            page = await declarations.my_declarations(env, first=first, after=after)
        today = today_of(info)
        return Connection.of(page, lambda d: Declaration.of(d, today=today))


@strawberry.type
class DeclarationMutation:
    @strawberry.mutation(description="新增申报信息并保存为草稿（须已同意承诺书）")
    async def create_declaration(
        self, info: Info, input: Annotated[DeclarationInput, strawberry.argument(description="申报基本信息")],
    ) -> DeclarationPayload:
        return await _CREATE.run(info, _create, _payload, input=input)

    @strawberry.mutation(description="修改申报基本信息（草稿或被退回时）")
    async def update_declaration(
        self, info: Info, id: Annotated[strawberry.ID, strawberry.argument(description="申报的全局 ID")],
        input: Annotated[DeclarationInput, strawberry.argument(description="修改后的申报基本信息（整体替换）")],
    ) -> DeclarationPayload:
        return await _OWN.run(info, _update, _payload, declaration_id=id, input=input)

    @strawberry.mutation(description="确认申报：检查完整性（一次列出全部缺项），锁定并提交工作单位审核")
    async def confirm_declaration(
        self, info: Info, id: Annotated[strawberry.ID, strawberry.argument(description="申报的全局 ID")],
    ) -> DeclarationPayload:
        return await _OWN.run(info, declarations.confirm_declaration, _payload, declaration_id=id)

    @strawberry.mutation(description="撤回：单位尚未处理时，把已确认的申报撤回为草稿")
    async def withdraw_declaration(
        self, info: Info, id: Annotated[strawberry.ID, strawberry.argument(description="申报的全局 ID")],
        reason: Annotated[str | None, strawberry.argument(description="撤回原因（选填，不超过500字）")] = None,
    ) -> DeclarationPayload:
        return await _OWN.run(info, declarations.withdraw_declaration, _payload, declaration_id=id, reason=reason)


# The input's work unit is an id too: it is decoded inside the step, after the caller's kind.
async def _create(env: Env, *, input: DeclarationInput) -> DeclarationModel:
    return await declarations.create_declaration(env, fields=input.fields())


async def _update(env: Env, *, declaration_id: int, input: DeclarationInput) -> DeclarationModel:
    return await declarations.update_declaration(env, declaration_id=declaration_id, fields=input.fields())
