"""Keep the database copy of regions equal to the rules' data.

The catalogue is not synced any more: since migration 0012 (which loaded the list) it is
data the province admin maintains (`resolvers.catalog`), and a sync at start would undo their
changes.
"""

from __future__ import annotations

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from models import Region
from rules.regions import REGIONS


async def _upsert(session: AsyncSession, model, rows: list[dict], key: str = "code") -> None:
    if not rows:
        return
    stmt = insert(model).values(rows)
    updates = {c: stmt.excluded[c] for c in rows[0] if c != key}
    await session.execute(stmt.on_conflict_do_update(index_elements=[key], set_=updates))


async def sync_reference_data(session: AsyncSession) -> None:
    """Idempotent upsert of the regions (GB/T 2260)."""
    # Parents before children so the self-reference holds.
    regions = sorted(REGIONS, key=lambda r: r.parent is not None)
    await _upsert(session, Region, [{"code": r.code, "name": r.name, "parent_code": r.parent} for r in regions])
