"""Reference data: regions (GB/T 2260) and the title catalogue (系列 → 级别 → 职称 → 专业).

The rows mirror `rules.catalog_data` and `rules.regions`; `resolvers.reference.sync_reference_data`
upserts them at start so foreign keys elsewhere can point at them.
"""

from __future__ import annotations

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, str_enum
from rules.catalog import TitleLevel


class Region(Base):
    __tablename__ = "region"

    code: Mapped[str] = mapped_column(String(6), primary_key=True)
    name: Mapped[str] = mapped_column(String(32))
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("region.code"))


class CatalogSeries(Base):
    __tablename__ = "catalog_series"

    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    position: Mapped[int] = mapped_column(Integer)


class CatalogTitle(Base):
    __tablename__ = "catalog_title"

    code: Mapped[str] = mapped_column(String(96), primary_key=True)
    series_code: Mapped[str] = mapped_column(ForeignKey("catalog_series.code"), index=True)
    level: Mapped[TitleLevel] = mapped_column(str_enum(TitleLevel, "title_level"))
    name: Mapped[str] = mapped_column(String(64))
    position: Mapped[int] = mapped_column(Integer)


class CatalogTitleSpecialty(Base):
    """The cascade's third step: which specialties a title offers (a title marked SERIES_WIDE
    in the rules has a row for every specialty of its series)."""

    __tablename__ = "catalog_title_specialty"

    title_code: Mapped[str] = mapped_column(ForeignKey("catalog_title.code"), primary_key=True)
    specialty_code: Mapped[str] = mapped_column(ForeignKey("catalog_specialty.code"), primary_key=True, index=True)


class CatalogSpecialty(Base):
    __tablename__ = "catalog_specialty"

    code: Mapped[str] = mapped_column(String(96), primary_key=True)
    series_code: Mapped[str] = mapped_column(ForeignKey("catalog_series.code"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    position: Mapped[int] = mapped_column(Integer)
