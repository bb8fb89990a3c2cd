"""一次性告知补正 from the applicant's side: what an open notice lets them edit, where their
re-confirmation goes, and the deadline that makes the declaration 视为放弃.

No job runs at the deadline. A RETURNED declaration whose notice's last day has passed *is*
ABANDONED for every reader (`rules.corrections.effective_status` over the row's
`correction_deadline`), and every applicant step on it, under the declaration's row lock,
first stores that (`settle_deadline`): the status, the notice's outcome and a timeline
event by 系统 dated at the moment the deadline passed. The lock and the one date rule
decide a re-confirmation racing the deadline: whichever holds the lock judges by the same
clock, so exactly one outcome is written.

The unit's side (sending a notice) is `resolvers.returns`, which builds on the review
workflow; this module is kept below `resolvers.declarations`, which calls it.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from core.clock import china_today
from models import (
    QUEUE_COPY_COLUMNS,
    CorrectionNotice,
    Declaration,
    DeclarationEvent,
    NoticeOutcome,
    ReviewStep,
)
from resolvers import feed
from resolvers.env import Env
from resolvers.timeline import transition
from resolvers.units import require_permitted_unit
from rules import corrections as rules
from rules.corrections import CorrectionItem, CorrectionTarget
from rules.declaration_states import DeclarationAction, DeclarationStatus
from rules.errors import ErrorCode, RecordedFailure, RuleViolation, raise_all
from rules.records import RecordCategory

A, S = DeclarationAction, DeclarationStatus

#: The timeline's actor for what happens without anyone acting.
SYSTEM_ACTOR = "系统"


def today(env: Env) -> date:
    return china_today(env.clock)


def items_of(notice: CorrectionNotice) -> list[CorrectionItem]:
    return [CorrectionItem(CorrectionTarget(i["target"]), i["message"]) for i in notice.items]


async def latest_notice(env: Env, declaration_id: int) -> CorrectionNotice | None:
    return await env.session.scalar(
        select(CorrectionNotice).where(CorrectionNotice.declaration_id == declaration_id)
        .order_by(CorrectionNotice.id.desc()).limit(1))


async def open_notice(env: Env, declaration: Declaration) -> CorrectionNotice | None:
    """The notice the declaration is returned under, if any (its row is locked by the caller)."""
    if declaration.correction_deadline is None:  # no notice open: no query
        return None
    notice = await env.session.scalar(
        select(CorrectionNotice).where(CorrectionNotice.declaration_id == declaration.id,
                                       CorrectionNotice.resolved_at.is_(None)))
    if notice is None:  # the row's copy and the notice are written together
        raise LookupError(f"declaration {declaration.id} has a correction deadline but no open notice")
    return notice


async def _abandon(env: Env, declaration: Declaration) -> None:
    deadline = declaration.correction_deadline
    assert deadline is not None
    notice = await open_notice(env, declaration)
    assert notice is not None
    passed = rules.expired_at(deadline)
    before = declaration.status
    declaration.status = transition(declaration, A.ABANDON)
    declaration.correction_deadline = None
    declaration.updated_at = env.clock.now()
    notice.resolved_at, notice.outcome = passed, NoticeOutcome.ABANDONED
    env.session.add(DeclarationEvent(
        declaration_id=declaration.id, action=A.ABANDON, from_status=before, to_status=declaration.status,
        actor_account_id=None, actor_name=SYSTEM_ACTOR, unit_id=notice.unit_id,
        reason=rules.abandoned_reason(deadline), at=passed))
    feed.declaration_event(env, declaration, A.ABANDON, before, at=passed)
    await env.session.flush()


async def settle_deadline(env: Env, declaration: Declaration) -> None:
    """Before any applicant step on a locked declaration: refuse it once 视为放弃.

    A deadline that has passed but was not yet stored is stored now, and the refusal is a
    RecordedFailure so that this bookkeeping commits while the step itself changes nothing."""
    if declaration.status is S.ABANDONED:
        raise RuleViolation(ErrorCode.CORRECTION_DEADLINE_PASSED, "本年度申报已视为放弃，不能再修改或提交")
    deadline = declaration.correction_deadline
    if declaration.status is S.RETURNED and deadline is not None and rules.has_expired(deadline, today(env)):
        await _abandon(env, declaration)
        raise RecordedFailure(ErrorCode.CORRECTION_DEADLINE_PASSED, rules.deadline_passed_message(deadline))


async def check_record_edit(env: Env, declaration: Declaration, category: RecordCategory, field: str) -> None:
    """Under an open notice, records only of a category it names may be added, changed or deleted."""
    notice = await open_notice(env, declaration)
    if notice is not None and (refused := rules.record_edit_refused(
            [i.target for i in items_of(notice)], category, field)):
        raise refused


async def check_field_edits(env: Env, declaration: Declaration, values: dict[str, object]) -> None:
    """Under an open notice, only the basic-information fields it names may change (every
    other one must come back as it is); all refusals at once."""
    notice = await open_notice(env, declaration)
    if notice is None:
        return
    changed = [name for name, value in values.items() if getattr(declaration, name) != value]
    raise_all(rules.field_changes_refused([i.target for i in items_of(notice)], changed))


def resubmit_action(notice: CorrectionNotice | None) -> DeclarationAction:
    """What the applicant's 确认申报 is: a first (or post-rejection) confirmation, or the
    answer to a unit's notice or to a committee's."""
    if notice is None:
        return A.CONFIRM
    return A.RESUBMIT if notice.committee_id is None else A.RESUBMIT_TO_COMMITTEE


def resubmit_to_committee(env: Env, declaration: Declaration, notice: CorrectionNotice) -> None:
    """补正后重新确认 under a committee's notice: back to the committee's formal check
    (ACCEPTED at its accepting unit); no unit reviews it again."""
    notice.resolved_at, notice.outcome = env.clock.now(), NoticeOutcome.RESUBMITTED
    declaration.correction_deadline = None
    declaration.current_unit_id = notice.unit_id


async def resubmit(env: Env, declaration: Declaration, notice: CorrectionNotice) -> ReviewStep:
    """补正后重新确认: review reopens at the unit that sent the notice, in the same round,
    as a new arrival (with the closed step's route: who had reported it there)."""
    unit = await require_permitted_unit(env, notice.unit_id, "id")
    closed = await env.referenced(ReviewStep, notice.step_id)
    now = env.clock.now()
    copies = {column: getattr(closed, column) for column in QUEUE_COPY_COLUMNS}
    copies["confirmed_at"] = declaration.confirmed_at
    step = ReviewStep(declaration_id=declaration.id, unit_id=unit.id, round=notice.round, arrived_at=now,
                      from_unit_id=closed.from_unit_id, **copies)
    env.session.add(step)
    notice.resolved_at, notice.outcome = now, NoticeOutcome.RESUBMITTED
    declaration.correction_deadline = None
    return step
