"""一次性告知补正: a unit's notice to correct, returned to the applicant with a deadline."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, id_column, str_enum


class NoticeOutcome(str, enum.Enum):
    RESUBMITTED = "RESUBMITTED"  # 已补正并重新确认
    ABANDONED = "ABANDONED"  # 期限已过，视为放弃


class CorrectionNotice(Base):
    """One notice: every item to correct (`items`: [{target, message}], rules.corrections),
    the last day to resubmit, and the unit (and its review step) the resubmission goes back to.

    Open while `resolved_at` is NULL, at most one per declaration. The declaration row
    carries the open notice's deadline (`declaration.correction_deadline`) so that its
    status can be judged where it is read without a join; both are written together by
    `resolvers.returns` and `resolvers.corrections` only."""

    __tablename__ = "correction_notice"
    __table_args__ = (
        Index("uq_correction_notice_open", "declaration_id", unique=True, postgresql_where=text("resolved_at IS NULL")),
        Index("ix_correction_notice_declaration", "declaration_id", "id"),
        CheckConstraint("(resolved_at IS NULL) = (outcome IS NULL)", name="resolved_with_outcome"),
    )

    id: Mapped[int] = id_column()
    declaration_id: Mapped[int] = mapped_column(ForeignKey("declaration.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    # The review step it closed: the resubmission reopens review at that unit in that round.
    step_id: Mapped[int] = mapped_column(ForeignKey("review_step.id"))
    round: Mapped[int] = mapped_column(Integer)
    items: Mapped[list[dict[str, Any]]] = mapped_column(JSONB)
    deadline: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime]
    created_by_account_id: Mapped[int] = mapped_column(ForeignKey("account.id"))
    # Sent by a committee's office at its formal check (受理审查): the resubmission goes back
    # to the committee (ACCEPTED, RESUBMIT_TO_COMMITTEE), not to a unit's review. `unit_id`
    # and `step_id` are then its accepting unit and the step that accepted it.
    committee_id: Mapped[int | None] = mapped_column(ForeignKey("committee.id"))
    resolved_at: Mapped[datetime | None]
    outcome: Mapped[NoticeOutcome | None] = mapped_column(str_enum(NoticeOutcome, "notice_outcome"))
