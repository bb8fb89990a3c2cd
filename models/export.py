"""批量导出: an export job's row (the worker fills the file under data_dir/exports)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, id_column, str_enum
from rules.exports import ExportFormat, ExportKind, ExportState


class Export(Base):
    __tablename__ = "export"
    __table_args__ = (
        # `exports`: the owner's, newest first; the expiry sweep: finished files by expiry.
        Index("ix_export_owner", "account_id", "id"),
        Index("ix_export_client_owner", "api_client_id", "id"),
        Index("ix_export_expiry", "expires_at", postgresql_where="state = 'SUCCEEDED'"),
        CheckConstraint("(account_id IS NULL) <> (api_client_id IS NULL)", name="one_owner"),
    )

    id: Mapped[int] = id_column()
    # The owner, an admin's account or an API client: only it sees the export and downloads
    # its file.
    account_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))
    api_client_id: Mapped[int | None] = mapped_column(ForeignKey("api_client.id"))
    # ID numbers written in full: the owner is a client with the identity scope (each download
    # of such a file is audited with the fields).
    full_identity: Mapped[bool] = mapped_column(default=False, server_default="false")
    # The region whose rows it holds (the admin's region, or a city of the province's).
    region_code: Mapped[str] = mapped_column(ForeignKey("region.code"))
    kind: Mapped[ExportKind] = mapped_column(str_enum(ExportKind, "export_kind"))
    format: Mapped[ExportFormat] = mapped_column(str_enum(ExportFormat, "export_format"))
    # The filter as given (year, states, updatedSince), re-read by the worker.
    filter: Mapped[dict[str, Any]] = mapped_column(JSONB)
    state: Mapped[ExportState] = mapped_column(str_enum(ExportState, "export_state"))
    rows_done: Mapped[int] = mapped_column(default=0, server_default="0")
    rows_total: Mapped[int | None]
    failure_reason: Mapped[str | None] = mapped_column(Text)
    file_name: Mapped[str] = mapped_column(String(200))
    file_size: Mapped[int | None]
    created_at: Mapped[datetime]
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    expires_at: Mapped[datetime | None]
