"""数据审核 (手册 2.3): a unit's review queue, and passing or returning a declaration.

A declaration waits at one unit at a time: its open `review_step` (decision NULL). A
decision locks the declaration row first (every transition does, so a review, a report
and a withdrawal of one declaration are serialised), then checks state and actor.
Approval at the accepting unit of a committee for the declaration's series and level is
受理: the route ends there.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.sql.elements import ColumnElement

from core.errors import UnitNotPermitted
from models import Committee, Declaration, Person, ReviewStep, StepDecision, Unit
from resolvers import audit, records
from resolvers.committees import committee_for_accepting_unit
from resolvers.env import Env
from resolvers.paging import Page, SortKey, keyset_page
from resolvers.review_steps import was_routed_through
from resolvers.rows import RecordColumns
from resolvers.timeline import actor_name, append_event, transition
from resolvers.units import require_acting_unit_permitted
from rules.declaration_states import DeclarationAction, DeclarationStatus
from rules.errors import ErrorCode, RuleViolation
from rules.text import clean_reason

A, S = DeclarationAction, DeclarationStatus


class ReviewState(str, enum.Enum):
    """The review state of a step from its unit's point of view."""

    PENDING = "PENDING"  # 待审核
    APPROVED = "APPROVED"  # 审核通过
    REJECTED = "REJECTED"  # 审核不通过
    # --- corrections (issue 13) ---
    CORRECTION_REQUESTED = "CORRECTION_REQUESTED"  # 已一次性告知补正
    RETURNED_DOWN = "RETURNED_DOWN"  # 已退回下级单位


@dataclass
class QueueFilter:
    """None: not filtered on (an empty title code is None: QueueFilterInput.plain)."""

    year: Any = None
    level: Any = None
    title_code: Any = None


def require_reviewing_unit(env: Env) -> Unit:
    """The calling unit for unit-only lists: Forbidden for other accounts, UnitNotPermitted
    (a top-level error, as a query has no payload) for a unit without 职称申报权限."""
    unit = env.require_unit()
    if not unit.is_permitted:
        raise UnitNotPermitted()
    return unit


# --- the review decision -------------------------------------------------------------------


@dataclass
class ReviewResult:
    declaration: Declaration
    step: ReviewStep
    committee: Committee | None


async def lock_for_review(env: Env, unit: Unit, declaration_id: int) -> tuple[Declaration, ReviewStep]:
    """Lock the declaration, then find its step open at this unit.

    Never reached here: NOT_FOUND. Reached, but not waiting here (decided, withdrawn,
    reported on, or lost a race): INVALID_STATE."""
    declaration = await env.session.scalar(
        select(Declaration).where(Declaration.id == declaration_id)
        .with_for_update().execution_options(populate_existing=True)
    )
    if declaration is None or not await was_routed_through(env, unit.id, declaration_id):
        raise RuleViolation(ErrorCode.NOT_FOUND, "申报不存在或未报送本单位", "id")
    step = await env.session.scalar(
        select(ReviewStep).where(ReviewStep.declaration_id == declaration_id, ReviewStep.unit_id == unit.id,
                                 ReviewStep.decision.is_(None))
        .with_for_update().execution_options(populate_existing=True)
    )
    if step is None or declaration.status is not S.PENDING_REVIEW or declaration.current_unit_id != unit.id:
        raise RuleViolation(ErrorCode.INVALID_STATE, "该申报不在本单位待审核（可能已被处理或撤回）", "id")
    return declaration, step


def decide(env: Env, step: ReviewStep, decision: StepDecision, reason: str | None) -> None:
    viewer = env.require_viewer()
    step.decision, step.decided_at, step.reason = decision, env.clock.now(), reason
    step.reviewer_account_id, step.reviewer_name = viewer.account.id, actor_name(env)


async def review_declaration(env: Env, *, declaration_id: int, approve: bool, reason: str | None) -> ReviewResult:
    """审核: 通过 (or 受理 at a committee's accepting unit), or 不通过 with a reason, which
    returns the declaration to the applicant."""
    unit = require_acting_unit_permitted(env)
    reason = clean_reason(reason, required=not approve, required_message="审核不通过须填写原因，以便申报人查看修改")
    declaration, step = await lock_for_review(env, unit, declaration_id)
    before = declaration.status
    committee = None
    if not approve:
        action = A.REJECT
        decide(env, step, StepDecision.REJECTED, reason)
        declaration.current_unit_id, declaration.return_reason = None, reason
    else:
        committee = await committee_for_accepting_unit(env.session, unit.id, declaration.series_code,
                                                       declaration.level)
        action = A.ACCEPT if committee else A.APPROVE
        decide(env, step, StepDecision.APPROVED, reason)
        step.awaiting_report = committee is None
        if committee is not None:
            step.committee_id = committee.id
            declaration.committee_id, declaration.accepted_at = committee.id, env.clock.now()
    declaration.status = transition(declaration, action)
    declaration.updated_at = env.clock.now()
    append_event(env, declaration, action, before, unit_id=unit.id, reason=reason)
    await env.session.flush()
    env.note_audit("Declaration", declaration.id, reason=audit.decision_note(action.value, reason))
    return ReviewResult(declaration, step, committee)


# --- the review queue ----------------------------------------------------------------------

_STATE_PREDICATE = {
    ReviewState.PENDING: ReviewStep.decision.is_(None),
    ReviewState.APPROVED: ReviewStep.decision == StepDecision.APPROVED,
    ReviewState.REJECTED: ReviewStep.decision == StepDecision.REJECTED,
    ReviewState.CORRECTION_REQUESTED: ReviewStep.decision == StepDecision.CORRECTION_REQUESTED,
    ReviewState.RETURNED_DOWN: ReviewStep.decision == StepDecision.RETURNED_DOWN,
}


def queue_filter_conditions(f: QueueFilter) -> list[ColumnElement[bool]]:
    """The year / level / title filter both queues (review and report) share."""
    conditions = []
    if f.year is not None:
        conditions.append(ReviewStep.year == f.year)
    if f.level is not None:
        conditions.append(ReviewStep.level == f.level)
    if f.title_code is not None:
        conditions.append(ReviewStep.title_code == f.title_code)
    return conditions


#: A queue row, read as records (resolvers.rows): `.ReviewStep`, `.Declaration`, `.Person`,
#: `.Unit` and `.qualifications`.
QUEUE_ROW = RecordColumns(ReviewStep=ReviewStep, Declaration=Declaration, Person=Person, Unit=Unit,
                          qualifications=records.qualifications_column(Declaration.__table__.c.id))


# Built once: a statement is immutable, and coercing its 70 columns cost every page 0.2 ms.
_QUEUE_SELECT = (
    select(*QUEUE_ROW.columns)
    .select_from(ReviewStep)
    .join(Declaration, Declaration.id == ReviewStep.declaration_id)
    .join(Person, Person.id == Declaration.person_id)
    .join(Unit, Unit.id == ReviewStep.work_unit_id)
)


def queue_select():
    """A queue row: the step with its declaration, applicant, work unit and the declaration's
    qualifications, joined by primary key on the page's rows only (filtering and ordering
    use review_step alone). Read its rows with `QUEUE_ROW.read`."""
    return _QUEUE_SELECT


async def review_queue(env: Env, *, state: ReviewState, f: QueueFilter, first: int | None,
                       after: str | None) -> Page:
    """数据审核列表: what reached this unit, in one review state. Waiting ones oldest first
    (first come, first reviewed); decided ones newest first."""
    unit = require_reviewing_unit(env)
    where, keys = review_queue_rows(unit.id, state, f)
    return await keyset_page(env.session, queue_select().where(*where), keys,
                             count=select(ReviewStep.id).where(*where),
                             first=first, after=after, cap=env.settings.max_page_size,
                             read=QUEUE_ROW.read, key_of=lambda row: (row.ReviewStep.id,))


def review_queue_rows(unit_id: Any, state: ReviewState, f: QueueFilter) -> tuple[list[ColumnElement[bool]],
                                                                                list[SortKey]]:
    """Which review steps a unit's queue lists and in which order: the one definition both
    the standard path and compiled trusted documents (schema/compiler.py) page through.
    The unit's id and the filter's values may be bound parameters (the compiled plan)."""
    where = [ReviewStep.unit_id == unit_id, _STATE_PREDICATE[state], *queue_filter_conditions(f)]
    return where, [SortKey(ReviewStep.id, descending=state is not ReviewState.PENDING)]


async def visible_queue_rows(env: Env, step_ids: list[int]) -> dict[int, object]:
    """Queue rows (as in a queue page) by review-step id: only the steps of the caller's unit,
    and only while they are queue items — a step the applicant withdrew from is in no queue."""
    unit = env.viewer.unit if env.viewer else None
    if unit is None or not step_ids:
        return {}
    rows = (await (await env.session.connection()).execute(
        queue_select().where(ReviewStep.id.in_(step_ids), ReviewStep.unit_id == unit.id,
                             ReviewStep.decision.is_distinct_from(StepDecision.WITHDRAWN)))).all()
    return {row.ReviewStep.id: row for row in map(QUEUE_ROW.read, rows)}
