"""职称申报: a declaration, its categorised records, proof materials and timeline events."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, id_column, str_enum
from rules.catalog import TitleLevel
from rules.declaration_states import DeclarationAction, DeclarationStatus
from rules.records import EducationLevel, RecordCategory


class DeclarationMethod(str, enum.Enum):
    NORMAL = "NORMAL"  # 正常晋升
    EXCEPTIONAL = "EXCEPTIONAL"  # 破格
    SERIES_CHANGE = "SERIES_CHANGE"  # 改系列


class Declaration(Base):
    __tablename__ = "declaration"
    __table_args__ = (
        # One declaration per person and year. Every declaration stays live (withdrawing
        # returns it to DRAFT), so the index is total; the next issue may add a terminal
        # state and narrow it with a WHERE.
        Index("uq_declaration_person_year", "person_id", "year", unique=True),
        # The review queue of a unit: what sits with it, by state, year and level.
        Index("ix_declaration_queue", "current_unit_id", "status", "year", "level"),
        # The title office's and HR systems' list (`declarations`), paged by (updated_at, id).
        Index("ix_declaration_updated_at_id", "updated_at", "id"),
        CheckConstraint(
            "(method = 'EXCEPTIONAL') = (exceptional_reason IS NOT NULL)", name="exceptional_reason_with_method"
        ),
        CheckConstraint(
            "(method = 'SERIES_CHANGE') = (former_series_code IS NOT NULL)", name="former_series_with_method"
        ),
        # 破格条件 only with 破格. Not "at least one with 破格": declarations saved before the
        # conditions existed have none; the API requires one on every save and at 确认申报.
        CheckConstraint(
            "method = 'EXCEPTIONAL' OR cardinality(exceptional_condition_codes) = 0",
            name="exceptional_conditions_with_method",
        ),
    )

    id: Mapped[int] = id_column()
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    year: Mapped[int] = mapped_column(ForeignKey("declaration_year.year"))
    series_code: Mapped[str] = mapped_column(ForeignKey("catalog_series.code"))
    level: Mapped[TitleLevel] = mapped_column(str_enum(TitleLevel, "title_level"))
    title_code: Mapped[str] = mapped_column(ForeignKey("catalog_title.code"))
    specialty_code: Mapped[str] = mapped_column(ForeignKey("catalog_specialty.code"))
    method: Mapped[DeclarationMethod] = mapped_column(str_enum(DeclarationMethod, "declaration_method"))
    exceptional_reason: Mapped[str | None] = mapped_column(Text)
    # 破格条件 chosen from `rules.catalog_data.EXCEPTIONAL_CONDITIONS` (codes; the detail is
    # exceptional_reason). An array, not a link table: it loads with the row on every page.
    exceptional_condition_codes: Mapped[list[str]] = mapped_column(
        ARRAY(String(64)), default=list, server_default="{}"
    )
    former_series_code: Mapped[str | None] = mapped_column(ForeignKey("catalog_series.code"))
    work_unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    # Where the declaration sits now (the unit that must act); None while with the applicant.
    current_unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    status: Mapped[DeclarationStatus] = mapped_column(str_enum(DeclarationStatus, "declaration_status"))
    # Personal details a review needs; optional while drafting, required to confirm.
    education_level: Mapped[EducationLevel | None] = mapped_column(str_enum(EducationLevel, "education_level"))
    current_title: Mapped[str | None] = mapped_column(String(100))
    current_title_obtained_on: Mapped[date | None] = mapped_column(Date)
    years_in_specialty: Mapped[int | None] = mapped_column(Integer)
    phone: Mapped[str | None] = mapped_column(String(20))
    # The reason of the last return (审核不通过), shown to the applicant.
    return_reason: Mapped[str | None] = mapped_column(Text)
    # The last day to answer the open correction notice (一次性告知补正), NULL when none is
    # open: with it every reader judges RETURNED-past-deadline as ABANDONED without a join
    # (rules.corrections.effective_status).
    correction_deadline: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    confirmed_at: Mapped[datetime | None]
    # 受理: the committee whose accepting unit approved it last, ending the route.
    committee_id: Mapped[int | None] = mapped_column(ForeignKey("committee.id"))
    accepted_at: Mapped[datetime | None]


class DeclarationRecord(Base):
    """分类录入: one record of one category; its fields are a JSON payload whose schema is
    `rules.records` (one table keeps add/edit/delete, materials and loading uniform)."""

    __tablename__ = "declaration_record"

    id: Mapped[int] = id_column()
    declaration_id: Mapped[int] = mapped_column(ForeignKey("declaration.id"), index=True)
    category: Mapped[RecordCategory] = mapped_column(str_enum(RecordCategory, "record_category"))
    payload: Mapped[dict[str, Any]] = mapped_column(JSONB)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class Material(Base):
    """上传证明材料: a file stored by content hash, on the declaration or one of its records."""

    __tablename__ = "material"
    __table_args__ = (CheckConstraint("size > 0", name="size_positive"),)

    id: Mapped[int] = id_column()
    declaration_id: Mapped[int] = mapped_column(ForeignKey("declaration.id"), index=True)
    record_id: Mapped[int | None] = mapped_column(ForeignKey("declaration_record.id"), index=True)
    file_name: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(64))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[datetime]


class DeclarationEvent(Base):
    """状态跟踪: one step of the declaration's life, appended by every transition."""

    __tablename__ = "declaration_event"
    __table_args__ = (Index("ix_declaration_event_declaration_id", "declaration_id", "id"),)

    id: Mapped[int] = id_column()
    declaration_id: Mapped[int] = mapped_column(ForeignKey("declaration.id"))
    action: Mapped[DeclarationAction] = mapped_column(str_enum(DeclarationAction, "declaration_action"))
    from_status: Mapped[DeclarationStatus | None] = mapped_column(
        str_enum(DeclarationStatus, "event_from_status")
    )
    to_status: Mapped[DeclarationStatus] = mapped_column(str_enum(DeclarationStatus, "event_to_status"))
    # NULL for the system's own steps (a correction deadline passing: actor_name 系统).
    actor_account_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))
    # Snapshot of who acted, as the timeline must show it even if names change later.
    actor_name: Mapped[str] = mapped_column(String(100))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    reason: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime]
