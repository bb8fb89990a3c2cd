"""Review steps as the declaration workflow sees them: where a confirmed declaration
arrives (its work unit), what a withdrawal closes, and which units it has reached.

Kept apart from `resolvers.review` so `resolvers.declarations` can use it without
importing the review workflow, which builds on declarations.
"""

from __future__ import annotations

from sqlalchemy import exists, select

from models import QUEUE_COPY_COLUMNS, Declaration, Person, ReviewStep, StepDecision, Unit
from resolvers.env import Env
from rules import catalog

#: The copies that are not the declaration's own attribute of the same name.
_DERIVED_COPIES = {
    "level_rank": lambda d, person, unit: catalog.LEVEL_RANK_HIGHEST_FIRST[d.level],
    "title_name": lambda d, person, unit: catalog.title_name(d.title_code) or d.title_code,
    "applicant_name": lambda d, person, unit: person.name,
    "work_unit_name": lambda d, person, unit: unit.name,
}


def queue_copies(declaration: Declaration, person: Person, work_unit: Unit) -> dict:
    """The step's QUEUE_COPY_COLUMNS for a declaration confirmed to `work_unit`."""
    return {column: _DERIVED_COPIES[column](declaration, person, work_unit) if column in _DERIVED_COPIES
            else getattr(declaration, column) for column in QUEUE_COPY_COLUMNS}


async def open_first_step(env: Env, declaration: Declaration, person: Person, work_unit: Unit) -> ReviewStep:
    """确认申报 sends the declaration to its work unit: round n+1 starts there."""
    last_round = await env.session.scalar(
        select(ReviewStep.round).where(ReviewStep.declaration_id == declaration.id)
        .order_by(ReviewStep.id.desc()).limit(1)
    )
    step = ReviewStep(
        declaration_id=declaration.id, unit_id=work_unit.id, round=(last_round or 0) + 1,
        arrived_at=declaration.confirmed_at, **queue_copies(declaration, person, work_unit),
    )
    env.session.add(step)
    return step


async def close_open_step_on_withdraw(env: Env, declaration_id: int) -> None:
    """撤回 before any unit acted: the open step is closed as WITHDRAWN (its unit keeps
    seeing that it was there; its queues no longer list it)."""
    step = await env.session.scalar(
        select(ReviewStep).where(ReviewStep.declaration_id == declaration_id, ReviewStep.decision.is_(None))
        .with_for_update()
    )
    if step is not None:
        step.decision, step.decided_at = StepDecision.WITHDRAWN, env.clock.now()


async def was_routed_through(env: Env, unit_id: int, declaration_id: int) -> bool:
    return bool(await env.session.scalar(select(exists().where(
        ReviewStep.declaration_id == declaration_id, ReviewStep.unit_id == unit_id))))
