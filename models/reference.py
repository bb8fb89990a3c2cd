"""Reference data: regions (GB/T 2260) and the title catalogue (系列 → 级别 → 职称 → 专业).

Regions mirror `rules.regions` (`resolvers.reference.sync_reference_data` upserts them at
start). The catalogue is the source of truth since migration 0012 (which loaded the list):
the province admin adds and retires entries (`resolvers.catalog`); codes and names never
change and rows are never deleted, so every declaration keeps resolving its names. A series
has a level exactly when it has a title at that level: there is no level table.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, SmallInteger, String, func
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, str_enum
from rules.catalog import TitleLevel


class Region(Base):
    __tablename__ = "region"

    code: Mapped[str] = mapped_column(String(6), primary_key=True)
    name: Mapped[str] = mapped_column(String(32))
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("region.code"))


class CatalogEntry:
    """What every catalogue row has: when it was added and, once retired, when (NULL: active)."""

    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    retired_at: Mapped[datetime | None] = mapped_column(default=None)


class CatalogSeries(CatalogEntry, Base):
    __tablename__ = "catalog_series"

    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    position: Mapped[int] = mapped_column(Integer)


class CatalogTitle(CatalogEntry, Base):
    __tablename__ = "catalog_title"

    code: Mapped[str] = mapped_column(String(96), primary_key=True)
    series_code: Mapped[str] = mapped_column(ForeignKey("catalog_series.code"), index=True)
    level: Mapped[TitleLevel] = mapped_column(str_enum(TitleLevel, "title_level"))
    name: Mapped[str] = mapped_column(String(64))
    position: Mapped[int] = mapped_column(Integer)
    # The title offers every specialty of its series, those added later too (rules.catalog's
    # SERIES_WIDE); otherwise exactly its rows in catalog_title_specialty.
    series_wide: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")


class CatalogTitleSpecialty(Base):
    """The cascade's third step: which specialties a title offers, for titles that are not
    `series_wide` (those offer their series' whole list and have no rows here)."""

    __tablename__ = "catalog_title_specialty"

    title_code: Mapped[str] = mapped_column(ForeignKey("catalog_title.code"), primary_key=True)
    specialty_code: Mapped[str] = mapped_column(ForeignKey("catalog_specialty.code"), primary_key=True, index=True)


class CatalogSpecialty(CatalogEntry, Base):
    __tablename__ = "catalog_specialty"

    code: Mapped[str] = mapped_column(String(96), primary_key=True)
    series_code: Mapped[str] = mapped_column(ForeignKey("catalog_series.code"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    position: Mapped[int] = mapped_column(Integer)


class CatalogVersion(Base):
    """One row counting the catalogue's changes. Every change bumps it in its transaction
    (which also serialises changes: the row stays locked until commit); each worker polls it
    and reloads its in-memory catalogue when it moved."""

    __tablename__ = "catalog_version"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    version: Mapped[int] = mapped_column()
    changed_at: Mapped[datetime] = mapped_column(server_default=func.now())
