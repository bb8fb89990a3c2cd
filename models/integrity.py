"""职称诚信档案: persons who may not declare, why, and for which period."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, id_column, str_enum
from rules.integrity import IntegrityCategory


class IntegrityRecord(Base):
    """An entry recorded by a title-office admin: in force from `starts_on` through `ends_on`
    (Beijing dates, both included)."""

    __tablename__ = "integrity_record"
    __table_args__ = (
        # "Is this person listed today": the person's entries, latest end first.
        Index("ix_integrity_record_person", "person_id", "ends_on"),
        CheckConstraint("ends_on >= starts_on", name="period_order"),
    )

    id: Mapped[int] = id_column()
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    category: Mapped[IntegrityCategory] = mapped_column(str_enum(IntegrityCategory, "integrity_category"))
    reason: Mapped[str] = mapped_column(String(500))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    created_by_admin_id: Mapped[int] = mapped_column(ForeignKey("admin.id"))
    created_at: Mapped[datetime]
