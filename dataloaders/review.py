"""Batch loads for review and reporting: a declaration's decisions, committees by id."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.sql.elements import ColumnElement
from strawberry.dataloader import DataLoader

from dataloaders.declarations import Read, _by_id
from models import Committee, ReportingPath, ReviewStep, StepDecision


def decisions_by_declaration(read: Read) -> DataLoader[int, list[ReviewStep]]:
    """Each declaration's decided review steps (its ReviewDecisions: passed, rejected, returned
    with a correction notice or down the route), oldest first; withdrawals are no decision."""

    async def load(ids: Sequence[int]) -> list[list[ReviewStep]]:
        async with read() as env:
            rows = await env.session.scalars(
                select(ReviewStep)
                .where(ReviewStep.declaration_id.in_(ids), decided_step(ReviewStep.__table__))
                .order_by(ReviewStep.id)
            )
        grouped: dict[int, list[ReviewStep]] = {i: [] for i in ids}
        for row in rows:
            grouped[row.declaration_id].append(row)
        return [grouped[i] for i in ids]

    return DataLoader(load_fn=load)


def decided_step(step: Any) -> ColumnElement[bool]:
    """A review step (of the review_step table or an alias of it) that records a unit's
    decision: the one definition of the loader above and of compiled trusted documents."""
    return and_(step.c.decision.is_not(None), step.c.decision != StepDecision.WITHDRAWN)


def committees_by_id(read: Read) -> DataLoader[int, Committee | None]:
    return _by_id(read, Committee)


def reporting_paths_by_id(read: Read) -> DataLoader[int, ReportingPath | None]:
    """Paths by id, unchecked: the caller applies the routes' visibility rule."""
    return _by_id(read, ReportingPath)
