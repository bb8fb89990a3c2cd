"""GraphQL surface of the committee's work: 受理审查, review sessions (评审会议), the draw,
attendance, opinions, the secret ballot and its close.

What each caller sees of a session: its office and the admins of its region everything (the
panel and the draw's seed included: 专家名单保密 keeps them from everyone else); a panel
member the session and its candidates, never the panel; nobody the votes, and nobody a
tally before the close.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, Annotated

import strawberry
from sqlalchemy import select
from strawberry import relay

from models import Declaration as DeclarationModel
from models import Expert as ExpertModel
from models import Opinion as OpinionModel
from models import PanelMember as PanelMemberModel
from models import PanelRecusal
from models import Person as PersonModel
from models import ReviewSession as SessionModel
from models import SessionCandidate as CandidateModel
from models import SessionState as DomainSessionState
from models import Unit as UnitModel
from resolvers import ballots, declarations, formal_check, returns, review_sessions
from resolvers.env import Env
from rules import committee as committee_rules
from rules.ballot import VoteChoice as DomainVoteChoice
from rules.catalog import TitleLevel as DomainTitleLevel
from rules.catalog import title_name
from rules.declaration_states import DeclarationStatus as DomainStatus
from schema.accounts import Unit
from schema.catalog import TitleLevel
from schema.connection import After, Connection, First
from schema.context import Info
from schema.correction_notice import CorrectionNotice, today_of
from schema.corrections import CorrectionItemInput, RequestCorrectionPayload, ReturnDeclarationPayload
from schema.declarations import Declaration, DeclarationPayload, DeclarationStatus
from schema.enums import gql_enum
from schema.errors import ERRORS_DESCRIPTION, UserError
from schema.experts import Expert, build_experts
from schema.mutation import Actor, GlobalIdArg, MutationSpec

if TYPE_CHECKING:  # type checkers see the domain enum: schema.enums says why
    SessionState = DomainSessionState
    VoteChoice = DomainVoteChoice
else:
    SessionState = gql_enum(
        DomainSessionState,
        {"CREATED": "已建立，待抽取评审专家", "PANEL_DRAWN": "已抽取评审专家：评议组评议、签到",
         "VOTING": "投票中：到会专家已达三分之二", "CLOSED": "已闭票计票"},
        name="ReviewSessionState", description="评审会议的进度",
    )
    VoteChoice = gql_enum(DomainVoteChoice, {"AGREE": "同意", "DISAGREE": "不同意", "ABSTAIN": "弃权"},
                          name="VoteChoice", description="表决票的选项")


@strawberry.type(description="评审专家组成员（保密：仅评委会办事机构和所在地区的职称管理机构可见）")
class PanelMember(relay.Node):
    id: relay.NodeID[int]
    draw_position: int = strawberry.field(description="抽取顺序，从1起")
    group_no: int = strawberry.field(description="所在评议组编号，从1起")
    present: bool | None = strawberry.field(description="是否到会；尚未签到为空")
    expert: Expert = strawberry.field(description="专家（该聘期）")

    @classmethod
    async def resolve_nodes(cls, *, info: Info, node_ids: Iterable[str], required: bool = False):
        ids = [int(i) for i in node_ids]
        async with info.context.read() as env:
            rows = list(await env.session.scalars(select(PanelMemberModel).where(PanelMemberModel.id.in_(ids))))
            sessions = await review_sessions.visible_sessions(env, sorted({m.session_id for m in rows}))
            shown = [m for m in rows if m.session_id in sessions and sessions[m.session_id][1].full]
            built = {m.id: m for m in await build_members(env, shown)}
        return [built.get(i) for i in ids]


async def build_members(env: Env, rows: list[PanelMemberModel]) -> list[PanelMember]:
    experts = {e.id: e for e in await env.session.scalars(
        select(ExpertModel).where(ExpertModel.id.in_({m.expert_id for m in rows})))} if rows else {}
    built = {e.id: e for e in await build_experts(env, list(experts.values()))}
    return [PanelMember(id=m.id, draw_position=m.draw_position, group_no=m.group_no, present=m.present,
                        expert=built[m.expert_id]) for m in rows]


@strawberry.type(description="评审会议的一位申报人，闭票后带计票结果")
class SessionCandidate(relay.Node):
    id: relay.NodeID[int]
    applicant_name: str = strawberry.field(description="申报人姓名")
    title_name: str = strawberry.field(description="申报职称")
    work_unit_name: str = strawberry.field(description="工作单位")
    group_no: int | None = strawberry.field(description="所属评议组；抽取专家前为空")
    opinion: str | None = strawberry.field(description="评议组的评议意见；尚未提交为空")
    recused: bool | None = strawberry.field(
        description="评审专家本人查看时：本人是否须回避该申报人（不能评议、投票）；其他人查看时为空")
    present: int | None = strawberry.field(description="计票：到会且无须回避的专家人数；闭票前为空")
    agree: int | None = strawberry.field(description="计票：同意票数；闭票前为空")
    disagree: int | None = strawberry.field(description="计票：不同意票数；闭票前为空")
    abstain: int | None = strawberry.field(description="计票：弃权票数；闭票前为空")
    passed: bool | None = strawberry.field(description="是否通过（同意票不少于到会专家的三分之二）；闭票前为空")
    tallied_at: dt.datetime | None = strawberry.field(description="计票时间；闭票前为空")
    declaration_row_id: strawberry.Private[int]

    @strawberry.field(description="完整申报（含记录、证明材料）：评委会办事机构、职称管理机构和无须回避的评审专家可见；"
                                  "须回避的专家查看时为空")
    async def declaration(self, info: Info) -> Declaration | None:
        async with info.context.read() as env:
            found = await declarations.visible_declarations(env, [self.declaration_row_id])
        row = found.get(self.declaration_row_id)
        return Declaration.of(row, today=today_of(info)) if row else None

    @classmethod
    async def resolve_nodes(cls, *, info: Info, node_ids: Iterable[str], required: bool = False):
        ids = [int(i) for i in node_ids]
        async with info.context.read() as env:
            rows = list(await env.session.scalars(select(CandidateModel).where(CandidateModel.id.in_(ids))))
            sessions = await review_sessions.visible_sessions(env, sorted({c.session_id for c in rows}))
            built: dict[int, SessionCandidate] = {}
            for session_id, (_, access) in sessions.items():
                mine = [c for c in rows if c.session_id == session_id]
                built.update({c.id: c for c in await build_candidates(env, mine, access)})
        return [built.get(i) for i in ids]


async def build_candidates(env: Env, rows: list[CandidateModel],
                           access: review_sessions.SessionAccess) -> list[SessionCandidate]:
    """Candidates of one session with their names and opinions, three statements a page."""
    if not rows:
        return []
    ids = [c.id for c in rows]
    names = {d: (p, t, u) for d, p, t, u in await env.session.execute(
        select(DeclarationModel.id, PersonModel.name, DeclarationModel.title_code, UnitModel.name)
        .join(PersonModel, PersonModel.id == DeclarationModel.person_id)
        .join(UnitModel, UnitModel.id == DeclarationModel.work_unit_id)
        .where(DeclarationModel.id.in_([c.declaration_id for c in rows])))}
    opinions = {c: t for c, t in await env.session.execute(
        select(OpinionModel.candidate_id, OpinionModel.text).where(OpinionModel.candidate_id.in_(ids)))}
    recused: set[int] = set()
    if access.member is not None:
        recused = set(await env.session.scalars(select(PanelRecusal.candidate_id).where(
            PanelRecusal.member_id == access.member.id, PanelRecusal.candidate_id.in_(ids))))
    out = []
    for c in rows:
        person, title, unit = names[c.declaration_id]
        out.append(SessionCandidate(
            id=c.id, applicant_name=person, title_name=title_name(title) or "", work_unit_name=unit,
            group_no=c.group_no, opinion=opinions.get(c.id),
            recused=(c.id in recused) if access.member is not None else None,
            present=c.present, agree=c.agree, disagree=c.disagree, abstain=c.abstain, passed=c.passed,
            tallied_at=c.tallied_at, declaration_row_id=c.declaration_id))
    return out


@strawberry.type(description="评审会议：某评审委员会某年度某级别的一次评审，及其申报人、评审专家组、投票和计票")
class ReviewSession(relay.Node):
    id: relay.NodeID[int]
    name: str = strawberry.field(description="会议名称")
    year: int = strawberry.field(description="申报年度")
    series_code: str = strawberry.field(description="职称系列代码")
    level: TitleLevel = strawberry.field(description="评审级别")
    meeting_on: dt.date = strawberry.field(description="会议日期：专家聘期须覆盖此日")
    panel_size: int = strawberry.field(description="评审专家组人数（奇数）")
    quorum: int = strawberry.field(description="投票所需最少到会人数（评审专家组的三分之二）")
    state: SessionState = strawberry.field(description="进度")
    created_at: dt.datetime = strawberry.field(description="建立时间")
    drawn_at: dt.datetime | None = strawberry.field(description="抽取专家时间")
    present_count: int | None = strawberry.field(description="到会专家人数；尚未签到为空")
    closed_at: dt.datetime | None = strawberry.field(description="闭票时间")
    draw_seed: str | None = strawberry.field(
        description="抽取专家所用的随机种子（十六进制）：据此与抽取时的合格专家名单可重现抽取结果。"
                    "仅评委会办事机构和职称管理机构可见")
    eligible_count: int | None = strawberry.field(
        description="抽取时合格的专家人数；仅评委会办事机构和职称管理机构可见")
    my_group_no: int | None = strawberry.field(description="评审专家本人查看时：本人所在评议组；其他人查看时为空")
    my_present: bool | None = strawberry.field(description="评审专家本人查看时：本人是否已签到到会")
    access: strawberry.Private[review_sessions.SessionAccess]

    @classmethod
    def of(cls, s: SessionModel, access: review_sessions.SessionAccess) -> "ReviewSession":
        full = access.full
        return cls(id=s.id, name=s.name, year=s.year, series_code=s.series_code, level=DomainTitleLevel(s.level),
                   meeting_on=s.meeting_on, panel_size=s.panel_size, quorum=committee_rules.two_thirds(s.panel_size),
                   state=s.state, created_at=s.created_at, drawn_at=s.drawn_at, present_count=s.present_count,
                   closed_at=s.closed_at, draw_seed=s.draw_seed.hex() if full and s.draw_seed else None,
                   eligible_count=s.eligible_count if full else None,
                   my_group_no=access.member.group_no if access.member else None,
                   my_present=access.member.present if access.member else None, access=access)

    @strawberry.field(description="评审专家组（保密）：评委会办事机构和职称管理机构可见，按抽取顺序；其他人为空")
    async def panel(self, info: Info) -> list[PanelMember] | None:
        if not self.access.full:
            return None
        async with info.context.read() as env:
            return await build_members(env, await review_sessions.panel_of(env, self.id))

    @strawberry.field(description="申报人，按列入顺序")
    async def candidates(self, info: Info, first: First = None, after: After = None) -> Connection[SessionCandidate]:
        async with info.context.read() as env:
            session = await env.referenced(SessionModel, self.id)
            page = await review_sessions.candidates_page(env, session, first=first, after=after)
            built = {c.id: c for c in await build_candidates(env, page.rows, self.access)}
        return Connection.of(page, lambda c: built[c.id])

    @classmethod
    async def resolve_nodes(cls, *, info: Info, node_ids: Iterable[str], required: bool = False):
        ids = [int(i) for i in node_ids]
        async with info.context.read() as env:
            found = await review_sessions.visible_sessions(env, ids)
        return [cls.of(*found[i]) if i in found else None for i in ids]


@strawberry.input(description="建立评审会议：本评审委员会该年度该级别已通过受理审查的申报全部列入")
class ReviewSessionInput:
    name: str = strawberry.field(description="会议名称")
    year: int = strawberry.field(description="申报年度")
    level: TitleLevel = strawberry.field(description="评审级别（本评审委员会评审的级别之一）")
    meeting_on: dt.date = strawberry.field(description="会议日期")
    panel_size: int | None = strawberry.field(
        default=None,
        description="评审专家组人数：奇数，不少于规定人数（正高、副高默认25人，其他级别11人，可配置）；不填取规定人数")


@strawberry.input(description="一张表决票")
class VoteInput:
    candidate_id: strawberry.ID = strawberry.field(description="申报人（SessionCandidate）的全局 ID")
    choice: VoteChoice = strawberry.field(description="同意、不同意或弃权")


@strawberry.type(description="评审会议操作的结果")
class ReviewSessionPayload:
    session: ReviewSession | None = strawberry.field(default=None, description="操作后的评审会议；有错误时为空")
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS_DESCRIPTION)


@strawberry.type(description="提交评议意见的结果")
class OpinionPayload:
    candidate: SessionCandidate | None = strawberry.field(default=None, description="带评议意见的申报人；有错误时为空")
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS_DESCRIPTION)


@strawberry.type(description="投票的结果：不回显所投内容")
class CastVotesPayload:
    cast: int | None = strawberry.field(default=None, description="本次提交的票数；有错误时为空（整批未投）")
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS_DESCRIPTION)


_FULL = review_sessions.SessionAccess(True, None)


def _session_payload(s: SessionModel) -> ReviewSessionPayload:
    return ReviewSessionPayload(session=ReviewSession.of(s, _FULL))


async def _create(env: Env, *, input: ReviewSessionInput) -> SessionModel:
    return await review_sessions.create_session(env, details=review_sessions.SessionDetails(
        name=input.name, year=input.year, level=DomainTitleLevel(input.level.value), meeting_on=input.meeting_on,
        panel_size=input.panel_size))


async def _opinion(env: Env, *, candidate_id: int, text: str) -> SessionCandidate:
    opinion = await review_sessions.submit_opinion(env, candidate_id=candidate_id, text_=text)
    candidate = await env.referenced(CandidateModel, opinion.candidate_id)
    session = await env.referenced(SessionModel, candidate.session_id)
    access = await review_sessions.session_access(env, session)
    assert access is not None  # the step found the caller on the panel
    return (await build_candidates(env, [candidate], access))[0]


async def _cast(env: Env, *, session_id: int, votes: list[VoteInput], candidate_ids: list[int]) -> int:
    return await ballots.cast_votes(env, session_id=session_id, votes=[
        ballots.Vote(c, DomainVoteChoice(v.choice.value)) for c, v in zip(candidate_ids, votes, strict=True)])


async def _correction(env: Env, *, declaration_id: int, items: list[CorrectionItemInput], deadline: dt.date
                      ) -> returns.CorrectionResult:
    return await formal_check.request_committee_correction(
        env, declaration_id=declaration_id, items=[i.plain() for i in items], deadline=deadline)


_SESSION_ID = {"session_id": GlobalIdArg("ReviewSession", "sessionId")}
_DECLARATION_ID = {"declaration_id": GlobalIdArg("Declaration", "id")}
_CORRECTION = MutationSpec(RequestCorrectionPayload, actor=Actor.COMMITTEE_OFFICE, audit="committee.request_correction",
                           ids=_DECLARATION_ID)
_RETURN = MutationSpec(ReturnDeclarationPayload, actor=Actor.COMMITTEE_OFFICE, audit="committee.return",
                       ids=_DECLARATION_ID)
_CHECK = MutationSpec(DeclarationPayload, actor=Actor.COMMITTEE_OFFICE, audit="committee.check", ids=_DECLARATION_ID)
_CREATE = MutationSpec(ReviewSessionPayload, actor=Actor.COMMITTEE_OFFICE, audit="review_session.create")
_DRAW = MutationSpec(ReviewSessionPayload, actor=Actor.COMMITTEE_OFFICE, audit="review_session.draw", ids=_SESSION_ID)
_ATTENDANCE = MutationSpec(ReviewSessionPayload, actor=Actor.COMMITTEE_OFFICE, audit="review_session.attendance",
                           ids={**_SESSION_ID, "present_member_ids": GlobalIdArg("PanelMember", "presentMemberIds",
                                                                                  many=True)})
_OPINION = MutationSpec(OpinionPayload, actor=Actor.PERSON, audit="review_session.opinion",
                        ids={"candidate_id": GlobalIdArg("SessionCandidate", "candidateId")})
# The audit row says that the expert voted in the session, never how (see rules.ballot).
_CAST = MutationSpec(CastVotesPayload, actor=Actor.PERSON, audit="review_session.vote",
                     ids={**_SESSION_ID, "candidate_ids": GlobalIdArg("SessionCandidate", "votes", many=True)})
_CLOSE = MutationSpec(ReviewSessionPayload, actor=Actor.COMMITTEE_OFFICE, audit="review_session.close",
                      ids=_SESSION_ID)


@strawberry.type
class ReviewSessionQuery:
    @strawberry.field(description="评委会办事机构：本评审委员会某状态的申报（默认待受理审查的 ACCEPTED），按受理时间")
    async def committee_queue(
        self, info: Info,
        status: Annotated[DeclarationStatus, strawberry.argument(description="申报状态")] = DomainStatus.ACCEPTED,
        year: Annotated[int | None, strawberry.argument(description="只看该申报年度")] = None,
        level: Annotated[TitleLevel | None, strawberry.argument(description="只看该级别")] = None,
        first: First = None, after: After = None,
    ) -> Connection[Declaration]:
        async with info.context.read() as env:
            page = await formal_check.committee_queue(
                env, status=DomainStatus(status.value), year=year,
                level=DomainTitleLevel(level.value) if level else None, first=first, after=after)
        today = today_of(info)
        return Connection.of(page, lambda d: Declaration.of(d, today=today))

    @strawberry.field(description="评审会议：评委会办事机构看本评审委员会的，职称管理机构看本地区的，"
                                  "评审专家看自己被抽中的；从新到旧")
    async def review_sessions(
        self, info: Info,
        year: Annotated[int | None, strawberry.argument(description="只看该申报年度")] = None,
        first: First = None, after: After = None,
    ) -> Connection[ReviewSession]:
        async with info.context.read() as env:
            page = await review_sessions.list_sessions(env, year=year, first=first, after=after)
            access = await review_sessions.visible_sessions(env, [s.id for s in page.rows])
        return Connection.of(page, lambda s: ReviewSession.of(*access[s.id]))


@strawberry.type
class ReviewSessionMutation:
    @strawberry.mutation(description="评委会办事机构：受理审查通过（ACCEPTED → CHECKED），可列入评审会议")
    async def check_declaration(
        self, info: Info, id: Annotated[strawberry.ID, strawberry.argument(description="申报的全局 ID")],
    ) -> DeclarationPayload:
        return await _CHECK.run(info, formal_check.check_declaration,
                                lambda d: DeclarationPayload(declaration=Declaration.of(d)), declaration_id=id)

    @strawberry.mutation(
        description="评委会办事机构：受理审查一次性告知补正——把已受理的申报退回申报人，一次列出全部补正事项并给出期限；"
                    "申报人只能修改列出的内容（材料除外），重新确认后回到本评审委员会受理审查；期限内未重新确认即视为放弃")
    async def request_committee_correction(
        self, info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="申报的全局 ID")],
        items: Annotated[list[CorrectionItemInput], strawberry.argument(description="全部补正事项，至少一项")],
        deadline: Annotated[dt.date, strawberry.argument(
            description="补正期限：申报人最晚在此日（北京时间，含当日）重新确认；须晚于今天且不超过规定天数（默认30天）")],
    ) -> RequestCorrectionPayload:
        return await _CORRECTION.run(
            info, _correction, lambda r: RequestCorrectionPayload(declaration=Declaration.of(r.declaration),
                                                                  correction_notice=CorrectionNotice.of(r.notice)),
            declaration_id=id, items=items, deadline=deadline)

    @strawberry.mutation(
        description="评委会办事机构：受理审查不属本评审委员会评审范围等，按原报送渠道退回报送至受理单位的下级单位，"
                    "须填写原因；申报离开本评审委员会，由该单位再次审核")
    async def return_from_committee(
        self, info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="申报的全局 ID")],
        reason: Annotated[str, strawberry.argument(description="退回原因（必填，不超过500字）")],
    ) -> ReturnDeclarationPayload:
        return await _RETURN.run(
            info, formal_check.return_from_committee,
            lambda r: ReturnDeclarationPayload(declaration=Declaration.of(r.declaration),
                                               returned_to=Unit.of(r.to_unit)),
            declaration_id=id, reason=reason)

    @strawberry.mutation(description="评委会办事机构：建立评审会议，本评审委员会该年度该级别已通过受理审查的申报全部列入（评审中）")
    async def create_review_session(
        self, info: Info, input: Annotated[ReviewSessionInput, strawberry.argument(description="会议信息")],
    ) -> ReviewSessionPayload:
        return await _CREATE.run(info, _create, _session_payload, input=input)

    @strawberry.mutation(
        description="评委会办事机构：随机抽取评审专家组（在库、聘期覆盖会议日、所持级别不低于评审级别的本系列专家；"
                    "与申报人同单位或已声明回避的专家对该申报人回避）。随机种子记入会议和审计日志，可据以重现")
    async def draw_panel(
        self, info: Info, session_id: Annotated[strawberry.ID, strawberry.argument(description="评审会议的全局 ID")],
    ) -> ReviewSessionPayload:
        return await _DRAW.run(info, review_sessions.draw_panel, _session_payload, session_id=session_id)

    @strawberry.mutation(
        description="评委会办事机构：记录到会专家（签到）。到会达到评审专家组三分之二时开始投票，到会情况不再更改；"
                    "不足时可再次记录")
    async def record_attendance(
        self, info: Info, session_id: Annotated[strawberry.ID, strawberry.argument(description="评审会议的全局 ID")],
        present_member_ids: Annotated[list[strawberry.ID], strawberry.argument(
            description="到会专家（PanelMember）的全局 ID；未列出的为缺席")],
    ) -> ReviewSessionPayload:
        return await _ATTENDANCE.run(info, review_sessions.record_attendance, _session_payload,
                                     session_id=session_id, present_member_ids=present_member_ids)

    @strawberry.mutation(description="评审专家：提交（或修改）本评议组对一位申报人的评议意见，须在投票开始前")
    async def submit_opinion(
        self, info: Info,
        candidate_id: Annotated[strawberry.ID, strawberry.argument(description="申报人（SessionCandidate）的全局 ID")],
        text: Annotated[str, strawberry.argument(description="评议意见，不超过5000字")],
    ) -> OpinionPayload:
        return await _OPINION.run(info, _opinion, lambda c: OpinionPayload(candidate=c), candidate_id=candidate_id,
                                  text=text)

    @strawberry.mutation(
        description="评审专家：无记名投票，每位申报人一票（同意、不同意、弃权），闭票前可改投（以最后一次为准）。"
                    "须到会、不须回避；任何一票不合规则整批不投")
    async def cast_votes(
        self, info: Info,
        session_id: Annotated[strawberry.ID, strawberry.argument(description="评审会议的全局 ID")],
        votes: Annotated[list[VoteInput], strawberry.argument(description="表决票，每位申报人至多一张")],
    ) -> CastVotesPayload:
        return await _CAST.run(info, _cast, lambda n: CastVotesPayload(cast=n), session_id=session_id, votes=votes,
                               candidate_ids=[v.candidate_id for v in votes])

    @strawberry.mutation(
        description="评委会办事机构：闭票计票。每位申报人记录到会（不含回避）、同意、不同意、弃权票数，"
                    "同意票不少于到会专家三分之二的评审通过；各张表决票计票后即删除")
    async def close_ballot(
        self, info: Info, session_id: Annotated[strawberry.ID, strawberry.argument(description="评审会议的全局 ID")],
    ) -> ReviewSessionPayload:
        return await _CLOSE.run(info, ballots.close_ballot, _session_payload, session_id=session_id)


__all__ = ["PanelMember", "ReviewSession", "ReviewSessionMutation", "ReviewSessionQuery", "SessionCandidate"]
