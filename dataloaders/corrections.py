"""Batch loads for correction notices: one statement per request, however many declarations."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import distinct_on
from strawberry.dataloader import DataLoader

from dataloaders.declarations import Read
from models import CorrectionNotice


def latest_notice_by_declaration(read: Read) -> DataLoader[int, CorrectionNotice | None]:
    """Each declaration's most recent correction notice (open or not), None when it never had one."""

    async def load(ids: Sequence[int]) -> list[CorrectionNotice | None]:
        async with read() as env:
            rows = await env.session.scalars(
                select(CorrectionNotice).ext(distinct_on(CorrectionNotice.declaration_id))
                .where(CorrectionNotice.declaration_id.in_(ids))
                .order_by(CorrectionNotice.declaration_id, CorrectionNotice.id.desc()))
            found = {row.declaration_id: row for row in rows}
        return [found.get(i) for i in ids]

    return DataLoader(load_fn=load)
