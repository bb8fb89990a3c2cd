"""Keep the database copy of regions and the catalogue equal to the rules' data."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, tuple_
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from models import CatalogSeries, CatalogSpecialty, CatalogTitle, Region
from models.reference import CatalogTitleSpecialty
from rules.catalog import default_catalog
from rules.regions import REGIONS


async def _upsert(session: AsyncSession, model, rows: list[dict], key: str = "code") -> None:
    if not rows:
        return
    stmt = insert(model).values(rows)
    updates = {c: stmt.excluded[c] for c in rows[0] if c != key}
    await session.execute(stmt.on_conflict_do_update(index_elements=[key], set_=updates))


async def sync_reference_data(session: AsyncSession) -> None:
    """Idempotent upsert. Catalogue rows are never deleted: old declarations keep pointing at
    them. The title → specialty links are replaced (nothing points at a link)."""
    # Parents before children so the self-reference holds.
    regions = sorted(REGIONS, key=lambda r: r.parent is not None)
    await _upsert(session, Region, [{"code": r.code, "name": r.name, "parent_code": r.parent} for r in regions])
    catalog = default_catalog()
    await _upsert(
        session, CatalogSeries, [{"code": s.code, "name": s.name, "position": i} for i, s in enumerate(catalog)]
    )
    titles: list[dict[str, Any]] = []
    specialties: list[dict[str, Any]] = []
    for series in catalog:
        for level in series.levels:
            for t in level.titles:
                titles.append(
                    {"code": t.code, "series_code": series.code, "level": level.level, "name": t.name,
                     "position": len(titles)}
                )
        for s in series.specialties:
            specialties.append(
                {"code": s.code, "series_code": series.code, "name": s.name, "position": len(specialties)}
            )
    await _upsert(session, CatalogTitle, titles)
    await _upsert(session, CatalogSpecialty, specialties)
    await _sync_title_specialties(session, [
        (t.code, sp.code) for s in catalog for lv in s.levels for t in lv.titles for sp in s.specialties_of(t)
    ])


async def _sync_title_specialties(session: AsyncSession, links: list[tuple[str, str]]) -> None:
    """The links are the rules' current cascade exactly: nothing points at a link, so one a
    title no longer offers is deleted (a declaration keeps its title and specialty rows)."""
    link = CatalogTitleSpecialty
    await session.execute(insert(link).values(
        [{"title_code": t, "specialty_code": s} for t, s in links]
    ).on_conflict_do_nothing())
    await session.execute(delete(link).where(tuple_(link.title_code, link.specialty_code).not_in(links)))
