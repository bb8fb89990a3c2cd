"""Webhooks: a client's subscriptions, and the outbox's deliveries fanned out from the feed.

`feed_event` is the outbox: the dispatcher (in the worker) reads it in feed order from its
stored position (`webhook_fanout`) and writes one `webhook_delivery` per subscribed webhook;
workers claim due deliveries with a lease (`leased_until`), so a delivery whose worker died
is claimed again once the lease runs out (at least once, never lost).
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, SmallInteger, String, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, id_column, str_enum
from models.feed import Xid8


class DeliveryState(str, enum.Enum):
    PENDING = "PENDING"  # 待发送（含等待重试）
    DELIVERED = "DELIVERED"  # 已送达（接收方返回 2xx）
    FAILED = "FAILED"  # 重试期满仍未送达


class Webhook(Base):
    __tablename__ = "webhook"
    __table_args__ = (Index("ix_webhook_api_client_id", "api_client_id", "id"),)

    id: Mapped[int] = id_column()
    api_client_id: Mapped[int] = mapped_column(ForeignKey("api_client.id"))
    url: Mapped[str] = mapped_column(String(2000))
    event_types: Mapped[list[str]] = mapped_column(ARRAY(String(64)))  # rules.events.EventType values
    # The server signs every delivery with it, so it is kept, not hashed; it is shown once.
    secret: Mapped[str] = mapped_column(String(64))
    # Events of transactions newer than the one that created the webhook are delivered.
    created_txid: Mapped[int] = mapped_column(Xid8(), server_default=text("pg_current_xact_id()"))
    created_at: Mapped[datetime]
    deleted_at: Mapped[datetime | None]


class WebhookDelivery(Base):
    __tablename__ = "webhook_delivery"
    __table_args__ = (
        Index("uq_webhook_delivery_webhook_event", "webhook_id", "event_id", unique=True),
        # What workers claim: due, pending deliveries, oldest due first.
        Index("ix_webhook_delivery_due", "next_attempt_at", postgresql_where=text("state = 'PENDING'")),
    )

    id: Mapped[int] = id_column()
    webhook_id: Mapped[int] = mapped_column(ForeignKey("webhook.id"))
    event_id: Mapped[int] = mapped_column(ForeignKey("feed_event.id"))
    state: Mapped[DeliveryState] = mapped_column(str_enum(DeliveryState, "delivery_state"))
    attempts: Mapped[int] = mapped_column(Integer, server_default="0")  # claims so far, a cut-off one included
    created_at: Mapped[datetime]
    next_attempt_at: Mapped[datetime]
    # Retries stop here (a day after the delivery was made, or re-sent): then FAILED.
    give_up_at: Mapped[datetime]
    leased_until: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]


class WebhookAttempt(Base):
    """One POST of a delivery and what came back (a worker killed mid-POST leaves none)."""

    __tablename__ = "webhook_attempt"
    __table_args__ = (Index("ix_webhook_attempt_delivery_id", "delivery_id", "id"),)

    id: Mapped[int] = id_column()
    delivery_id: Mapped[int] = mapped_column(ForeignKey("webhook_delivery.id"))
    started_at: Mapped[datetime]
    duration_ms: Mapped[int] = mapped_column(Integer)
    status_code: Mapped[int | None] = mapped_column(SmallInteger)  # None: no HTTP answer
    error: Mapped[str | None] = mapped_column(String(200))  # why, when it failed
    success: Mapped[bool] = mapped_column(Boolean)


class WebhookFanout(Base):
    """The dispatcher's position in the feed (one row): the last event fanned out."""

    __tablename__ = "webhook_fanout"

    id: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    txid: Mapped[int] = mapped_column(Xid8())
    event_id: Mapped[int]
