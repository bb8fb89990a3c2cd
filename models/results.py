"""评审结果 (issue 14, steps 6–8): results publicity, its objections, confirmation by the title
office, electronic certificates and their numbering.

`results_publicity` is one session's publicity (at most one: unique on the session) and,
once the title office confirmed the results, who confirmed them and when: a session is
confirmed once. `results_publicity_entry` is one passed candidate on the public list; what
the list shows (name, unit, title, specialty, the ID number already masked) is copied when
the publicity starts, so the public page reads one table and shows what was publicised
even if a name changes later. An upheld objection withdraws the entry (`withdrawn_at`).

`certificate` copies everything the certificate shows (`rules.certificates.CertificateView`):
the PDF and public verification read this row only, and a certificate never changes after
it is issued except for its revocation. Numbers come from `certificate_sequence`, one row
per (region, year, level) advanced by one UPDATE for a whole confirmation.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, SmallInteger, String, text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, id_column, str_enum
from models.publicity import ObjectionOutcome
from rules.catalog import TitleLevel


class ResultsPublicity(Base):
    __tablename__ = "results_publicity"

    id: Mapped[int] = id_column()
    session_id: Mapped[int] = mapped_column(ForeignKey("review_session.id"), unique=True)
    committee_id: Mapped[int] = mapped_column(ForeignKey("committee.id"), index=True)
    started_at: Mapped[datetime]
    working_days: Mapped[int] = mapped_column(SmallInteger)
    # The last day (Beijing date) and the moment it has ended (rules.workdays.publicity_end).
    ends_on: Mapped[date] = mapped_column(Date)
    ends_at: Mapped[datetime]
    created_by_account_id: Mapped[int] = mapped_column(ForeignKey("account.id"))
    created_by_name: Mapped[str] = mapped_column(String(100))
    # 确认: the title office confirmed the session's results (certificates were issued).
    confirmed_at: Mapped[datetime | None]
    confirmed_by_admin_id: Mapped[int | None] = mapped_column(ForeignKey("admin.id"))
    granted_count: Mapped[int | None] = mapped_column(Integer)
    not_passed_count: Mapped[int | None] = mapped_column(Integer)


class ResultsPublicityEntry(Base):
    __tablename__ = "results_publicity_entry"
    __table_args__ = (
        # The public list of one publicity, in entry order (keyset).
        Index("ix_results_publicity_entry_list", "publicity_id", "id"),
    )

    id: Mapped[int] = id_column()
    publicity_id: Mapped[int] = mapped_column(ForeignKey("results_publicity.id"))
    declaration_id: Mapped[int] = mapped_column(ForeignKey("declaration.id"), unique=True)
    holder_name: Mapped[str] = mapped_column(String(50))
    masked_id_number: Mapped[str] = mapped_column(String(18))
    unit_name: Mapped[str] = mapped_column(String(100))
    series_name: Mapped[str] = mapped_column(String(100))
    title_name: Mapped[str] = mapped_column(String(100))
    specialty_name: Mapped[str] = mapped_column(String(100))
    level: Mapped[TitleLevel] = mapped_column(str_enum(TitleLevel, "title_level"))
    # An upheld objection withdrew the result (PASSED → NOT_PASSED), with the office's reason.
    withdrawn_at: Mapped[datetime | None]
    withdrawn_reason: Mapped[str | None] = mapped_column(String(500))


class ResultObjection(Base):
    """An objection to a publicised result (评审结果公示异议) and the office's decision."""

    __tablename__ = "result_objection"
    __table_args__ = (
        # What blocks a confirmation: a publicity's open objections.
        Index("ix_result_objection_open", "publicity_id", postgresql_where=text("outcome IS NULL")),
        Index("ix_result_objection_publicity", "publicity_id", "id"),
    )

    id: Mapped[int] = id_column()
    publicity_id: Mapped[int] = mapped_column(ForeignKey("results_publicity.id"))
    entry_id: Mapped[int] = mapped_column(ForeignKey("results_publicity_entry.id"), index=True)
    declaration_id: Mapped[int] = mapped_column(ForeignKey("declaration.id"), index=True)
    # Who objected: shown to the office that decides, never to the candidate.
    raised_by_account_id: Mapped[int] = mapped_column(ForeignKey("account.id"))
    raised_by_name: Mapped[str] = mapped_column(String(100))
    reason: Mapped[str] = mapped_column(String(500))
    raised_at: Mapped[datetime]
    outcome: Mapped[ObjectionOutcome | None] = mapped_column(str_enum(ObjectionOutcome, "objection_outcome"))
    resolution: Mapped[str | None] = mapped_column(String(500))
    resolved_by_account_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))
    resolved_by_name: Mapped[str | None] = mapped_column(String(100))
    resolved_at: Mapped[datetime | None]


class Certificate(Base):
    """电子职称证书: issued at confirmation to a passed candidate; what it shows is copied."""

    __tablename__ = "certificate"

    id: Mapped[int] = id_column()
    number: Mapped[str] = mapped_column(String(19), unique=True)
    declaration_id: Mapped[int] = mapped_column(ForeignKey("declaration.id"), unique=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    publicity_id: Mapped[int] = mapped_column(ForeignKey("results_publicity.id"), index=True)
    region_code: Mapped[str] = mapped_column(String(6))
    year: Mapped[int] = mapped_column(SmallInteger)
    level: Mapped[TitleLevel] = mapped_column(str_enum(TitleLevel, "title_level"))
    holder_name: Mapped[str] = mapped_column(String(50))
    masked_id_number: Mapped[str] = mapped_column(String(18))
    series_name: Mapped[str] = mapped_column(String(100))
    level_name: Mapped[str] = mapped_column(String(16))
    title_name: Mapped[str] = mapped_column(String(100))
    specialty_name: Mapped[str] = mapped_column(String(100))
    committee_name: Mapped[str] = mapped_column(String(100))
    issued_by: Mapped[str] = mapped_column(String(100))
    issued_on: Mapped[date] = mapped_column(Date)
    issued_at: Mapped[datetime]
    # 撤销: by the title office, with its reason (never shown by verification).
    revoked_at: Mapped[datetime | None]
    revoked_by_admin_id: Mapped[int | None] = mapped_column(ForeignKey("admin.id"))
    revoke_reason: Mapped[str | None] = mapped_column(String(500))


class CertificateSequence(Base):
    """The last sequence number used for certificates of a region, year and level."""

    __tablename__ = "certificate_sequence"

    region_code: Mapped[str] = mapped_column(String(6), primary_key=True)
    year: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    level: Mapped[TitleLevel] = mapped_column(str_enum(TitleLevel, "title_level"), primary_key=True)
    last: Mapped[int] = mapped_column(Integer)
