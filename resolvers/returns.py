"""A unit returns a declaration waiting for it, other than by a plain rejection:

- 一次性告知补正 (`request_correction`): to the applicant, with every item to correct and a
  deadline; the applicant's re-confirmation comes back to this unit (resolvers.corrections).
- 按原报送渠道退回 (`return_declaration`): down to the unit that reported it here, with a
  reason; that unit has it in its review queue again and may pass and report it again,
  reject it, send a notice, or return it further down.

Both lock the declaration and find its step open at this unit exactly as a review does
(`resolvers.review.lock_for_review`), so of a review, a report, a withdrawal and either of
these on one declaration exactly one wins; the others get INVALID_STATE.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from models import QUEUE_COPY_COLUMNS, CorrectionNotice, Declaration, ReviewStep, StepDecision, Unit
from resolvers import audit
from resolvers.corrections import today
from resolvers.env import Env
from resolvers.review import decide, lock_for_review
from resolvers.timeline import append_event, transition
from resolvers.units import require_acting_unit_permitted
from rules import corrections as rules
from rules.corrections import CorrectionItem
from rules.declaration_states import DeclarationAction
from rules.errors import ErrorCode, RuleViolation
from rules.text import clean_reason

A = DeclarationAction


@dataclass
class CorrectionResult:
    declaration: Declaration
    notice: CorrectionNotice


async def request_correction(env: Env, *, declaration_id: int, items: list[CorrectionItem],
                             deadline: date) -> CorrectionResult:
    """一次性告知补正: every item at once, and the last day to resubmit."""
    unit = require_acting_unit_permitted(env)
    items = rules.check_items(items)
    rules.check_deadline(deadline, today(env), env.settings.correction_max_days)
    declaration, step = await lock_for_review(env, unit, declaration_id)
    before = declaration.status
    after = transition(declaration, A.REQUEST_CORRECTION)
    summary = rules.summary(items, deadline)
    decide(env, step, StepDecision.CORRECTION_REQUESTED, rules.step_note(len(items), deadline))
    now = env.clock.now()
    notice = CorrectionNotice(
        declaration_id=declaration.id, unit_id=unit.id, step_id=step.id, round=step.round,
        items=[{"target": i.target.value, "message": i.message} for i in items], deadline=deadline,
        created_at=now, created_by_account_id=env.require_viewer().account.id)
    env.session.add(notice)
    declaration.status, declaration.current_unit_id, declaration.updated_at = after, None, now
    declaration.return_reason, declaration.correction_deadline = summary, deadline
    append_event(env, declaration, A.REQUEST_CORRECTION, before, unit_id=unit.id, reason=summary)
    await env.session.flush()
    env.note_audit("Declaration", declaration.id,
                   reason=audit.decision_note(A.REQUEST_CORRECTION.value, rules.step_note(len(items), deadline)))
    return CorrectionResult(declaration, notice)


@dataclass
class ReturnResult:
    declaration: Declaration
    to_unit: Unit


async def reporting_step(env: Env, step: ReviewStep) -> ReviewStep:
    """The step at the unit that reported the declaration to `step`'s unit, in its round."""
    reported = await env.session.scalar(
        select(ReviewStep).where(ReviewStep.declaration_id == step.declaration_id,
                                 ReviewStep.unit_id == step.from_unit_id, ReviewStep.round == step.round)
        .order_by(ReviewStep.id.desc()).limit(1))
    if reported is None:  # every step with a from_unit_id was opened by that unit's report
        raise LookupError(f"review step {step.id} has no reporting step at unit {step.from_unit_id}")
    return reported


async def return_declaration(env: Env, *, declaration_id: int, reason: str | None) -> ReturnResult:
    """按原报送渠道退回: to the unit that reported it here, which reviews it again."""
    unit = require_acting_unit_permitted(env)
    reason = clean_reason(reason, required=True, required_message="退回下级单位须填写原因")
    declaration, step = await lock_for_review(env, unit, declaration_id)
    if step.from_unit_id is None:
        raise RuleViolation(ErrorCode.CANNOT_RETURN_DOWN, field="id")
    lower = await env.referenced(Unit, step.from_unit_id)
    if not lower.is_permitted:
        raise RuleViolation(ErrorCode.UNIT_NOT_PERMITTED,
                            f"下级单位“{lower.name}”已无职称申报权限，不能退回；请审核不通过或一次性告知补正", "id")
    reported = await reporting_step(env, step)
    before = declaration.status
    after = transition(declaration, A.RETURN_DOWN)
    decide(env, step, StepDecision.RETURNED_DOWN, reason)
    await env.session.flush()  # the open step closes before the lower unit's opens (one open step)
    now = env.clock.now()
    env.session.add(ReviewStep(
        declaration_id=declaration.id, unit_id=lower.id, round=step.round, arrived_at=now,
        from_unit_id=reported.from_unit_id, **{c: getattr(reported, c) for c in QUEUE_COPY_COLUMNS}))
    declaration.status, declaration.current_unit_id, declaration.updated_at = after, lower.id, now
    append_event(env, declaration, A.RETURN_DOWN, before, unit_id=unit.id, reason=f"退回{lower.name}：{reason}")
    await env.session.flush()
    env.note_audit("Declaration", declaration.id, reason=audit.decision_note(A.RETURN_DOWN.value, reason))
    return ReturnResult(declaration, lower)
