"""Rate limits and idempotent retries (issue 15): both in PostgreSQL, so every worker and host
sees the same budgets and the same first answers."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Integer, LargeBinary, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base


class RateLimitBucket(Base):
    """The query cost a caller (`client:<id>` or `address:<ip>`) spent in the current fixed
    window; one UPSERT per request moves it (resolvers/rate_limits.py)."""

    __tablename__ = "rate_limit_bucket"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    window_start: Mapped[datetime]
    used: Mapped[int] = mapped_column(BigInteger)


class IdempotencyKey(Base):
    """A mutation request sent with an `Idempotency-Key`: who sent it, a digest of its body,
    and (once done) the answer, replayed to a retry with the same key and body."""

    __tablename__ = "idempotency_key"

    caller: Mapped[str] = mapped_column(String(100), primary_key=True)
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    request_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    # NULL while the first request runs; then its HTTP status and JSON body.
    status: Mapped[int | None] = mapped_column(Integer)
    response: Mapped[Any | None] = mapped_column(JSONB)
