"""受理审查: the committee office checks each declaration its committee accepted.

Passing it (CHECKED) makes it a candidate for the committee's next review session. An
incomplete one gets the one-time correction notice of the unit stage (resolvers.returns,
rules.corrections): the same items, deadline and 视为放弃, but the applicant's answer comes
back to the committee (RESUBMIT_TO_COMMITTEE → ACCEPTED). An out-of-scope one goes back
down the route (RETURN_DOWN) to the unit that reported it to the accepting unit, which
reviews it again; it leaves the committee. The office's list (`committee_queue`) is every
declaration of its committee in one state, ACCEPTED (to check) by default.

All three lock the declaration row, so of two offices (or an office and an applicant) at
once exactly one acts and the other finds the state changed (INVALID_STATE).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from models import QUEUE_COPY_COLUMNS, Committee, CommitteeOffice, CorrectionNotice, Declaration, ReviewStep, Unit
from resolvers import audit
from resolvers.corrections import today
from resolvers.env import Env
from resolvers.paging import Page, SortKey, keyset_page
from resolvers.returns import CorrectionResult, reporting_step
from resolvers.timeline import append_event, transition
from rules import corrections as correction_rules
from rules.catalog import TitleLevel
from rules.corrections import CorrectionItem
from rules.declaration_states import DeclarationAction, DeclarationStatus
from rules.errors import ErrorCode, RuleViolation
from rules.text import clean_reason

A, S = DeclarationAction, DeclarationStatus


async def office_committee(env: Env) -> tuple[CommitteeOffice, Committee]:
    office = env.require_committee_office()
    return office, await env.referenced(Committee, office.committee_id)


async def lock_committee_declaration(env: Env, declaration_id: int, field: str = "id") -> Declaration:
    """The declaration, locked, when the route brought it to the caller's committee; another
    committee's (or none) answers as unknown."""
    office = env.require_committee_office()
    declaration = await env.session.scalar(
        select(Declaration).where(Declaration.id == declaration_id)
        .with_for_update().execution_options(populate_existing=True))
    if declaration is None or declaration.committee_id != office.committee_id:
        raise RuleViolation(ErrorCode.NOT_FOUND, "申报不存在或未由本评审委员会受理", field)
    return declaration


async def check_declaration(env: Env, *, declaration_id: int) -> Declaration:
    """受理审查通过: ACCEPTED → CHECKED. Two offices at once: the row lock orders them and the
    second finds CHECKED (INVALID_STATE)."""
    _, committee = await office_committee(env)
    declaration = await lock_committee_declaration(env, declaration_id)
    before = declaration.status
    declaration.status = transition(declaration, A.CHECK)
    declaration.updated_at = env.clock.now()
    append_event(env, declaration, A.CHECK, before, reason="受理审查通过")
    await env.session.flush()
    env.note_audit("Declaration", declaration.id, region_code=committee.region_code)
    return declaration


async def _accepting_step(env: Env, declaration: Declaration) -> ReviewStep:
    """The review step at which the committee's accepting unit accepted it (受理)."""
    step = await env.session.scalar(
        select(ReviewStep).where(ReviewStep.declaration_id == declaration.id,
                                 ReviewStep.committee_id == declaration.committee_id)
        .order_by(ReviewStep.id.desc()).limit(1))
    if step is None:  # ACCEPT always records its committee on the step
        raise LookupError(f"declaration {declaration.id} is accepted but has no accepting step")
    return step


async def request_committee_correction(env: Env, *, declaration_id: int, items: list[CorrectionItem],
                                       deadline: date) -> CorrectionResult:
    """受理审查 一次性告知补正: every item at once and the last day; the answer returns here."""
    _, committee = await office_committee(env)
    items = correction_rules.check_items(items)
    correction_rules.check_deadline(deadline, today(env), env.settings.correction_max_days)
    declaration = await lock_committee_declaration(env, declaration_id)
    before = declaration.status
    after = transition(declaration, A.REQUEST_CORRECTION)
    step = await _accepting_step(env, declaration)
    now = env.clock.now()
    notice = CorrectionNotice(
        declaration_id=declaration.id, unit_id=step.unit_id, step_id=step.id, round=step.round,
        committee_id=committee.id, items=[{"target": i.target.value, "message": i.message} for i in items],
        deadline=deadline, created_at=now, created_by_account_id=env.require_viewer().account.id)
    env.session.add(notice)
    summary = correction_rules.summary(items, deadline)
    declaration.status, declaration.current_unit_id, declaration.updated_at = after, None, now
    declaration.return_reason, declaration.correction_deadline = summary, deadline
    append_event(env, declaration, A.REQUEST_CORRECTION, before, reason=summary)
    await env.session.flush()
    env.note_audit("Declaration", declaration.id, region_code=committee.region_code, reason=audit.decision_note(
        A.REQUEST_CORRECTION.value, correction_rules.step_note(len(items), deadline)))
    return CorrectionResult(declaration, notice)


@dataclass
class CommitteeReturn:
    declaration: Declaration
    to_unit: Unit


async def return_from_committee(env: Env, *, declaration_id: int, reason: str | None) -> CommitteeReturn:
    """按原报送渠道退回 at the formal check: to the unit that reported it to the accepting
    unit, which has it in its review queue again (a new step of the same round)."""
    _, committee = await office_committee(env)
    reason = clean_reason(reason, required=True, required_message="退回须填写原因")
    declaration = await lock_committee_declaration(env, declaration_id)
    before = declaration.status
    after = transition(declaration, A.RETURN_DOWN)
    step = await _accepting_step(env, declaration)
    if step.from_unit_id is None:  # the work unit is the accepting unit: nobody below it
        raise RuleViolation(ErrorCode.CANNOT_RETURN_DOWN, field="id")
    lower = await env.referenced(Unit, step.from_unit_id)
    if not lower.is_permitted:
        raise RuleViolation(ErrorCode.UNIT_NOT_PERMITTED, f"下级单位“{lower.name}”已无职称申报权限，不能退回", "id")
    reported = await reporting_step(env, step)
    now = env.clock.now()
    env.session.add(ReviewStep(
        declaration_id=declaration.id, unit_id=lower.id, round=step.round, arrived_at=now,
        from_unit_id=reported.from_unit_id, **{c: getattr(reported, c) for c in QUEUE_COPY_COLUMNS}))
    declaration.status, declaration.current_unit_id, declaration.updated_at = after, lower.id, now
    declaration.committee_id, declaration.accepted_at = None, None  # it has left the committee
    append_event(env, declaration, A.RETURN_DOWN, before, reason=f"退回{lower.name}：{reason}")
    await env.session.flush()
    env.note_audit("Declaration", declaration.id, region_code=committee.region_code,
                   reason=audit.decision_note(A.RETURN_DOWN.value, reason))
    return CommitteeReturn(declaration, lower)


async def committee_queue(env: Env, *, status: DeclarationStatus, year: int | None, level: TitleLevel | None,
                          first: int | None, after: str | None) -> Page:
    """The committee's declarations in `status` (an office's work list), by acceptance."""
    office = env.require_committee_office()
    stmt = select(Declaration).where(Declaration.committee_id == office.committee_id,
                                     Declaration.status == status)
    if year is not None:
        stmt = stmt.where(Declaration.year == year)
    if level is not None:
        stmt = stmt.where(Declaration.level == level)
    keys = [SortKey(Declaration.accepted_at), SortKey(Declaration.id)]
    return await keyset_page(env.session, stmt, keys, first=first, after=after, cap=env.settings.max_page_size)
