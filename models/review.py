"""数据审核 / 数据上报: one `review_step` row each time a declaration arrives at a unit.

The row is the unit's point of view of the declaration: waiting for it (decision NULL),
passed (APPROVED) or returned (REJECTED); once passed, whether it still waits to be
reported up (`awaiting_report`). It also records who decided, why and when (the
ReviewDecision) and where the declaration went next.

What the two queues filter and sort by is copied onto the row when it is created
(year, level, title, applicant, work unit, 申报时间): each queue page is one keyset scan
of one index below, with no join needed to filter or order. The copies cannot go stale:
after 确认申报 a declaration is locked, and a returned one starts a new round of rows.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, SmallInteger, String, text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, id_column, str_enum
from rules.catalog import TitleLevel


class StepDecision(str, enum.Enum):
    APPROVED = "APPROVED"  # 审核通过
    REJECTED = "REJECTED"  # 审核不通过（退回申报人）
    WITHDRAWN = "WITHDRAWN"  # 申报人在单位处理前撤回
    # --- corrections (issue 13) ---
    CORRECTION_REQUESTED = "CORRECTION_REQUESTED"  # 一次性告知补正（退回申报人，限期补正后回到本单位）
    RETURNED_DOWN = "RETURNED_DOWN"  # 按原报送渠道退回下级单位


#: The columns copied onto every step when it is created, for the queues to filter and
#: sort by (see above). The one list: the ORM constructor (`review_steps.open_first_step`)
#: and the report's INSERT … SELECT (`reporting`) are both built from it. `level_rank` is
#: `rules.catalog.LEVEL_RANK_HIGHEST_FIRST` (正高级 1 … 员级 5).
QUEUE_COPY_COLUMNS: tuple[str, ...] = (
    "year", "series_code", "level", "level_rank", "title_code", "title_name", "applicant_name",
    "work_unit_id", "work_unit_name", "confirmed_at",
)

_REPORTABLE = text("awaiting_report")


def _report_index(name: str, *columns: str) -> Index:
    """One index per sort order of the report queue, over the (small) awaiting set only."""
    return Index(name, "unit_id", "year", *columns, "id", postgresql_where=_REPORTABLE)


class ReviewStep(Base):
    __tablename__ = "review_step"
    __table_args__ = (
        # reviewQueue: this unit's rows in one review state, filtered by year/level/title, by arrival …
        Index("ix_review_step_review_queue", "unit_id", "decision", "year", "level", "title_code", "id"),
        # … and unfiltered, in arrival order straight from the index (without it a sparse unit's
        # page walks the primary key backwards through every other unit's rows).
        Index("ix_review_step_unit_state", "unit_id", "decision", "id"),
        # reportQueue, one per ReportQueueSort: the filter's equalities (year, level, title)
        # lead, the sort column follows. Sorting by level or title is only meaningful when
        # they are not filtered, so those two lead with the year alone.
        _report_index("ix_review_step_report_confirmed", "level", "title_code", "confirmed_at"),
        _report_index("ix_review_step_report_applicant", "level", "title_code", "applicant_name"),
        _report_index("ix_review_step_report_work_unit", "level", "title_code", "work_unit_name"),
        _report_index("ix_review_step_report_level", "level_rank"),
        _report_index("ix_review_step_report_title", "title_name"),
        # reportQueue's optional 单位名称 (contains) filter.
        Index("ix_review_step_work_unit_name_trgm", "work_unit_name", postgresql_using="gin",
              postgresql_ops={"work_unit_name": "gin_trgm_ops"}, postgresql_where=_REPORTABLE),
        # A declaration's decisions and "was it ever routed through this unit".
        Index("ix_review_step_declaration", "declaration_id", "unit_id"),
        # At most one open (undecided) step per declaration: the state machine's PENDING_REVIEW.
        Index("uq_review_step_open", "declaration_id", unique=True, postgresql_where=text("decision IS NULL")),
    )

    id: Mapped[int] = id_column()
    declaration_id: Mapped[int] = mapped_column(ForeignKey("declaration.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    # Which 确认申报 this step belongs to (a rejection starts round + 1 at the work unit).
    round: Mapped[int] = mapped_column(Integer)
    arrived_at: Mapped[datetime]
    # The unit that reported it here; NULL at the work unit (it came from the applicant).
    from_unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    decision: Mapped[StepDecision | None] = mapped_column(str_enum(StepDecision, "step_decision"))
    decided_at: Mapped[datetime | None]
    reviewer_account_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))
    reviewer_name: Mapped[str | None] = mapped_column(String(100))
    reason: Mapped[str | None] = mapped_column(String(500))
    # Passed here and not yet sent up (false again once reported, and for an acceptance).
    awaiting_report: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    reported_at: Mapped[datetime | None]
    reported_to_unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    # The committee that accepted it here (受理), when this unit is its accepting unit.
    committee_id: Mapped[int | None] = mapped_column(ForeignKey("committee.id"))
    # Copies of what the queues filter and sort by.
    year: Mapped[int] = mapped_column(Integer)
    series_code: Mapped[str] = mapped_column(String(64))
    level: Mapped[TitleLevel] = mapped_column(str_enum(TitleLevel, "title_level"))
    level_rank: Mapped[int] = mapped_column(SmallInteger)  # rules.catalog.LEVEL_RANK_HIGHEST_FIRST
    title_code: Mapped[str] = mapped_column(String(96))
    title_name: Mapped[str] = mapped_column(String(100))
    applicant_name: Mapped[str] = mapped_column(String(50))
    work_unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    work_unit_name: Mapped[str] = mapped_column(String(100))
    confirmed_at: Mapped[datetime]
