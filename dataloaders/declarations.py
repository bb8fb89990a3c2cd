"""Batch loads of a declaration's children and the rows it points at: one statement per
kind of child per request, however many declarations a page holds."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any

from sqlalchemy import select
from strawberry.dataloader import DataLoader

from models import DeclarationEvent, DeclarationRecord, Material, Person, Unit

Read = Callable[[], AbstractAsyncContextManager[Any]]


def _children(read: Read, model, parent_column, order) -> DataLoader[int, list]:
    async def load(ids: Sequence[int]) -> list[list]:
        async with read() as env:
            rows = await env.session.scalars(select(model).where(parent_column.in_(ids)).order_by(*order))
        grouped: dict[int, list] = defaultdict(list)
        for row in rows:
            grouped[getattr(row, parent_column.key)].append(row)
        return [grouped.get(i, []) for i in ids]

    return DataLoader(load_fn=load)


def _by_id(read: Read, model) -> DataLoader[int, Any]:
    async def load(ids: Sequence[int]) -> list:
        async with read() as env:
            found = {row.id: row for row in await env.session.scalars(select(model).where(model.id.in_(ids)))}
        return [found.get(i) for i in ids]

    return DataLoader(load_fn=load)


def records_by_declaration(read: Read) -> DataLoader[int, list[DeclarationRecord]]:
    return _children(read, DeclarationRecord, DeclarationRecord.declaration_id, [DeclarationRecord.id])


def materials_by_declaration(read: Read) -> DataLoader[int, list[Material]]:
    return _children(read, Material, Material.declaration_id, [Material.id])


def events_by_declaration(read: Read) -> DataLoader[int, list[DeclarationEvent]]:
    return _children(read, DeclarationEvent, DeclarationEvent.declaration_id, [DeclarationEvent.id])


def units_by_id(read: Read) -> DataLoader[int, Unit | None]:
    """Units are public to logged-in callers; the parent object's access was checked."""
    return _by_id(read, Unit)


def persons_by_id(read: Read) -> DataLoader[int, Person | None]:
    """Applicants of declarations the caller may already see (masked by the schema)."""
    return _by_id(read, Person)
