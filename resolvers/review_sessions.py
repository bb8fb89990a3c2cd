"""评审会议: a committee's sitting — its candidates, the drawn panel (抽取专家), opinion
groups (评议组) and attendance (签到). Voting and the close are `resolvers.ballots`.

Every step locks the session row first (FOR UPDATE; the experts' steps FOR SHARE, so they
run side by side but never beside a step that changes the session), so two draws, two
attendance records or a vote and the close are ordered, and the later one judges the
state the earlier left.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, insert, select, text, update

from models import (
    Committee,
    Expert,
    ExpertConflict,
    ExpertStatus,
    Opinion,
    PanelMember,
    PanelRecusal,
    ReviewSession,
    SessionCandidate,
    SessionState,
)
from resolvers import feed
from resolvers.env import Env
from resolvers.formal_check import office_committee
from resolvers.paging import Page, SortKey, keyset_page
from resolvers.timeline import actor_name
from rules import committee as rules
from rules import panel_draw
from rules.catalog import LEVEL_RANK_HIGHEST_FIRST, TitleLevel
from rules.declaration_states import DeclarationAction, DeclarationStatus, next_state
from rules.errors import ErrorCode, RuleViolation, raise_all
from rules.regions import PROVINCE_CODE
from rules.text import clean_text

A, S = DeclarationAction, DeclarationStatus
NAME_MAX = 100
OPINION_MAX = 5000


@dataclass(frozen=True)
class SessionDetails:
    name: str
    year: int
    level: TitleLevel
    meeting_on: date
    panel_size: int | None


def default_panel_size(env: Env, level: TitleLevel) -> int:
    return env.settings.review_panel_size_senior if rules.is_senior(level) else env.settings.review_panel_size


# Schedule every CHECKED declaration of the committee for (year, level) into the session:
# the declarations move to IN_REVIEW (the state machine's SCHEDULE), the session gets its
# candidates and each applicant's timeline its event, in three set-based statements.
_SCHEDULE = text("""
WITH moved AS (
    UPDATE declaration SET status = :to_status, updated_at = :now
    WHERE committee_id = :committee AND status = :from_status AND year = :year AND level = :level
    RETURNING id, work_unit_id
), cand AS (
    INSERT INTO session_candidate (session_id, declaration_id, work_unit_id)
    SELECT :session, id, work_unit_id FROM moved ORDER BY id
    RETURNING declaration_id
), events AS (
    INSERT INTO declaration_event (declaration_id, action, from_status, to_status, actor_account_id, actor_name,
                                   reason, at)
    SELECT declaration_id, :action, :from_status, :to_status, :actor, :actor_name, :reason, :now FROM cand
    RETURNING 1
)
SELECT count(*) FROM events
""")


async def create_session(env: Env, *, details: SessionDetails) -> ReviewSession:
    """建立评审会议: every CHECKED declaration of the committee for the year and level becomes
    a candidate (IN_REVIEW). Two sessions created at once take each declaration once: the
    UPDATE's row locks make the second skip what the first moved."""
    office, committee = await office_committee(env)
    errors: list[RuleViolation] = []
    name = None
    try:
        name = clean_text(details.name, field="name", limit=NAME_MAX, required=True)
    except RuleViolation as exc:
        errors.append(exc)
    if details.level.value not in committee.levels:
        errors.append(RuleViolation(ErrorCode.LEVEL_NOT_IN_SERIES, "本评审委员会不评审该级别", "level"))
    minimum = default_panel_size(env, details.level)
    size = details.panel_size if details.panel_size is not None else minimum
    try:
        rules.check_panel_size(size, minimum)
    except RuleViolation as exc:
        errors.append(exc)
    raise_all(errors)
    now = env.clock.now()
    session = ReviewSession(committee_id=committee.id, name=name, year=details.year, series_code=committee.series_code,
                            level=details.level, meeting_on=details.meeting_on, panel_size=size,
                            state=SessionState.CREATED, created_at=now, created_by_account_id=office.account_id)
    env.session.add(session)
    await env.session.flush()
    scheduled = await env.session.scalar(_SCHEDULE, {
        "committee": committee.id, "year": details.year, "level": details.level.value, "session": session.id,
        "from_status": S.CHECKED.value, "to_status": next_state(S.CHECKED, A.SCHEDULE).value,
        "action": A.SCHEDULE.value, "actor": office.account_id, "actor_name": actor_name(env),
        "reason": f"列入{name}", "now": now})
    if not scheduled:
        raise RuleViolation(ErrorCode.NO_CANDIDATES, field="level")
    await feed.session_events_sql(env, session.id, A.SCHEDULE, S.CHECKED, S.IN_REVIEW, at=now)
    env.note_audit("ReviewSession", session.id, reason=f"{scheduled} candidates",
                   region_code=committee.region_code)
    return session


async def lock_session(env: Env, session_id: int, *, share: bool = False, field: str = "sessionId") -> ReviewSession:
    stmt = select(ReviewSession).where(ReviewSession.id == session_id).execution_options(populate_existing=True)
    session = await env.session.scalar(stmt.with_for_update(read=share))
    if session is None:
        raise RuleViolation(ErrorCode.NOT_FOUND, field=field)
    return session


async def office_session(env: Env, session_id: int) -> tuple[ReviewSession, Committee]:
    """The office's own session, locked; another committee's answers as unknown."""
    _, committee = await office_committee(env)
    session = await lock_session(env, session_id)
    if session.committee_id != committee.id:
        raise RuleViolation(ErrorCode.NOT_FOUND, field="sessionId")
    env.note_audit("ReviewSession", session.id, region_code=committee.region_code)
    return session, committee


async def _eligible(env: Env, session: ReviewSession) -> list[Expert]:
    """ACTIVE experts of the committee and series, in a current term covering the meeting,
    holding the session's level or above; by id (the draw's input order)."""
    ranks = [lv.value for lv, r in LEVEL_RANK_HIGHEST_FIRST.items() if r <= LEVEL_RANK_HIGHEST_FIRST[session.level]]
    return list(await env.session.scalars(
        select(Expert).where(
            Expert.committee_id == session.committee_id, Expert.series_code == session.series_code,
            Expert.status == ExpertStatus.ACTIVE, Expert.current.is_(True), Expert.held_level.in_(ranks),
            Expert.term_start <= session.meeting_on, Expert.term_end >= session.meeting_on)
        .order_by(Expert.id)))


async def _conflicts(env: Env, session: ReviewSession, experts: list[Expert]) -> dict[int, frozenset[int]]:
    rows = await env.session.execute(
        select(Expert.id, SessionCandidate.id)
        .join(ExpertConflict, ExpertConflict.person_id == Expert.person_id)
        .join(SessionCandidate, and_(SessionCandidate.declaration_id == ExpertConflict.declaration_id,
                                     SessionCandidate.session_id == session.id))
        .where(Expert.id.in_([e.id for e in experts])))
    return dict(panel_draw.conflicts_by_expert((e, c) for e, c in rows))


def eligible_digest(experts: list[panel_draw.EligibleExpert]) -> str:
    """A fingerprint of the draw's input, for the audit row beside the seed."""
    listed = ";".join(f"{e.expert_id}:{e.unit_id}:{','.join(map(str, sorted(e.conflicts)))}" for e in experts)
    return hashlib.sha256(listed.encode()).hexdigest()


async def draw_panel(env: Env, *, session_id: int) -> ReviewSession:
    """抽取评审专家: a fresh random seed, the pure draw (rules.panel_draw), the panel, its
    groups and recusals written. The seed and a digest of what it was drawn from go on the
    session and into the (hash-chained) audit row. Two draws at once: the session lock
    orders them and the second finds the panel drawn (INVALID_STATE)."""
    session, _ = await office_session(env, session_id)
    if session.state is not SessionState.CREATED:
        raise RuleViolation(ErrorCode.INVALID_STATE, "本次评审会议已抽取评审专家", "sessionId")
    experts = await _eligible(env, session)
    conflicts = await _conflicts(env, session, experts)
    eligible = [panel_draw.EligibleExpert(e.id, e.unit_id, conflicts.get(e.id, frozenset())) for e in experts]
    candidates = [panel_draw.Candidate(c, u) for c, u in await env.session.execute(
        select(SessionCandidate.id, SessionCandidate.work_unit_id).where(SessionCandidate.session_id == session.id))]
    seed = secrets.token_bytes(32)
    try:
        drawn = panel_draw.draw(seed, eligible, candidates, session.panel_size, env.settings.review_group_size)
    except panel_draw.NotEnoughExperts as exc:
        raise RuleViolation(
            ErrorCode.TOO_FEW_EXPERTS,
            f"符合条件的专家{len(eligible)}人，按回避规则最多可抽取{exc.drawn}人，不足{session.panel_size}人",
            "sessionId") from None
    await _write_draw(env, session, {e.id: e for e in experts}, drawn)
    session.state, session.draw_seed, session.drawn_at = SessionState.PANEL_DRAWN, seed, env.clock.now()
    session.eligible_count = len(eligible)
    env.audit.reason = f"seed={seed.hex()} eligible={len(eligible)} sha256={eligible_digest(eligible)}"
    await env.session.flush()
    return session


async def _write_draw(env: Env, session: ReviewSession, experts: dict[int, Expert], drawn: panel_draw.Draw) -> None:
    members = [{"session_id": session.id, "expert_id": e, "person_id": experts[e].person_id, "draw_position": i + 1,
                "group_no": drawn.member_groups[e]} for i, e in enumerate(drawn.members)]
    rows = await env.session.execute(insert(PanelMember).returning(PanelMember.id, PanelMember.expert_id), members)
    member_of = {expert_id: member_id for member_id, expert_id in rows}
    recusals = [{"session_id": session.id, "candidate_id": c, "member_id": member_of[e], "reason": reason}
                for c, by_expert in drawn.recusals.items() for e, reason in by_expert.items()]
    if recusals:
        await env.session.execute(insert(PanelRecusal), recusals)
    groups = sorted(drawn.candidate_groups.items())
    await env.session.execute(text(
        "UPDATE session_candidate c SET group_no = g.group_no FROM unnest(CAST(:ids AS bigint[]), "
        "CAST(:groups AS smallint[])) AS g(id, group_no) WHERE c.id = g.id"),
        {"ids": [c for c, _ in groups], "groups": [g for _, g in groups]})


async def record_attendance(env: Env, *, session_id: int, present_member_ids: list[int]) -> ReviewSession:
    """签到: who of the panel is present. With 2/3 of the panel present the ballot opens
    (VOTING) and attendance is final (a ballot cannot be taken back from an expert marked
    absent later, as no ballot names its expert); below that it is recorded and may be
    recorded again as experts arrive."""
    session, _ = await office_session(env, session_id)
    if session.state is not SessionState.PANEL_DRAWN:
        raise RuleViolation(ErrorCode.INVALID_STATE, "须在抽取专家之后、投票开始之前记录到会情况", "sessionId")
    ids = set(present_member_ids)
    known = set(await env.session.scalars(select(PanelMember.id).where(PanelMember.session_id == session.id)))
    if not ids <= known:
        raise RuleViolation(ErrorCode.NOT_FOUND, "所列专家不是本次会议的评审专家", "presentMemberIds")
    await env.session.execute(update(PanelMember).where(PanelMember.session_id == session.id)
                              .values(present=PanelMember.id.in_(ids) if ids else False))
    session.present_count, session.attendance_recorded_at = len(ids), env.clock.now()
    if rules.quorate(len(ids), session.panel_size):
        session.state = SessionState.VOTING
    env.audit.reason = f"present={len(ids)}/{session.panel_size}"
    await env.session.flush()
    return session


async def panel_member(env: Env, session: ReviewSession) -> PanelMember:
    """The caller's seat on the session's panel, or NOT_ON_PANEL."""
    person = env.require_person()
    member = await env.session.scalar(select(PanelMember).where(PanelMember.session_id == session.id,
                                                                PanelMember.person_id == person.id))
    if member is None:
        raise RuleViolation(ErrorCode.NOT_ON_PANEL, field="sessionId")
    return member


async def recused(env: Env, member_id: int, candidate_ids: list[int]) -> set[int]:
    return set(await env.session.scalars(select(PanelRecusal.candidate_id).where(
        PanelRecusal.member_id == member_id, PanelRecusal.candidate_id.in_(candidate_ids))))


async def submit_opinion(env: Env, *, candidate_id: int, text_: str) -> Opinion:
    """评议意见: a member of the candidate's group, not recused, before the vote opens; the
    group's opinion is one text, rewritten by whoever of the group submits last."""
    env.require_person()
    candidate = await env.session.get(SessionCandidate, candidate_id)
    if candidate is None:
        raise RuleViolation(ErrorCode.NOT_FOUND, field="candidateId")
    session = await lock_session(env, candidate.session_id, share=True, field="candidateId")
    member = await panel_member(env, session)
    env.note_audit("SessionCandidate", candidate.id)
    if session.state is not SessionState.PANEL_DRAWN:
        raise RuleViolation(ErrorCode.INVALID_STATE, "投票已开始或会议已结束，不能再提交评议意见", "candidateId")
    if member.group_no != candidate.group_no:
        raise RuleViolation(ErrorCode.NOT_IN_GROUP, field="candidateId")
    if await recused(env, member.id, [candidate.id]):
        raise RuleViolation(ErrorCode.RECUSED, field="candidateId")
    body = clean_text(text_, field="text", limit=OPINION_MAX, required=True)
    if body is None:  # required: clean_text raised already
        raise RuleViolation(ErrorCode.FIELD_REQUIRED, field="text")
    now = env.clock.now()
    opinion = await env.session.scalar(select(Opinion).where(Opinion.candidate_id == candidate.id).with_for_update())
    if opinion is None:
        opinion = Opinion(candidate_id=candidate.id, member_id=member.id, text=body, submitted_at=now)
        env.session.add(opinion)
    else:
        opinion.member_id, opinion.text, opinion.submitted_at = member.id, body, now
    await env.session.flush()
    return opinion


async def list_sessions(env: Env, *, year: int | None, first: int | None, after: str | None) -> Page:
    """The office's sessions; an admin's region's committees'; newest first."""
    viewer = env.require_viewer()
    stmt = select(ReviewSession)
    if viewer.committee_office is not None:
        stmt = stmt.where(ReviewSession.committee_id == viewer.committee_office.committee_id)
    elif viewer.admin is not None:
        if viewer.admin.region_code != PROVINCE_CODE:
            stmt = stmt.join(Committee, Committee.id == ReviewSession.committee_id).where(
                Committee.region_code == viewer.admin.region_code)
    else:
        stmt = stmt.where(ReviewSession.id.in_(
            select(PanelMember.session_id).where(PanelMember.person_id == env.require_person().id)))
    if year is not None:
        stmt = stmt.where(ReviewSession.year == year)
    return await keyset_page(env.session, stmt, [SortKey(ReviewSession.id, descending=True)],
                             first=first, after=after, cap=env.settings.max_page_size)


@dataclass(frozen=True)
class SessionAccess:
    """What the caller may see of a session: everything (its office, its region's admins) or
    only what a panel member needs (their own seat)."""

    full: bool
    member: PanelMember | None


async def session_access(env: Env, session: ReviewSession) -> SessionAccess | None:
    viewer = env.viewer
    if viewer is None:
        return None
    if viewer.committee_office is not None:
        return SessionAccess(True, None) if viewer.committee_office.committee_id == session.committee_id else None
    if viewer.admin is not None:
        region = await env.session.scalar(select(Committee.region_code).where(Committee.id == session.committee_id))
        full = viewer.admin.region_code in (PROVINCE_CODE, region)
        return SessionAccess(True, None) if full else None
    if viewer.person is not None:
        member = await env.session.scalar(select(PanelMember).where(
            PanelMember.session_id == session.id, PanelMember.person_id == viewer.person.id))
        return SessionAccess(False, member) if member is not None else None
    return None


async def visible_sessions(env: Env, ids: list[int]) -> dict[int, tuple[ReviewSession, SessionAccess]]:
    out = {}
    for s in await env.session.scalars(select(ReviewSession).where(ReviewSession.id.in_(ids))):
        access = await session_access(env, s)
        if access is not None:
            out[s.id] = (s, access)
    return out


async def candidates_page(env: Env, session: ReviewSession, *, first: int | None, after: str | None) -> Page:
    """A session's candidates in order: the office and admins, and panel members, who vote on
    every one of them (the caller's access to the session was checked when it was read)."""
    stmt = select(SessionCandidate).where(SessionCandidate.session_id == session.id)
    return await keyset_page(env.session, stmt, [SortKey(SessionCandidate.id)], first=first, after=after,
                             cap=env.settings.max_page_size)


async def panel_of(env: Env, session_id: int) -> list[PanelMember]:
    return list(await env.session.scalars(
        select(PanelMember).where(PanelMember.session_id == session_id).order_by(PanelMember.draw_position)))
