"""评审 (issue 14): the committee office, the expert pool, review sessions, their drawn
panels, opinions, attendance and the secret ballot.

Secrecy of the ballot (无记名投票) is a property of these tables, not of the code that reads
them: who has voted (`ballot_voter`) and what was voted (`ballot`) share no column, no
sequence and no timestamp. A ballot is keyed by an HMAC, under a key kept outside the
database (`rules.ballot`), of (session, candidate, expert), so the expert's client can
replace its own vote and nobody holding only the database can follow the key back to an
expert; the choice itself is sealed under the same key, so rows written in one transaction
(the same `xmin`) reveal nothing before the close. At the close the ballots are counted
into `session_candidate` and deleted.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    LargeBinary,
    SmallInteger,
    String,
    Text,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, id_column, str_enum
from rules.catalog import TitleLevel


class CommitteeOffice(Base):
    """评委会办事机构: an account bound to one committee, which runs its committee stage."""

    __tablename__ = "committee_office"

    id: Mapped[int] = id_column()
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), unique=True)
    committee_id: Mapped[int] = mapped_column(ForeignKey("committee.id"), index=True)
    name: Mapped[str] = mapped_column(String(50))
    created_at: Mapped[datetime]
    created_by_account_id: Mapped[int] = mapped_column(ForeignKey("account.id"))


class ExpertStatus(str, enum.Enum):
    ACTIVE = "ACTIVE"  # 在库
    SUSPENDED = "SUSPENDED"  # 暂停
    RETIRED = "RETIRED"  # 退出（任期内终止）


class Expert(Base):
    """评审专家: one term (聘期, at most 3 years) of a person in a committee's pool. A new term
    is a new row; the earlier ones stay (`current` false) as the record of past terms."""

    __tablename__ = "expert"
    __table_args__ = (
        Index("uq_expert_current", "committee_id", "person_id", unique=True, postgresql_where=text("current")),
        # The draw's candidates: a committee's active experts of one series.
        Index("ix_expert_pool", "committee_id", "series_code", "status", "current"),
        CheckConstraint("term_end > term_start", name="term_order"),
    )

    id: Mapped[int] = id_column()
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    committee_id: Mapped[int] = mapped_column(ForeignKey("committee.id"))
    series_code: Mapped[str] = mapped_column(ForeignKey("catalog_series.code"))
    specialty_codes: Mapped[list[str]] = mapped_column(ARRAY(String(64)))
    held_level: Mapped[TitleLevel] = mapped_column(str_enum(TitleLevel, "title_level"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    term_start: Mapped[date] = mapped_column(Date)
    term_end: Mapped[date] = mapped_column(Date)  # the last day of the term
    status: Mapped[ExpertStatus] = mapped_column(str_enum(ExpertStatus, "expert_status"))
    status_reason: Mapped[str | None] = mapped_column(Text)
    current: Mapped[bool] = mapped_column(Boolean, default=True, server_default="true")
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class ExpertConflict(Base):
    """回避: an expert's declared conflict of interest with one candidate (a declaration). By
    person, not by term: a conflict does not end with a term."""

    __tablename__ = "expert_conflict"
    __table_args__ = (Index("uq_expert_conflict", "declaration_id", "person_id", unique=True),)

    id: Mapped[int] = id_column()
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    declaration_id: Mapped[int] = mapped_column(ForeignKey("declaration.id"))
    committee_id: Mapped[int] = mapped_column(ForeignKey("committee.id"))
    reason: Mapped[str] = mapped_column(Text)
    declared_at: Mapped[datetime]
    declared_by_account_id: Mapped[int] = mapped_column(ForeignKey("account.id"))


class SessionState(str, enum.Enum):
    CREATED = "CREATED"  # 已建立（待抽取专家）
    PANEL_DRAWN = "PANEL_DRAWN"  # 已抽取评审专家（评议、签到）
    VOTING = "VOTING"  # 投票中（到会人数已达三分之二）
    CLOSED = "CLOSED"  # 已闭票计票


class ReviewSession(Base):
    """评审会议: one sitting of a committee for (year, series, level) with its candidates."""

    __tablename__ = "review_session"
    __table_args__ = (
        Index("ix_review_session_committee", "committee_id", "year", "id"),
        CheckConstraint("panel_size % 2 = 1 AND panel_size >= 3", name="panel_size_odd"),
    )

    id: Mapped[int] = id_column()
    committee_id: Mapped[int] = mapped_column(ForeignKey("committee.id"))
    name: Mapped[str] = mapped_column(String(100))
    year: Mapped[int]
    series_code: Mapped[str] = mapped_column(ForeignKey("catalog_series.code"))
    level: Mapped[TitleLevel] = mapped_column(str_enum(TitleLevel, "title_level"))
    meeting_on: Mapped[date] = mapped_column(Date)
    panel_size: Mapped[int] = mapped_column(SmallInteger)
    state: Mapped[SessionState] = mapped_column(str_enum(SessionState, "session_state"))
    created_at: Mapped[datetime]
    created_by_account_id: Mapped[int] = mapped_column(ForeignKey("account.id"))
    # The draw (抽取): a random seed recorded with what it was drawn from, so anyone shown
    # them can re-run `rules.panel_draw.draw` and get the same panel.
    draw_seed: Mapped[bytes | None] = mapped_column(LargeBinary(32))
    eligible_count: Mapped[int | None]
    drawn_at: Mapped[datetime | None]
    attendance_recorded_at: Mapped[datetime | None]
    present_count: Mapped[int | None] = mapped_column(SmallInteger)
    closed_at: Mapped[datetime | None]


class SessionCandidate(Base):
    """A declaration judged in a session, with its tally once the ballot is closed."""

    __tablename__ = "session_candidate"
    __table_args__ = (
        # A declaration is in at most one session (IN_REVIEW and after).
        Index("uq_session_candidate_declaration", "declaration_id", unique=True),
        Index("ix_session_candidate_session", "session_id", "id"),
    )

    id: Mapped[int] = id_column()
    session_id: Mapped[int] = mapped_column(ForeignKey("review_session.id"))
    declaration_id: Mapped[int] = mapped_column(ForeignKey("declaration.id"))
    # Copied when scheduled: recusal by unit needs it for every panel member.
    work_unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    group_no: Mapped[int | None] = mapped_column(SmallInteger)  # 评议组, set by the draw
    # 计票 at the close: experts present and not recused for this candidate, and their votes.
    present: Mapped[int | None] = mapped_column(SmallInteger)
    agree: Mapped[int | None] = mapped_column(SmallInteger)
    disagree: Mapped[int | None] = mapped_column(SmallInteger)
    abstain: Mapped[int | None] = mapped_column(SmallInteger)
    passed: Mapped[bool | None]
    tallied_at: Mapped[datetime | None]


class PanelMember(Base):
    """An expert drawn for a session (评审专家组成员); confidential (专家名单保密)."""

    __tablename__ = "panel_member"
    __table_args__ = (
        Index("uq_panel_member_person", "session_id", "person_id", unique=True),
        Index("ix_panel_member_person", "person_id"),
    )

    id: Mapped[int] = id_column()
    session_id: Mapped[int] = mapped_column(ForeignKey("review_session.id"))
    expert_id: Mapped[int] = mapped_column(ForeignKey("expert.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    draw_position: Mapped[int] = mapped_column(SmallInteger)  # order drawn, from 1
    group_no: Mapped[int] = mapped_column(SmallInteger)
    present: Mapped[bool | None]  # 签到: NULL until attendance is recorded


class PanelRecusal(Base):
    """回避 in a session: this member does not vote on (nor write the opinion of) this
    candidate — same unit as the candidate, or a declared conflict. Fixed by the draw."""

    __tablename__ = "panel_recusal"
    __table_args__ = (Index("uq_panel_recusal", "candidate_id", "member_id", unique=True),)

    id: Mapped[int] = id_column()
    session_id: Mapped[int] = mapped_column(ForeignKey("review_session.id"), index=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("session_candidate.id"))
    member_id: Mapped[int] = mapped_column(ForeignKey("panel_member.id"))
    reason: Mapped[str] = mapped_column(String(16))  # SAME_UNIT | CONFLICT


class Opinion(Base):
    """评议意见: the opinion of a candidate's group (评议组), written by one of its members
    before the vote; rewritten, it keeps one row."""

    __tablename__ = "opinion"
    __table_args__ = (Index("uq_opinion_candidate", "candidate_id", unique=True),)

    id: Mapped[int] = id_column()
    candidate_id: Mapped[int] = mapped_column(ForeignKey("session_candidate.id"))
    member_id: Mapped[int] = mapped_column(ForeignKey("panel_member.id"))
    text: Mapped[str] = mapped_column(Text)
    submitted_at: Mapped[datetime]


class BallotVoter(Base):
    """Who has voted in a session: a member, and nothing of what or when."""

    __tablename__ = "ballot_voter"

    session_id: Mapped[int] = mapped_column(ForeignKey("review_session.id"), primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("panel_member.id"), primary_key=True)


class Ballot(Base):
    """What was voted, one row per (candidate, voter) with no trace of the voter: `ballot_key`
    is an HMAC and `seal` the choice sealed under the ballot key (`rules.ballot`). No id, no time."""

    __tablename__ = "ballot"

    candidate_id: Mapped[int] = mapped_column(ForeignKey("session_candidate.id"), primary_key=True)
    ballot_key: Mapped[bytes] = mapped_column(LargeBinary(32), primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("review_session.id"), index=True)
    nonce: Mapped[bytes] = mapped_column(LargeBinary(16))
    seal: Mapped[bytes] = mapped_column(LargeBinary(33))
