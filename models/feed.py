"""变更事件 (the change feed): every workflow event HR systems follow, in the order they may read it.

One table is both the feed (`events(after:)`) and the webhooks' outbox: a row is written in
the transaction of the step that caused it, so it exists iff the step committed.

Why `txid`: ids are drawn at insert but rows become visible at commit, so a reader ordering
by id alone can see id 11 before id 10 commits and skip 10 for ever. Each row carries its
writing transaction's id (xid8, never wraps); a reader only reads transactions older than
the oldest one still running (`pg_snapshot_xmin`), whose rows can no longer change, ordered
by (txid, id). See resolvers/feed.py.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Index, String, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql.base import ischema_names
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import UserDefinedType

from models.base import Base, id_column


class Xid8(UserDefinedType[int]):
    """PostgreSQL's 64-bit transaction id (asyncpg reads and writes it as an int)."""

    cache_ok = True

    def get_col_spec(self, **kw: Any) -> str:
        return "xid8"


# Reflection (Alembic's drift check) knows the column's type by this name.
ischema_names["xid8"] = Xid8


class FeedEvent(Base):
    __tablename__ = "feed_event"
    __table_args__ = (
        # The feed's order, for the province and for the webhook dispatcher …
        Index("ix_feed_event_txid_id", "txid", "id"),
        # … a city's feed without reading the others' …
        Index("ix_feed_event_region_txid_id", "region_code", "txid", "id"),
        # … and a rare type (`types:`) without reading every event (measured: 317 ms a page
        # of path.revoked among 10^6 declaration events without it).
        Index("ix_feed_event_type_txid_id", "type", "txid", "id"),
    )

    id: Mapped[int] = id_column()
    txid: Mapped[int] = mapped_column(Xid8(), server_default=text("pg_current_xact_id()"))
    type: Mapped[str] = mapped_column(String(64))  # rules.events.EventType
    object_type: Mapped[str] = mapped_column(String(32))  # the GraphQL type of the object it is about
    object_id: Mapped[int] = mapped_column(BigInteger)
    # Whose title office (and region-scoped clients) may read it: a declaration's work unit's
    # region, a unit's region, at the time of the event.
    region_code: Mapped[str] = mapped_column(String(6))
    occurred_at: Mapped[datetime]
    # Small and safe to hand any reader of the region: states, codes, never a person's data.
    payload: Mapped[dict[str, Any]] = mapped_column(JSONB)
