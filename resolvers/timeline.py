"""状态跟踪: the one way a workflow step moves a declaration and writes its timeline.

Every step (the applicant's, a unit's review, the set-based report) asks `transition` for
the next state, so `rules.declaration_states` is the only table of what may happen, and
its refusal becomes a typed error here and nowhere else.
"""

from __future__ import annotations

from models import Declaration, DeclarationEvent
from resolvers import feed
from resolvers.env import Env
from rules.declaration_states import DeclarationAction, DeclarationStatus, TransitionNotAllowed, next_state
from rules.errors import ErrorCode, RuleViolation

A, S = DeclarationAction, DeclarationStatus


def transition(declaration: Declaration, action: DeclarationAction) -> DeclarationStatus:
    """The state `action` leads to from the declaration's current one (nothing is changed).

    Refused: DECLARATION_LOCKED when the applicant tries to edit or confirm a declaration a
    unit has (the applicant's view of it), INVALID_STATE otherwise."""
    try:
        return next_state(declaration.status, action)
    except TransitionNotAllowed:
        if action in (A.EDIT, A.CONFIRM) and declaration.status is not S.DRAFT:
            raise RuleViolation(ErrorCode.DECLARATION_LOCKED) from None
        raise RuleViolation(ErrorCode.INVALID_STATE) from None


def actor_name(env: Env) -> str:
    """The caller as the timeline shows it: the person's, unit's, admin's or office's name."""
    viewer = env.require_viewer()
    profile = viewer.person or viewer.unit or viewer.admin or viewer.committee_office
    return profile.name if profile is not None else viewer.account.login_name


def append_event(
    env: Env, declaration: Declaration, action: DeclarationAction, from_status: DeclarationStatus | None,
    *, unit_id: int | None = None, reason: str | None = None,
) -> DeclarationEvent:
    """One timeline step (状态跟踪): who, which unit, what, why, when; and the change feed's
    row. The declaration's `updated_at` moves with it: HR systems follow declarations by
    `updatedSince`, so no step of the timeline may leave it behind."""
    now = env.clock.now()
    event = DeclarationEvent(
        declaration_id=declaration.id, action=action, from_status=from_status, to_status=declaration.status,
        actor_account_id=env.require_viewer().account.id, actor_name=actor_name(env),
        unit_id=unit_id, reason=reason, at=now,
    )
    declaration.updated_at = now
    env.session.add(event)
    feed.declaration_event(env, declaration, action, from_status, at=event.at)
    return event
