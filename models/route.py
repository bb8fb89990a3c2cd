"""路径申请 (2.5) and 评审委员会: where each unit reports, per (series, level), up to a committee."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String, Text, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, id_column, str_enum
from rules.catalog import TitleLevel


class PathStatus(str, enum.Enum):
    PENDING = "PENDING"  # 待审核
    APPROVED = "APPROVED"  # 已生效
    REJECTED = "REJECTED"  # 审核不通过
    REPLACED = "REPLACED"  # 被新批准的路径取代
    REVOKED = "REVOKED"  # 被任一方撤销


class ReportingPath(Base):
    """One application of `unit` to report (series, level) to `target_unit`."""

    __tablename__ = "reporting_path"
    __table_args__ = (
        # The data goes up one unique route: at most one path in effect per (unit, series, level) …
        Index(
            "uq_reporting_path_effective", "unit_id", "series_code", "level",
            unique=True, postgresql_where=text("status = 'APPROVED'"),
        ),
        # … and at most one waiting for an answer.
        Index(
            "uq_reporting_path_pending", "unit_id", "series_code", "level",
            unique=True, postgresql_where=text("status = 'PENDING'"),
        ),
        # Route walking and cycle checks follow effective paths by (series, level, unit).
        Index("ix_reporting_path_target", "target_unit_id", "status"),
    )

    id: Mapped[int] = id_column()
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    target_unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    series_code: Mapped[str] = mapped_column(ForeignKey("catalog_series.code"))
    level: Mapped[TitleLevel] = mapped_column(str_enum(TitleLevel, "title_level"))
    status: Mapped[PathStatus] = mapped_column(str_enum(PathStatus, "path_status"))
    created_at: Mapped[datetime]
    decided_at: Mapped[datetime | None]
    reason: Mapped[str | None] = mapped_column(Text)  # rejection or revocation reason
    replaced_by_id: Mapped[int | None] = mapped_column(ForeignKey("reporting_path.id"))
    ended_at: Mapped[datetime | None]  # replaced or revoked
    ended_by_unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))


class Committee(Base):
    """评审委员会: judges one series at some levels for a region; routes end at its 受理单位."""

    __tablename__ = "committee"

    id: Mapped[int] = id_column()
    name: Mapped[str] = mapped_column(String(100))
    series_code: Mapped[str] = mapped_column(ForeignKey("catalog_series.code"))
    levels: Mapped[list[str]] = mapped_column(ARRAY(String(32)))
    region_code: Mapped[str] = mapped_column(ForeignKey("region.code"))
    accepting_unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="true")
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
