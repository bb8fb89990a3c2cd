"""单位公示: a work unit publicises the declarations it approved before reporting them, and
anyone of the unit may object while it runs.

`unit_publicity` is one batch (the unit, when it started, how many working days, when it
ends); `unit_publicity_entry` is one declaration in it, tied to the approved review step at
its work unit (a returned and re-approved declaration has a new step, so it is publicised
again). `publicity_objection` is one objection and, once the unit decided, its outcome.

Publicity is not a declaration state: the declaration stays APPROVED throughout, and the
report reads these rows to refuse what has not been publicised long enough. What the list
pages filter and sort by (the unit, the end) is copied onto the entry, which never changes
after it is written except for `returned_at`.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, SmallInteger, String, text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, id_column, str_enum


class UnitPublicity(Base):
    __tablename__ = "unit_publicity"

    id: Mapped[int] = id_column()
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    started_at: Mapped[datetime]
    working_days: Mapped[int] = mapped_column(SmallInteger)
    # The last day of the publicity (Beijing date) and the moment it has ended (00:00 Beijing
    # the day after; `rules.workdays.publicity_end`).
    ends_on: Mapped[date] = mapped_column(Date)
    ends_at: Mapped[datetime]
    created_by_account_id: Mapped[int] = mapped_column(ForeignKey("account.id"))
    created_by_name: Mapped[str] = mapped_column(String(100))


class PublicityEntry(Base):
    __tablename__ = "unit_publicity_entry"
    __table_args__ = (
        # The publicity list of a unit: running ones (ends_at > now) by end, then entry order.
        Index("ix_unit_publicity_entry_list", "unit_id", "ends_at", "id"),
    )

    id: Mapped[int] = id_column()
    publicity_id: Mapped[int] = mapped_column(ForeignKey("unit_publicity.id"), index=True)
    # One publicity per approved step: the report joins the step to its entry.
    review_step_id: Mapped[int] = mapped_column(ForeignKey("review_step.id"), unique=True)
    declaration_id: Mapped[int] = mapped_column(ForeignKey("declaration.id"), index=True)
    # Copies of the batch's unit and end, for the list's index.
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    ends_at: Mapped[datetime]
    # An upheld objection returned the declaration to the applicant.
    returned_at: Mapped[datetime | None]


class ObjectionOutcome(str, enum.Enum):
    UPHELD = "UPHELD"  # 异议成立：申报退回申报人
    DISMISSED = "DISMISSED"  # 异议不成立
    SUPERSEDED = "SUPERSEDED"  # 同一申报的另一异议成立、申报已退回，随之结案


class PublicityObjection(Base):
    __tablename__ = "publicity_objection"
    __table_args__ = (
        # What blocks a report: open objections of an entry (a partial index stays tiny).
        Index("ix_publicity_objection_open", "entry_id", postgresql_where=text("outcome IS NULL")),
        # The unit's objection list, open ones and all.
        Index("ix_publicity_objection_unit", "unit_id", "id"),
        Index("ix_publicity_objection_unit_open", "unit_id", "id", postgresql_where=text("outcome IS NULL")),
    )

    id: Mapped[int] = id_column()
    entry_id: Mapped[int] = mapped_column(ForeignKey("unit_publicity_entry.id"), index=True)
    declaration_id: Mapped[int] = mapped_column(ForeignKey("declaration.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    # Who objected: shown to the unit that decides, never to the applicant.
    raised_by_account_id: Mapped[int] = mapped_column(ForeignKey("account.id"))
    raised_by_name: Mapped[str] = mapped_column(String(100))
    reason: Mapped[str] = mapped_column(String(500))
    raised_at: Mapped[datetime]
    outcome: Mapped[ObjectionOutcome | None] = mapped_column(str_enum(ObjectionOutcome, "objection_outcome"))
    resolution: Mapped[str | None] = mapped_column(String(500))
    resolved_by_account_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))
    resolved_by_name: Mapped[str | None] = mapped_column(String(100))
    resolved_at: Mapped[datetime | None]
