"""评审结果 (issue 14, steps 6–8): results publicity, objections, confirmation, revocation.

- `start_results_publicity` (the committee office, a CLOSED session): every PASSED candidate
  goes on the public list for at least the set working days; one INSERT … SELECT.
- `raise_result_objection` (a logged-in person, while it runs) and
  `resolve_result_objection` (the office): upheld withdraws the result (PASSED → NOT_PASSED).
- `confirm_results` (the title office: admin of the committee's region or the province,
  after the publicity ended with no open objection): set-based, each PASSED declaration
  GRANTED with a certificate numbered from one sequence UPDATE, NOT_PASSED confirmed final.
- `revoke_title` (the title office): GRANTED → REVOKED, the certificate verifies as
  revoked, the person is on the integrity list for 3 years.

Races. Every step on a publicity takes its row lock first: confirmation FOR UPDATE, an
objection (raise or resolve) FOR SHARE. An objection racing the confirmation is therefore
either committed before it (and the confirmation, reading after its lock, refuses) or
refused after it (it re-reads `confirmed_at`). Two confirmations: the second waits and finds
`confirmed_at` set. Two starts of one session: the unique session_id makes the loser's
INSERT fail, and it is told the publicity has started.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, bindparam, func, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert

from core.clock import china_today
from models import (
    Admin,
    Certificate,
    CertificateSequence,
    Committee,
    Declaration,
    IntegrityRecord,
    ObjectionOutcome,
    Person,
    Region,
    ResultObjection,
    ResultsPublicity,
    ResultsPublicityEntry,
    ReviewSession,
    SessionState,
)
from resolvers import audit, feed
from resolvers.env import Env
from resolvers.paging import Page, SortKey, keyset_page
from resolvers.timeline import actor_name, append_event, transition
from rules import certificates as cert_rules
from rules import integrity as integrity_rules
from rules.catalog import LEVEL_NAMES
from rules.declaration_states import DeclarationAction as A
from rules.declaration_states import DeclarationStatus as S
from rules.errors import ErrorCode, RuleViolation
from rules.integrity import IntegrityCategory
from rules.regions import PROVINCE_CODE
from rules.text import clean_reason
from rules.workdays import publicity_end

ANONYMOUS_OBJECTOR = "公众（异议人不公开）"


def _rowcount(result: Any) -> int:
    """Rows an INSERT or UPDATE statement wrote."""
    return cast(CursorResult, result).rowcount


def _date(day) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


# --- who -------------------------------------------------------------------------------------


async def _office_session(env: Env, session_id: int, *, lock: bool = False) -> ReviewSession:
    """A session of the calling office's committee; another committee's is NOT_FOUND."""
    office = env.require_committee_office()
    stmt = select(ReviewSession).where(ReviewSession.id == session_id,
                                       ReviewSession.committee_id == office.committee_id)
    found = await env.session.scalar(stmt.with_for_update() if lock else stmt)
    if found is None:
        raise RuleViolation(ErrorCode.NOT_FOUND, "评审会议不存在或不属于本评委会", "sessionId")
    return found


def _title_office_may(admin: Admin, committee: Committee) -> bool:
    """The title office of a committee: the admin of its region, or the province's."""
    return admin.region_code in (PROVINCE_CODE, committee.region_code)


# --- start -----------------------------------------------------------------------------------


@dataclass
class StartResult:
    publicity: ResultsPublicity
    entry_count: int


_ENTRIES = text("""
INSERT INTO results_publicity_entry (publicity_id, declaration_id, holder_name, masked_id_number, unit_name,
                                     series_name, title_name, specialty_name, level)
SELECT :publicity, d.id, p.name, left(p.id_number, 6) || '********' || right(p.id_number, 4), u.name,
       cs.name, ct.name, csp.name, d.level
FROM session_candidate c
JOIN declaration d ON d.id = c.declaration_id
JOIN person p ON p.id = d.person_id
JOIN unit u ON u.id = d.work_unit_id
JOIN catalog_series cs ON cs.code = d.series_code
JOIN catalog_title ct ON ct.code = d.title_code
JOIN catalog_specialty csp ON csp.code = d.specialty_code
WHERE c.session_id = :session AND d.status = 'PASSED'
ORDER BY d.id
""")

_START_EVENTS = text("""
INSERT INTO declaration_event (declaration_id, action, from_status, to_status, actor_account_id, actor_name,
                               reason, at)
SELECT e.declaration_id, 'START_RESULTS_PUBLICITY', 'PASSED', 'PASSED', :account, :actor, :reason, :now
FROM results_publicity_entry e WHERE e.publicity_id = :publicity
""")

# The session's declarations, locked in id order (set-based: one statement however many).
_LOCK_SESSION_DECLARATIONS = text("""
SELECT d.id FROM declaration d JOIN session_candidate c ON c.declaration_id = d.id
WHERE c.session_id = :session ORDER BY d.id FOR UPDATE OF d
""")


async def start_results_publicity(env: Env, *, session_id: int, working_days: int | None = None) -> StartResult:
    """评审结果公示: the closed session's passed candidates on the public list."""
    session_row = await _office_session(env, session_id, lock=True)
    days = _working_days(env, working_days)
    if session_row.state is not SessionState.CLOSED:
        raise RuleViolation(ErrorCode.INVALID_STATE, "评审会议尚未闭票计票，不能公示评审结果", "sessionId")
    if await env.session.scalar(select(ResultsPublicity.id).where(ResultsPublicity.session_id == session_id)):
        raise RuleViolation(ErrorCode.PUBLICITY_ALREADY_STARTED, "该评审会议的结果已公示", "sessionId")
    now = env.clock.now()
    ends_on, ends_at = publicity_end(now, days)
    await env.session.execute(_LOCK_SESSION_DECLARATIONS, {"session": session_id})
    viewer = env.require_viewer()
    publicity = ResultsPublicity(
        session_id=session_id, committee_id=session_row.committee_id, started_at=now, working_days=days,
        ends_on=ends_on, ends_at=ends_at, created_by_account_id=viewer.account.id, created_by_name=actor_name(env))
    env.session.add(publicity)
    await env.session.flush()
    inserted = _rowcount(await env.session.execute(_ENTRIES, {"publicity": publicity.id, "session": session_id}))
    reason = f"评审结果公示{days}个工作日，至{_date(ends_on)}（含）"
    await env.session.execute(_START_EVENTS, {"publicity": publicity.id, "account": viewer.account.id,
                                              "actor": actor_name(env), "reason": reason, "now": now})
    await feed.session_events_sql(env, session_id, A.START_RESULTS_PUBLICITY, S.PASSED, S.PASSED, at=now)
    committee = await env.referenced(Committee, session_row.committee_id)
    env.note_audit("ReviewSession", session_id, region_code=committee.region_code,
                   reason=f"评审结果公示{inserted}人至{ends_on.isoformat()}")
    return StartResult(publicity, inserted)


def _working_days(env: Env, asked: int | None) -> int:
    least = env.settings.results_publicity_working_days
    if asked is None:
        return least
    if asked < least:
        raise RuleViolation(ErrorCode.PUBLICITY_TOO_SHORT, f"评审结果公示期不能少于{least}个工作日", "workingDays")
    if asked > 60:
        raise RuleViolation(ErrorCode.INVALID_INPUT, "公示期不超过60个工作日", "workingDays")
    return asked


# --- the public list -------------------------------------------------------------------------


def entry_select():
    return (select(ResultsPublicityEntry, ResultsPublicity.ends_on, ResultsPublicity.ends_at,
                   ResultsPublicity.session_id, Committee.name.label("committee_name"))
            .join(ResultsPublicity, ResultsPublicity.id == ResultsPublicityEntry.publicity_id)
            .join(Committee, Committee.id == ResultsPublicity.committee_id))


async def public_list(env: Env, *, session_id: int | None, include_ended: bool, first: int | None,
                      after: str | None) -> Page:
    """评审结果公示名单 (no login): running publicities' entries (or one session's), results
    withdrawn by an upheld objection left out; in publicity, then entry order."""
    where: list[Any] = [ResultsPublicityEntry.withdrawn_at.is_(None)]
    if session_id is not None:
        where.append(ResultsPublicity.session_id == session_id)
    if not include_ended:
        where.append(ResultsPublicity.ends_at > env.clock.now())
    keys = [SortKey(ResultsPublicityEntry.publicity_id), SortKey(ResultsPublicityEntry.id)]
    count = (select(ResultsPublicityEntry.id)
             .join(ResultsPublicity, ResultsPublicity.id == ResultsPublicityEntry.publicity_id).where(*where))
    return await keyset_page(env.session, entry_select().where(*where), keys, count=count, first=first,
                             after=after, cap=env.settings.max_page_size,
                             key_of=lambda r: (r.ResultsPublicityEntry.publicity_id, r.ResultsPublicityEntry.id))


async def public_entries(env: Env, ids: list[int]) -> dict[int, object]:
    """Entries by id as the public list shows them (withdrawn ones are not shown)."""
    if not ids:
        return {}
    rows = (await env.session.execute(entry_select().where(
        ResultsPublicityEntry.id.in_(ids), ResultsPublicityEntry.withdrawn_at.is_(None)))).all()
    return {row.ResultsPublicityEntry.id: row for row in rows}


# --- objections ------------------------------------------------------------------------------


async def _lock_publicity(env: Env, publicity_id: int, *, share: bool) -> ResultsPublicity:
    row = await env.session.scalar(
        select(ResultsPublicity).where(ResultsPublicity.id == publicity_id)
        .with_for_update(read=share).execution_options(populate_existing=True))
    assert row is not None  # an entry's or objection's publicity is never deleted
    return row


async def raise_result_objection(env: Env, *, entry_id: int, reason: str) -> ResultObjection:
    """提出异议: a logged-in person, not the candidate, while the publicity runs."""
    person = env.require_person()
    text_ = clean_reason(reason, required=True, required_message="请填写异议的事实和理由")
    entry = await env.session.get(ResultsPublicityEntry, entry_id)
    if entry is None or entry.withdrawn_at is not None:
        raise RuleViolation(ErrorCode.NOT_FOUND, "公示名单中没有该条目", "entryId")
    publicity = await _lock_publicity(env, entry.publicity_id, share=True)
    declaration = await env.session.scalar(select(Declaration).where(Declaration.id == entry.declaration_id)
                                           .with_for_update().execution_options(populate_existing=True))
    assert declaration is not None
    if declaration.person_id == person.id:
        raise RuleViolation(ErrorCode.INVALID_STATE, "不能对本人的评审结果提出异议", "entryId")
    now = env.clock.now()
    if publicity.confirmed_at is not None or now >= publicity.ends_at:
        raise RuleViolation(ErrorCode.NOT_IN_PUBLICITY,
                            f"评审结果公示已于{_date(publicity.ends_on)}期满，不能再提出异议", "entryId")
    before = declaration.status
    transition(declaration, A.RAISE_RESULT_OBJECTION)  # PASSED only: a withdrawn result is not listed
    objection = ResultObjection(publicity_id=publicity.id, entry_id=entry.id, declaration_id=declaration.id,
                                raised_by_account_id=env.require_viewer().account.id,
                                raised_by_name=actor_name(env), reason=text_, raised_at=now)
    env.session.add(objection)
    # The candidate's timeline says that an objection came, not who raised it or its words.
    event = append_event(env, declaration, A.RAISE_RESULT_OBJECTION, before,
                         reason="评审结果公示期间收到异议，待评委会办事机构核实处理")
    event.actor_name = ANONYMOUS_OBJECTOR
    await env.session.flush()
    committee = await env.referenced(Committee, publicity.committee_id)
    env.note_audit("ResultObjection", objection.id, reason=f"申报{declaration.id}: {text_}",
                   region_code=committee.region_code)
    return objection


@dataclass
class ResolveResult:
    row: Any  # an objection_select() row: the objection with the entry's name and title
    declaration: Declaration


async def resolve_result_objection(env: Env, *, objection_id: int, upheld: bool, reason: str) -> ResolveResult:
    """处理异议 (the office): upheld withdraws the result with the reason; dismissed is recorded."""
    office = env.require_committee_office()
    text_ = clean_reason(reason, required=True, required_message="请填写异议的处理意见")
    found = (await env.session.execute(
        select(ResultObjection.publicity_id, ResultObjection.declaration_id)
        .join(ResultsPublicity, ResultsPublicity.id == ResultObjection.publicity_id)
        .where(ResultObjection.id == objection_id, ResultsPublicity.committee_id == office.committee_id))).first()
    if found is None:
        raise RuleViolation(ErrorCode.NOT_FOUND, "异议不存在或不属于本评委会", "objectionId")
    await _lock_publicity(env, found.publicity_id, share=True)
    declaration = await env.session.scalar(select(Declaration).where(Declaration.id == found.declaration_id)
                                           .with_for_update().execution_options(populate_existing=True))
    objection = await env.session.get(ResultObjection, objection_id, with_for_update=True, populate_existing=True)
    assert declaration is not None and objection is not None
    if objection.outcome is not None:
        raise RuleViolation(ErrorCode.INVALID_STATE, "该异议已处理", "objectionId")
    now, before = env.clock.now(), declaration.status
    action = A.WITHDRAW_RESULT if upheld else A.DISMISS_RESULT_OBJECTION
    declaration.status = transition(declaration, action)
    declaration.updated_at = now
    objection.outcome = ObjectionOutcome.UPHELD if upheld else ObjectionOutcome.DISMISSED
    objection.resolution, objection.resolved_at = text_, now
    objection.resolved_by_account_id, objection.resolved_by_name = env.require_viewer().account.id, actor_name(env)
    if upheld:
        await _withdraw(env, objection, text_)
    append_event(env, declaration, action, before,
                 reason=("异议成立，撤销评审通过结果：" if upheld else "异议不成立：") + text_)
    await env.session.flush()
    env.note_audit("ResultObjection", objection.id, reason=audit.decision_note(objection.outcome.value, text_))
    row = (await env.session.execute(objection_select().where(ResultObjection.id == objection.id))).one()
    return ResolveResult(row, declaration)


async def _withdraw(env: Env, objection: ResultObjection, reason: str) -> None:
    """The entry leaves the public list; the entry's other open objections close with it."""
    now = env.clock.now()
    await env.session.execute(
        update(ResultsPublicityEntry).where(ResultsPublicityEntry.id == objection.entry_id)
        .values(withdrawn_at=now, withdrawn_reason=reason).execution_options(synchronize_session=False))
    await env.session.execute(
        update(ResultObjection)
        .where(ResultObjection.entry_id == objection.entry_id, ResultObjection.outcome.is_(None),
               ResultObjection.id != objection.id)
        .values(outcome=ObjectionOutcome.SUPERSEDED, resolved_at=now,
                resolved_by_account_id=objection.resolved_by_account_id, resolved_by_name=objection.resolved_by_name,
                resolution="同一人员的另一异议成立，评审通过结果已撤销，本异议随之结案")
        .execution_options(synchronize_session=False))


def objection_select():
    return (select(ResultObjection, ResultsPublicityEntry.holder_name, ResultsPublicityEntry.title_name,
                   ResultsPublicity.session_id)
            .join(ResultsPublicityEntry, ResultsPublicityEntry.id == ResultObjection.entry_id)
            .join(ResultsPublicity, ResultsPublicity.id == ResultObjection.publicity_id))


async def objection_list(env: Env, *, session_id: int | None, open_only: bool, first: int | None,
                         after: str | None) -> Page:
    """评审结果异议: the office's, oldest first."""
    office = env.require_committee_office()
    where: list[Any] = [ResultsPublicity.committee_id == office.committee_id]
    if session_id is not None:
        where.append(ResultsPublicity.session_id == session_id)
    if open_only:
        where.append(ResultObjection.outcome.is_(None))
    count = (select(ResultObjection.id)
             .join(ResultsPublicity, ResultsPublicity.id == ResultObjection.publicity_id).where(*where))
    return await keyset_page(env.session, objection_select().where(*where), [SortKey(ResultObjection.id)],
                             count=count, first=first, after=after, cap=env.settings.max_page_size,
                             key_of=lambda r: (r.ResultObjection.id,))


async def visible_objections(env: Env, ids: list[int]) -> dict[int, object]:
    office = env.viewer.committee_office if env.viewer else None
    if office is None or not ids:
        return {}
    rows = (await env.session.execute(objection_select().where(
        ResultObjection.id.in_(ids), ResultsPublicity.committee_id == office.committee_id))).all()
    return {row.ResultObjection.id: row for row in rows}


# --- confirmation ----------------------------------------------------------------------------


@dataclass
class ConfirmResult:
    publicity: ResultsPublicity
    granted: int
    not_passed: int


_OPEN_OBJECTIONS = select(func.count()).where(ResultObjection.publicity_id == bindparam("publicity"),
                                              ResultObjection.outcome.is_(None))

_PASSED_IN_SESSION = text("""
SELECT e.id FROM results_publicity_entry e JOIN declaration d ON d.id = e.declaration_id
WHERE e.publicity_id = :publicity AND d.status = 'PASSED' ORDER BY e.id
""")

_ISSUE = text("""
INSERT INTO certificate (number, declaration_id, person_id, publicity_id, region_code, year, level, holder_name,
                         masked_id_number, series_name, level_name, title_name, specialty_name, committee_name,
                         issued_by, issued_on, issued_at)
SELECT n.number, e.declaration_id, d.person_id, e.publicity_id, :region, d.year, d.level, e.holder_name,
       e.masked_id_number, e.series_name, :level_name, e.title_name, e.specialty_name, :committee_name,
       :issued_by, :issued_on, :now
FROM unnest(CAST(:entries AS bigint[]), CAST(:numbers AS varchar[])) AS n(entry_id, number)
JOIN results_publicity_entry e ON e.id = n.entry_id
JOIN declaration d ON d.id = e.declaration_id
""")

_MOVE = text("""
WITH moved AS (
    UPDATE declaration d SET status = CASE d.status WHEN 'PASSED' THEN 'GRANTED' ELSE d.status END,
                             updated_at = :now
    FROM session_candidate c
    WHERE c.session_id = :session AND d.id = c.declaration_id AND d.status IN ('PASSED', 'NOT_PASSED')
    RETURNING d.id, d.status
)
INSERT INTO declaration_event (declaration_id, action, from_status, to_status, actor_account_id, actor_name,
                               reason, at)
SELECT m.id, CASE m.status WHEN 'GRANTED' THEN 'GRANT' ELSE 'CONFIRM_NOT_PASSED' END,
       CASE m.status WHEN 'GRANTED' THEN 'PASSED' ELSE 'NOT_PASSED' END, m.status, :account, :actor,
       CASE m.status WHEN 'GRANTED' THEN :granted_reason ELSE :not_passed_reason END, :now
FROM moved m ORDER BY m.id
""")


async def confirm_results(env: Env, *, session_id: int) -> ConfirmResult:
    """确认评审结果 (the title office), once per session, after its publicity ended with no
    open objection."""
    admin = env.require_admin()
    session_row = await env.session.get(ReviewSession, session_id)
    committee = await env.referenced(Committee, session_row.committee_id) if session_row else None
    if session_row is None or committee is None or not _title_office_may(admin, committee):
        raise RuleViolation(ErrorCode.NOT_FOUND, "评审会议不存在或不在本机构管辖范围内", "sessionId")
    env.note_audit("ReviewSession", session_id, region_code=committee.region_code)
    publicity_id = await env.session.scalar(
        select(ResultsPublicity.id).where(ResultsPublicity.session_id == session_id))
    if publicity_id is None:
        raise RuleViolation(ErrorCode.RESULTS_NOT_PUBLICISED, field="sessionId")
    publicity = await _lock_publicity(env, publicity_id, share=False)
    now = env.clock.now()
    _check_confirmable(publicity, now)
    if await env.session.scalar(_OPEN_OBJECTIONS, {"publicity": publicity.id}):
        raise RuleViolation(ErrorCode.OPEN_OBJECTION, "评审结果公示期间收到的异议尚未处理完毕，不能确认", "sessionId")
    await env.session.execute(_LOCK_SESSION_DECLARATIONS, {"session": session_id})
    entries = list((await env.session.scalars(_PASSED_IN_SESSION, {"publicity": publicity.id})).all())
    await _issue(env, publicity, session_row, committee, entries, now)
    counts = _rowcount(await env.session.execute(_MOVE, {
        "session": session_id, "now": now, "account": env.require_viewer().account.id, "actor": actor_name(env),
        "granted_reason": "职称管理机构确认评审结果，取得职称，电子证书已发放",
        "not_passed_reason": "职称管理机构确认评审结果：未通过"}))
    await feed.session_events_sql(env, session_id, A.GRANT, S.PASSED, S.GRANTED, at=now)
    await feed.session_events_sql(env, session_id, A.CONFIRM_NOT_PASSED, S.NOT_PASSED, S.NOT_PASSED, at=now)
    publicity.confirmed_at, publicity.confirmed_by_admin_id = now, admin.id
    publicity.granted_count, publicity.not_passed_count = len(entries), counts - len(entries)
    env.note_audit("ReviewSession", session_id, region_code=committee.region_code,
                   reason=f"确认: 通过{len(entries)}人（发证），未通过{counts - len(entries)}人")
    return ConfirmResult(publicity, len(entries), counts - len(entries))


def _check_confirmable(publicity: ResultsPublicity, now: datetime) -> None:
    if publicity.confirmed_at is not None:
        raise RuleViolation(ErrorCode.RESULTS_ALREADY_CONFIRMED, field="sessionId")
    if now < publicity.ends_at:
        raise RuleViolation(ErrorCode.RESULTS_PUBLICITY_NOT_ENDED,
                            f"评审结果公示至{_date(publicity.ends_on)}（含），期满后才能确认", "sessionId")


async def _issue(env: Env, publicity: ResultsPublicity, session_row: ReviewSession, committee: Committee,
                 entries: list[int], now: datetime) -> None:
    """One certificate per passed entry, numbered from the region's, year's and level's
    sequence advanced once by the batch (the row lock serialises concurrent confirmations
    of other sessions sharing it)."""
    if not entries:
        return
    region, year, level = committee.region_code, session_row.year, session_row.level
    last = await env.session.scalar(
        pg_insert(CertificateSequence).values(region_code=region, year=year, level=level, last=len(entries))
        .on_conflict_do_update(index_elements=["region_code", "year", "level"],
                               set_={"last": CertificateSequence.last + len(entries)})
        .returning(CertificateSequence.last))
    assert last is not None
    first = last - len(entries) + 1
    if last > cert_rules.MAX_SEQUENCE:
        raise cert_rules.sequence_exhausted(region, year, level)
    numbers = [cert_rules.certificate_number(region, year, level, first + i) for i in range(len(entries))]
    region_name = await env.session.scalar(select(Region.name).where(Region.code == region)) or region
    await env.session.execute(_ISSUE, {
        "entries": entries, "numbers": numbers, "region": region, "level_name": LEVEL_NAMES[level],
        "committee_name": committee.name, "issued_by": cert_rules.issuing_authority(region, region_name),
        "issued_on": china_today(env.clock), "now": now})


# --- revocation ------------------------------------------------------------------------------


@dataclass
class RevokeResult:
    declaration: Declaration
    certificate: Certificate
    integrity: IntegrityRecord


async def revoke_title(env: Env, *, declaration_id: int, reason: str) -> RevokeResult:
    """撤销职称 (the title office): a title obtained by fraud. The certificate verifies as
    REVOKED from now on, and the person is on the integrity list for 3 years (弄虚作假)."""
    admin = env.require_admin()
    text_ = clean_reason(reason, required=True, required_message="请填写撤销职称的原因")
    certificate = await env.session.scalar(select(Certificate).where(Certificate.declaration_id == declaration_id))
    publicity = await env.session.get(ResultsPublicity, certificate.publicity_id) if certificate else None
    committee = await env.referenced(Committee, publicity.committee_id) if publicity else None
    if certificate is None or committee is None or not _title_office_may(admin, committee):
        raise RuleViolation(ErrorCode.NOT_FOUND, "申报不存在、未取得职称或不在本机构管辖范围内", "declarationId")
    # Person before declaration: the order add_to_integrity_list and the eligibility check lock in.
    await env.session.execute(select(Person.id).where(Person.id == certificate.person_id).with_for_update())
    declaration = await env.session.scalar(select(Declaration).where(Declaration.id == declaration_id)
                                           .with_for_update().execution_options(populate_existing=True))
    assert declaration is not None
    before = declaration.status
    declaration.status = transition(declaration, A.REVOKE)  # GRANTED only: twice is INVALID_STATE
    now = env.clock.now()
    declaration.updated_at = now
    certificate.revoked_at, certificate.revoked_by_admin_id, certificate.revoke_reason = now, admin.id, text_
    starts_on = china_today(env.clock)
    record = IntegrityRecord(
        person_id=certificate.person_id, category=IntegrityCategory.FALSIFIED_MATERIALS,
        reason=f"弄虚作假取得职称被撤销（证书{certificate.number}）：{text_}", starts_on=starts_on,
        ends_on=integrity_rules.check_period(IntegrityCategory.FALSIFIED_MATERIALS, starts_on, None),
        created_by_admin_id=admin.id, created_at=now)
    env.session.add(record)
    append_event(env, declaration, A.REVOKE, before,
                 reason=f"职称被撤销：{text_}；记入职称诚信档案至{record.ends_on.isoformat()}")
    await env.session.flush()
    env.note_audit("Declaration", declaration.id, region_code=committee.region_code,
                   reason=f"撤销职称，证书{certificate.number}: {text_}")
    return RevokeResult(declaration, certificate, record)


# --- reading certificates --------------------------------------------------------------------


async def certificates_of(env: Env, declaration_ids: list[int]) -> dict[int, Certificate]:
    """Certificates of declarations the caller already sees (the Declaration type checked)."""
    if not declaration_ids:
        return {}
    rows = await env.session.scalars(select(Certificate).where(Certificate.declaration_id.in_(declaration_ids)))
    return {r.declaration_id: r for r in rows}


async def open_certificate(env: Env, *, number: str) -> Certificate:
    """A certificate for download: its holder, the office of its committee, or its title
    office. Anyone else, and an unknown number, NOT_FOUND (a download cannot probe numbers)."""
    viewer = env.require_viewer()
    if not cert_rules.is_well_formed(number):  # never sent to PostgreSQL (a NUL would fail there)
        raise RuleViolation(ErrorCode.NOT_FOUND)
    row = await env.session.scalar(select(Certificate).where(Certificate.number == number))
    if row is None:
        raise RuleViolation(ErrorCode.NOT_FOUND)
    publicity = await env.referenced(ResultsPublicity, row.publicity_id)
    committee = await env.referenced(Committee, publicity.committee_id)
    allowed = ((viewer.person is not None and viewer.person.id == row.person_id)
               or (viewer.committee_office is not None and viewer.committee_office.committee_id == committee.id)
               or (viewer.admin is not None and _title_office_may(viewer.admin, committee)))
    if not allowed:
        raise RuleViolation(ErrorCode.NOT_FOUND)
    # Named by its declaration (a node; the certificate is reached through it).
    await audit.record(env, "certificate.download", object_type="Declaration", object_id=row.declaration_id,
                       region_code=committee.region_code, reason=row.number)
    return row
