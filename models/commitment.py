"""承诺书: the commitment letter's versions, who agreed to which, and the open 申报年度."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, id_column


class CommitmentLetter(Base):
    """One version of the letter's text; the highest version is the current one."""

    __tablename__ = "commitment_letter"

    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    title: Mapped[str] = mapped_column(String(100))
    text: Mapped[str] = mapped_column(Text)
    published_at: Mapped[datetime]


class CommitmentAcceptance(Base):
    """"我同意": a person agreed to one version at one time."""

    __tablename__ = "commitment_acceptance"
    __table_args__ = (UniqueConstraint("person_id", "version", name="uq_commitment_acceptance_person_version"),)

    id: Mapped[int] = id_column()
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    version: Mapped[int] = mapped_column(ForeignKey("commitment_letter.version"))
    accepted_at: Mapped[datetime]


class DeclarationYear(Base):
    """申报年度 the title office has opened; declarations may be created only while open."""

    __tablename__ = "declaration_year"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    is_open: Mapped[bool] = mapped_column(Boolean)
    changed_at: Mapped[datetime]
    changed_by_account_id: Mapped[int] = mapped_column(ForeignKey("account.id"))
