"""The append-only audit log (操作日志): every unit and admin action and every login.

The database refuses UPDATE, DELETE and (unless `zhicheng.allow_truncate` is on) TRUNCATE
(triggers in migration 0002). Each row carries the SHA-256 of the previous row's hash and
its own content, so a row changed behind the triggers' back breaks the chain
(`zhicheng verify-audit`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, id_column


class AuditEntry(Base):
    __tablename__ = "audit_entry"
    __table_args__ = (Index("ix_audit_entry_region_id", "region_code", "id"),)

    id: Mapped[int] = id_column()
    at: Mapped[datetime]
    request_id: Mapped[str] = mapped_column(String(64))
    account_id: Mapped[int | None]  # no FK: the log outlives whatever it mentions
    account_kind: Mapped[str | None] = mapped_column(String(16))
    login_name: Mapped[str | None] = mapped_column(String(64))
    unit_id: Mapped[int | None]
    admin_id: Mapped[int | None]
    region_code: Mapped[str | None] = mapped_column(String(6))  # whose admins may read the row
    action: Mapped[str] = mapped_column(String(64))
    object_type: Mapped[str | None] = mapped_column(String(32))
    object_id: Mapped[int | None]
    success: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str | None] = mapped_column(Text)
    # The source address of a login attempt (IPv6 text is at most 45 characters).
    client_address: Mapped[str | None] = mapped_column(String(64))
    prev_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    hash: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
