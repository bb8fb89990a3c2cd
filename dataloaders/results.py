"""Batch loads for the results stage: a declaration's certificate."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from strawberry.dataloader import DataLoader

from dataloaders.declarations import Read
from models import Certificate


def certificate_by_declaration(read: Read) -> DataLoader[int, Certificate | None]:
    """Each declaration's certificate (电子职称证书), None before confirmation or if not granted."""

    async def load(ids: Sequence[int]) -> list[Certificate | None]:
        async with read() as env:
            rows = await env.session.scalars(select(Certificate).where(Certificate.declaration_id.in_(ids)))
        found = {r.declaration_id: r for r in rows}
        return [found.get(i) for i in ids]

    return DataLoader(load_fn=load)
