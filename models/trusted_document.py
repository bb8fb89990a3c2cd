"""可信文档 (persisted queries): GraphQL documents registered in advance, keyed by the
SHA-256 of their text (rules.trusted_documents)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CHAR, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, str_enum
from rules.trusted_documents import DocumentSource


class TrustedDocument(Base):
    """One registered document. Its text never changes (the id is its hash); retiring it
    keeps the row, so an id once trusted is never silently another text."""

    __tablename__ = "trusted_document"

    id: Mapped[str] = mapped_column(CHAR(64), primary_key=True)  # sha256 hex of `text`
    text: Mapped[str] = mapped_column(Text)
    name: Mapped[str | None] = mapped_column(String(200))
    source: Mapped[DocumentSource] = mapped_column(str_enum(DocumentSource, "document_source"))
    added_by: Mapped[int | None] = mapped_column(ForeignKey("account.id"))  # NULL: the command line
    added_at: Mapped[datetime]
    retired_at: Mapped[datetime | None]
