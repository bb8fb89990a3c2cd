"""单位公示 (人社部令第40号: the employer publicises for at least 5 working days before reporting
up): starting a publicity, the list people of the unit see, objections and their resolution.

Publicity happens at the declaration's work unit only, on the step it approved there (a
superior reports without it). It is data beside the state machine's APPROVED, not a state;
the report (`resolvers.reporting`) refuses a declaration whose publicity has not ended or
has an open objection. Whether it ended is judged when read, against the clock: no job.

Every step locks the declaration rows first, as every transition does, so a start, an
objection, a resolution and a report of one declaration are serialised. Starting is
set-based like the report (a base unit publicises thousands at once) and all-or-nothing:
one declaration that cannot be publicised refuses the batch, each named in the errors.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import exists, func, select, text, update

from core.errors import Forbidden
from models import (
    Declaration,
    DeclarationEvent,
    ObjectionOutcome,
    Person,
    PublicityEntry,
    PublicityObjection,
    ReviewStep,
    Unit,
    UnitPublicity,
)
from resolvers import audit, feed
from resolvers.env import Env
from resolvers.paging import Page, SortKey, keyset_page
from resolvers.timeline import actor_name, append_event, transition
from resolvers.units import require_acting_unit_permitted
from rules.declaration_states import DeclarationAction, DeclarationStatus
from rules.errors import ErrorCode, RuleViolation, RuleViolations
from rules.text import clean_reason
from rules.workdays import publicity_end

A, S = DeclarationAction, DeclarationStatus

#: One call may publicise as many declarations as one report may send.
MAX_PUBLICITY_BATCH = 10_000
#: A longer publicity is a mistake, not a policy (and would run past the known calendar).
MAX_WORKING_DAYS = 30
#: What the applicant's timeline shows as the author of an objection: the objector is known to
#: the unit that decides, not to the person objected to.
ANONYMOUS_OBJECTOR = "公示异议人（不公开）"


class ItemViolation(RuleViolation):
    """A refusal that concerns one declaration of a batch."""

    def __init__(self, declaration_id: int | None, code: ErrorCode, message: str | None = None,
                 field: str | None = "declarationIds") -> None:
        self.declaration_id = declaration_id
        super().__init__(code, message, field)


def _date(d) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


# --- starting a publicity -------------------------------------------------------------------

# Lock first, read after: a READ COMMITTED statement that waited for a row lock reads the rows
# it joins from the snapshot it took before waiting, so one statement doing both could miss
# an objection or a publicity committed while it waited (tests/test_publicity.py races it).
LOCK_DECLARATIONS = text("""
    SELECT id FROM declaration WHERE id = ANY(CAST(:ids AS bigint[])) ORDER BY id FOR UPDATE
""")

_CANDIDATES = text("""
    SELECT d.id, d.status, d.current_unit_id = :unit AS here, s.id AS step_id,
           s.unit_id = s.work_unit_id AS at_work_unit, e.id IS NOT NULL AS publicised,
           EXISTS (SELECT 1 FROM review_step r WHERE r.declaration_id = d.id AND r.unit_id = :unit) AS reached
    FROM declaration d
    LEFT JOIN review_step s ON s.declaration_id = d.id AND s.unit_id = :unit AND s.awaiting_report
    LEFT JOIN unit_publicity_entry e ON e.review_step_id = s.id
    WHERE d.id = ANY(CAST(:ids AS bigint[]))
    ORDER BY d.id
""")

_ENTRIES = text("""
    INSERT INTO unit_publicity_entry (publicity_id, review_step_id, declaration_id, unit_id, ends_at)
    SELECT :publicity, v.step_id, v.declaration_id, :unit, :ends_at
    FROM unnest(CAST(:steps AS bigint[]), CAST(:ids AS bigint[])) AS v(step_id, declaration_id)
""")

# The events and the declarations' updated_at (what HR systems follow) in one statement.
_START_EVENTS = text("""
    WITH touched AS (
        UPDATE declaration SET updated_at = :now WHERE id = ANY(CAST(:ids AS bigint[])) RETURNING id
    )
    INSERT INTO declaration_event (declaration_id, action, from_status, to_status, actor_account_id, actor_name,
                                   unit_id, reason, at)
    SELECT id, :action, :status, :status, :account, :actor, :unit, :reason, :now
    FROM touched
""")


@dataclass
class StartResult:
    publicity: UnitPublicity
    declaration_ids: list[int]


def _working_days(env: Env, requested: int | None) -> int:
    least = env.settings.unit_publicity_working_days
    days = least if requested is None else requested
    if days < least:
        raise RuleViolation(ErrorCode.PUBLICITY_TOO_SHORT, f"公示期不能少于{least}个工作日", "workingDays")
    if days > MAX_WORKING_DAYS:
        raise RuleViolation(ErrorCode.INVALID_INPUT, f"公示期不超过{MAX_WORKING_DAYS}个工作日", "workingDays")
    return days


def _refusal(row) -> ItemViolation | None:
    """Why this locked declaration cannot be publicised by the unit, or None."""
    if not row.reached:
        return ItemViolation(row.id, ErrorCode.NOT_FOUND, "申报不存在或未报送本单位")
    if row.step_id is None or row.status != S.APPROVED.value or not row.here:
        return ItemViolation(row.id, ErrorCode.INVALID_STATE, "只能公示本单位审核通过、尚未上报的申报")
    if not row.at_work_unit:
        return ItemViolation(row.id, ErrorCode.INVALID_STATE,
                             "单位公示由申报人的工作单位进行；本单位不是其工作单位，可直接上报")
    if row.publicised:
        return ItemViolation(row.id, ErrorCode.PUBLICITY_ALREADY_STARTED)
    return None


async def start_unit_publicity(env: Env, *, declaration_ids: list[int], working_days: int | None = None,
                               failures: list[RuleViolation] | None = None) -> StartResult:
    """单位公示: publicise the selected declarations this unit approved as their work unit,
    for `working_days` (default and minimum: the setting) counted from the day after today."""
    unit = require_acting_unit_permitted(env)
    if failures:  # malformed ids first, as every mutation answers them (schema/mutation.py)
        raise RuleViolations(failures)
    days = _working_days(env, working_days)
    ids = sorted(set(declaration_ids))
    if not ids:
        raise RuleViolation(ErrorCode.FIELD_REQUIRED, "请选择要公示的申报", "declarationIds")
    if len(ids) > MAX_PUBLICITY_BATCH:
        raise RuleViolation(ErrorCode.TOO_MANY_IDS, f"一次最多公示{MAX_PUBLICITY_BATCH}份申报", "declarationIds")
    now = env.clock.now()
    ends_on, ends_at = publicity_end(now, days)  # an unknown calendar year refuses before any lock
    session = env.session
    found = set(await session.scalars(LOCK_DECLARATIONS, {"ids": ids}))
    errors: list[RuleViolation] = [ItemViolation(i, ErrorCode.NOT_FOUND, "申报不存在或未报送本单位")
                                   for i in ids if i not in found]
    rows = (await session.execute(_CANDIDATES, {"unit": unit.id, "ids": ids})).all()
    errors += [e for e in map(_refusal, rows) if e is not None]
    if errors:
        raise RuleViolations(errors)
    publicity = UnitPublicity(unit_id=unit.id, started_at=now, working_days=days, ends_on=ends_on, ends_at=ends_at,
                              created_by_account_id=env.require_viewer().account.id, created_by_name=actor_name(env))
    session.add(publicity)
    await session.flush()
    steps = [r.step_id for r in rows]
    await session.execute(_ENTRIES, {"publicity": publicity.id, "steps": steps, "ids": ids, "unit": unit.id,
                                     "ends_at": ends_at})
    why = f"单位公示{days}个工作日，至{_date(ends_on)}（含）" if days else "单位公示（公示期为0个工作日，立即期满）"
    await session.execute(_START_EVENTS, {
        "ids": ids, "action": A.START_PUBLICITY.value, "status": S.APPROVED.value,
        "account": env.require_viewer().account.id, "actor": actor_name(env), "unit": unit.id, "now": now,
        "reason": why})
    await feed.declaration_events_sql(env, ids, A.START_PUBLICITY, S.APPROVED, at=now)
    env.note_audit("UnitPublicity", publicity.id,
                   reason=f"公示{len(ids)}份至{ends_on.isoformat()}: " + ",".join(map(str, ids)))
    return StartResult(publicity, ids)


# --- who is "of the unit" -------------------------------------------------------------------


async def _person_of_unit(env: Env, person: Person, unit_id: int) -> bool:
    """People of a unit: those who declared with it as their work unit, in any year."""
    return bool(await env.session.scalar(select(exists().where(
        Declaration.person_id == person.id, Declaration.work_unit_id == unit_id))))


async def _is_of_unit(env: Env, unit_id: int) -> bool:
    viewer = env.require_viewer()
    if viewer.unit is not None:
        return viewer.unit.id == unit_id
    if viewer.person is not None:
        return await _person_of_unit(env, viewer.person, unit_id)
    return False


async def publicity_unit(env: Env, unit_id: int | None) -> int:
    """Whose publicity list the caller asked for: a unit's own; for a person the given unit
    or, by default, the work unit of their latest declaration. Anyone else: FORBIDDEN."""
    viewer = env.require_viewer()
    if unit_id is None:
        if viewer.unit is not None:
            return viewer.unit.id
        if viewer.person is not None:
            latest = await env.session.scalar(
                select(Declaration.work_unit_id).where(Declaration.person_id == viewer.person.id)
                .order_by(Declaration.year.desc(), Declaration.id.desc()).limit(1))
            if latest is not None:
                return latest
    elif await _is_of_unit(env, unit_id):
        return unit_id
    raise Forbidden("只有本单位人员可以查看本单位的公示")


# --- the publicity list ---------------------------------------------------------------------


def _open_count(entry_id_column):
    return (select(func.count()).where(PublicityObjection.entry_id == entry_id_column,
                                       PublicityObjection.outcome.is_(None))
            .scalar_subquery())


def publicity_select():
    """A list row: the entry with its step's copies (name, title, level), the declaration's
    specialty, the applicant's ID number (masked by the schema), the batch's start and end
    and the entry's open objections — joined by primary key on the page's rows only."""
    return (
        select(PublicityEntry, ReviewStep, Declaration.specialty_code, Person.id_number,
               UnitPublicity.started_at, UnitPublicity.ends_on,
               _open_count(PublicityEntry.id).label("open_objections"))
        .join(ReviewStep, ReviewStep.id == PublicityEntry.review_step_id)
        .join(Declaration, Declaration.id == PublicityEntry.declaration_id)
        .join(Person, Person.id == Declaration.person_id)
        .join(UnitPublicity, UnitPublicity.id == PublicityEntry.publicity_id)
    )


async def publicity_list(env: Env, *, unit_id: int | None, include_ended: bool, first: int | None,
                         after: str | None) -> Page:
    """公示名单: the unit's declarations in publicity (by default only those still running and
    not returned), the soonest to end first. One keyset scan of ix_unit_publicity_entry_list."""
    unit = await publicity_unit(env, unit_id)
    where = [PublicityEntry.unit_id == unit]
    if not include_ended:
        where += [PublicityEntry.ends_at > env.clock.now(), PublicityEntry.returned_at.is_(None)]
    keys = [SortKey(PublicityEntry.ends_at), SortKey(PublicityEntry.id)]
    return await keyset_page(env.session, publicity_select().where(*where), keys,
                             count=select(PublicityEntry.id).where(*where),
                             first=first, after=after, cap=env.settings.max_page_size,
                             key_of=lambda row: (row.PublicityEntry.ends_at, row.PublicityEntry.id))


# --- objections -----------------------------------------------------------------------------


async def _lock_declaration(env: Env, declaration_id: int) -> Declaration | None:
    return await env.session.scalar(
        select(Declaration).where(Declaration.id == declaration_id)
        .with_for_update().execution_options(populate_existing=True))


async def _current_entry(env: Env, declaration_id: int) -> tuple[PublicityEntry, ReviewStep] | None:
    row = (await env.session.execute(
        select(PublicityEntry, ReviewStep).join(ReviewStep, ReviewStep.id == PublicityEntry.review_step_id)
        .where(PublicityEntry.declaration_id == declaration_id)
        .order_by(PublicityEntry.id.desc()).limit(1)
        .execution_options(populate_existing=True))).first()
    return (row.PublicityEntry, row.ReviewStep) if row else None


async def raise_objection(env: Env, *, declaration_id: int, reason: str) -> PublicityObjection:
    """提出异议: anyone of the work unit (its account, or a person who declared with it) while
    the declaration's publicity runs. Two objections at once are both recorded."""
    viewer = env.require_viewer()
    if viewer.person is None and viewer.unit is None:
        raise Forbidden("只有本单位人员可以提出异议")
    text_ = clean_reason(reason, required=True, required_message="请填写异议的事实和理由")
    declaration = await _lock_declaration(env, declaration_id)
    if declaration is None or not await _is_of_unit(env, declaration.work_unit_id):
        raise RuleViolation(ErrorCode.NOT_FOUND, "申报不存在或不在本单位公示", "declarationId")
    if viewer.person is not None and viewer.person.id == declaration.person_id:
        raise RuleViolation(ErrorCode.INVALID_STATE, "不能对本人的申报提出异议", "declarationId")
    current = await _current_entry(env, declaration_id)
    now = env.clock.now()
    if current is None or current[0].returned_at is not None or not current[1].awaiting_report:
        raise RuleViolation(ErrorCode.NOT_IN_PUBLICITY, "该申报目前未在本单位公示", "declarationId")
    entry, _ = current
    if now >= entry.ends_at:
        publicity = await env.referenced(UnitPublicity, entry.publicity_id)
        raise RuleViolation(ErrorCode.NOT_IN_PUBLICITY,
                            f"公示已于{_date(publicity.ends_on)}期满，不能再提出异议", "declarationId")
    before = declaration.status
    transition(declaration, A.RAISE_OBJECTION)  # APPROVED only
    objection = PublicityObjection(
        entry_id=entry.id, declaration_id=declaration.id, unit_id=entry.unit_id,
        raised_by_account_id=viewer.account.id, raised_by_name=actor_name(env), reason=text_, raised_at=now)
    env.session.add(objection)
    # The applicant's timeline says that an objection came and when, not who raised it or its
    # words (which could name the objector); the unit sees both in publicityObjections.
    env.session.add(DeclarationEvent(
        declaration_id=declaration.id, action=A.RAISE_OBJECTION, from_status=before, to_status=declaration.status,
        actor_account_id=viewer.account.id, actor_name=ANONYMOUS_OBJECTOR, unit_id=entry.unit_id,
        reason="公示期间收到异议，待单位核实处理", at=now))
    declaration.updated_at = now
    feed.declaration_event(env, declaration, A.RAISE_OBJECTION, before, at=now)
    await env.session.flush()
    work_unit = await env.referenced(Unit, entry.unit_id)
    env.note_audit("PublicityObjection", objection.id, reason=f"申报{declaration.id}: {text_}",
                   region_code=work_unit.region_code)
    return objection


@dataclass
class ResolveResult:
    row: Any  # an objection_select() row: the objection with its declaration, name and title
    declaration: Declaration


async def resolve_objection(env: Env, *, objection_id: int, upheld: bool, reason: str) -> ResolveResult:
    """处理异议: upheld returns the declaration to the applicant with the unit's reason (the
    round restarts at the work unit when they confirm again, as after a rejection); dismissed
    is recorded and, once none is open and the publicity ended, the declaration can be reported."""
    unit = require_acting_unit_permitted(env)
    text_ = clean_reason(reason, required=True, required_message="请填写异议的处理意见")
    declaration_id = await env.session.scalar(select(PublicityObjection.declaration_id).where(
        PublicityObjection.id == objection_id, PublicityObjection.unit_id == unit.id))
    if declaration_id is None:
        raise RuleViolation(ErrorCode.NOT_FOUND, "异议不存在或不属于本单位", "objectionId")
    declaration = await _lock_declaration(env, declaration_id)
    assert declaration is not None  # an objection's declaration is never deleted
    objection = await env.session.get(PublicityObjection, objection_id, with_for_update=True,
                                      populate_existing=True)
    assert objection is not None
    if objection.outcome is not None:
        raise RuleViolation(ErrorCode.INVALID_STATE, "该异议已处理", "objectionId")
    now, viewer, before = env.clock.now(), env.require_viewer(), declaration.status
    action = A.UPHOLD_OBJECTION if upheld else A.DISMISS_OBJECTION
    declaration.status = transition(declaration, action)
    objection.outcome = ObjectionOutcome.UPHELD if upheld else ObjectionOutcome.DISMISSED
    objection.resolution, objection.resolved_at = text_, now
    objection.resolved_by_account_id, objection.resolved_by_name = viewer.account.id, actor_name(env)
    if upheld:
        await _return_to_applicant(env, declaration, objection, text_)
    append_event(env, declaration, action, before, unit_id=unit.id,
                 reason=("异议成立：" if upheld else "异议不成立：") + text_)
    await env.session.flush()
    env.note_audit("PublicityObjection", objection.id,
                   reason=audit.decision_note(objection.outcome.value, text_))
    row = (await env.session.execute(objection_select().where(PublicityObjection.id == objection.id))).one()
    return ResolveResult(row, declaration)


async def _return_to_applicant(env: Env, declaration: Declaration, objection: PublicityObjection,
                               reason: str) -> None:
    """An upheld objection ends this round at the work unit: the approved step no longer waits
    to be reported (its decision stays the approval it was), the entry leaves the list, and the
    entry's other open objections are closed with it."""
    now = env.clock.now()
    entry = await env.referenced(PublicityEntry, objection.entry_id, lock=True, populate_existing=True)
    step = await env.referenced(ReviewStep, entry.review_step_id, lock=True, populate_existing=True)
    step.awaiting_report = False
    entry.returned_at = now
    declaration.current_unit_id = None
    declaration.return_reason = f"单位公示异议成立：{reason}"
    declaration.updated_at = now
    await env.session.execute(
        update(PublicityObjection)
        .where(PublicityObjection.entry_id == entry.id, PublicityObjection.outcome.is_(None),
               PublicityObjection.id != objection.id)
        .values(outcome=ObjectionOutcome.SUPERSEDED, resolved_at=now,
                resolved_by_account_id=objection.resolved_by_account_id,
                resolved_by_name=objection.resolved_by_name,
                resolution="同一申报的另一异议成立，申报已退回，本异议随之结案")
        .execution_options(synchronize_session=False))


def objection_select():
    """An objection row with its declaration and the step's copies (name, title)."""
    return (
        select(PublicityObjection, Declaration, ReviewStep.applicant_name, ReviewStep.title_name)
        .join(PublicityEntry, PublicityEntry.id == PublicityObjection.entry_id)
        .join(ReviewStep, ReviewStep.id == PublicityEntry.review_step_id)
        .join(Declaration, Declaration.id == PublicityObjection.declaration_id)
    )


async def objection_list(env: Env, *, open_only: bool, first: int | None, after: str | None) -> Page:
    """公示异议: objections to this unit's publicity, the oldest first."""
    unit = env.require_unit()
    where = [PublicityObjection.unit_id == unit.id]
    if open_only:
        where.append(PublicityObjection.outcome.is_(None))
    return await keyset_page(env.session, objection_select().where(*where), [SortKey(PublicityObjection.id)],
                             count=select(PublicityObjection.id).where(*where),
                             first=first, after=after, cap=env.settings.max_page_size,
                             key_of=lambda row: (row.PublicityObjection.id,))


async def visible_objections(env: Env, ids: list[int]) -> dict[int, object]:
    """Objection rows by id, for the unit they were raised at only."""
    unit = env.viewer.unit if env.viewer else None
    if unit is None or not ids:
        return {}
    rows = (await env.session.execute(objection_select().where(
        PublicityObjection.id.in_(ids), PublicityObjection.unit_id == unit.id))).all()
    return {row.PublicityObjection.id: row for row in rows}


def has_ended(ends_at: datetime, now: datetime) -> bool:
    return now >= ends_at
