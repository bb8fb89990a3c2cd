"""Webhooks (事件通知): a client's subscriptions, and the outbox the worker delivers from.

The API side: `create_webhook` (the secret is returned once), `list_webhooks`,
`delete_webhook`, `list_deliveries`, `redeliver`, each for the client that owns the webhook
(another client's webhook does not exist for it).

The worker side, three short transactions a round (app/webhooks.py drives them):
`fan_out` reads the feed (the outbox) in its order from the stored position, below the same
horizon as a reader (resolvers/feed.py), and writes one delivery per subscribed webhook;
`claim` leases due deliveries (`FOR UPDATE SKIP LOCKED`, so workers share the work); after
the POST, `record` stores the attempt and either ends the delivery or schedules its retry.
A worker that dies holding a lease loses it when the lease runs out, and the delivery is
claimed again: at least once, never lost.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, literal, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from models import FeedEvent, Webhook, WebhookAttempt, WebhookDelivery
from models.webhook import DeliveryState
from resolvers.env import Env
from resolvers.paging import Page, SortKey, keyset_page
from rules.errors import ErrorCode, RuleViolation
from rules.events import EventType
from rules.regions import PROVINCE_CODE
from rules.scopes import Scope
from rules.webhooks import IPAddress, IPNetwork, TargetRefused, check_address, literal_address, split_target

#: Live webhooks one client may have: enough for one URL per system and event group.
MAX_WEBHOOKS_PER_CLIENT = 20
SECRET_PREFIX = "whsec_"


# --- the client's API ------------------------------------------------------------------------


async def resolve_host(host: str, port: int) -> list[IPAddress]:
    """Every address of a target host (one if it is a literal), or TargetRefused."""
    literal = literal_address(host)
    if literal is not None:
        return [literal]
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, proto=6)
    except OSError:
        raise TargetRefused(f"无法解析主机名 {host}") from None
    found = [literal_address(str(info[4][0]).split("%")[0]) for info in infos]
    return [a for a in dict.fromkeys(found) if a is not None]


async def checked_target(url: str, allowed: Sequence[IPNetwork]) -> tuple[str, str, int, list[IPAddress]]:
    """(scheme, host, port, addresses) of a URL every address of which may be posted to."""
    scheme, host, port = split_target(url)
    addresses = await resolve_host(host, port)
    if not addresses:
        raise TargetRefused(f"无法解析主机名 {host}")
    for address in addresses:
        check_address(scheme, address, allowed)
    return scheme, host, port, addresses


async def create_webhook(env: Env, *, url: str, event_types: list[EventType]) -> tuple[Webhook, str]:
    """订阅: POST these event types of the client's region to `url`; the secret is returned once."""
    client = env.require_client(Scope.WEBHOOKS_MANAGE)
    if not event_types:
        raise RuleViolation(ErrorCode.FIELD_REQUIRED, "请至少选择一种事件类型", "eventTypes")
    try:
        await checked_target(url.strip(), env.settings.webhook_networks)
    except TargetRefused as exc:
        raise RuleViolation(ErrorCode.WEBHOOK_TARGET_REFUSED, str(exc), "url") from None
    live = await env.session.scalar(
        select(Webhook.id).where(Webhook.api_client_id == client.api_client.id, Webhook.deleted_at.is_(None))
        .order_by(Webhook.id).offset(MAX_WEBHOOKS_PER_CLIENT - 1).limit(1).with_for_update())
    if live is not None:
        raise RuleViolation(ErrorCode.TOO_MANY_WEBHOOKS, f"每个客户端最多{MAX_WEBHOOKS_PER_CLIENT}个 Webhook")
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    webhook = Webhook(api_client_id=client.api_client.id, url=url.strip(),
                      event_types=sorted({t.value for t in event_types}), secret=secret,
                      created_at=env.clock.now())
    env.session.add(webhook)
    await env.session.flush()
    env.note_audit("Webhook", webhook.id, reason=f"{webhook.url} {','.join(webhook.event_types)}",
                   region_code=client.region_code)
    return webhook, secret


async def own_webhook(env: Env, webhook_id: int, *, field: str = "id", lock: bool = False) -> Webhook:
    client = env.require_client(Scope.WEBHOOKS_MANAGE)
    webhook = await env.session.get(Webhook, webhook_id, with_for_update=lock)
    if webhook is None or webhook.api_client_id != client.api_client.id or webhook.deleted_at is not None:
        raise RuleViolation(ErrorCode.NOT_FOUND, "Webhook 不存在", field)
    return webhook


async def delete_webhook(env: Env, *, webhook_id: int) -> int:
    """取消订阅: nothing more is fanned out to it or sent (pending deliveries stop)."""
    webhook = await own_webhook(env, webhook_id, lock=True)
    webhook.deleted_at = env.clock.now()
    env.note_audit("Webhook", webhook.id, reason=webhook.url, region_code=env.require_client().region_code)
    return webhook.id


async def list_webhooks(env: Env, *, first: int | None, after: str | None) -> Page:
    client = env.require_client(Scope.WEBHOOKS_MANAGE)
    stmt = select(Webhook).where(Webhook.api_client_id == client.api_client.id, Webhook.deleted_at.is_(None))
    return await keyset_page(env.session, stmt, [SortKey(Webhook.id)], first=first, after=after,
                             cap=env.settings.max_page_size)


async def list_deliveries(env: Env, *, webhook_id: int, first: int | None, after: str | None) -> Page | None:
    """A webhook's deliveries, newest first (with their attempts: `attempts_of`); None when the
    webhook is not the client's (or was deleted)."""
    env.require_client(Scope.WEBHOOKS_MANAGE)
    found = await visible_webhooks(env, [webhook_id])
    if webhook_id not in found:
        return None
    stmt = select(WebhookDelivery).where(WebhookDelivery.webhook_id == webhook_id)
    return await keyset_page(env.session, stmt, [SortKey(WebhookDelivery.id, descending=True)], first=first,
                             after=after, cap=env.settings.max_page_size)


async def attempts_of(env: Env, delivery_ids: list[int]) -> dict[int, list[WebhookAttempt]]:
    """The attempts of a page of deliveries, oldest first, in one statement."""
    found: dict[int, list[WebhookAttempt]] = {i: [] for i in delivery_ids}
    if delivery_ids:
        stmt = (select(WebhookAttempt).where(WebhookAttempt.delivery_id.in_(delivery_ids))
                .order_by(WebhookAttempt.delivery_id, WebhookAttempt.id))
        for attempt in await env.session.scalars(stmt):
            found[attempt.delivery_id].append(attempt)
    return found


async def events_of(env: Env, event_ids: list[int]) -> dict[int, FeedEvent]:
    if not event_ids:
        return {}
    return {e.id: e for e in await env.session.scalars(select(FeedEvent).where(FeedEvent.id.in_(event_ids)))}


async def visible_deliveries(env: Env, ids: list[int]) -> dict[int, WebhookDelivery]:
    """Deliveries by id (node(id)) for the client owning their webhook."""
    client = env.client
    if client is None or Scope.WEBHOOKS_MANAGE not in client.scopes or not ids:
        return {}
    stmt = (select(WebhookDelivery).join(Webhook, Webhook.id == WebhookDelivery.webhook_id)
            .where(WebhookDelivery.id.in_(ids), Webhook.api_client_id == client.api_client.id))
    return {d.id: d for d in await env.session.scalars(stmt)}


async def visible_webhooks(env: Env, ids: list[int]) -> dict[int, Webhook]:
    client = env.client
    if client is None or Scope.WEBHOOKS_MANAGE not in client.scopes or not ids:
        return {}
    stmt = select(Webhook).where(Webhook.id.in_(ids), Webhook.api_client_id == client.api_client.id,
                                 Webhook.deleted_at.is_(None))
    return {w.id: w for w in await env.session.scalars(stmt)}


async def redeliver(env: Env, *, delivery_id: int) -> WebhookDelivery:
    """重新发送: a delivered or failed delivery goes out again at once, with a new day of retries."""
    client = env.require_client(Scope.WEBHOOKS_MANAGE)
    delivery = await env.session.get(WebhookDelivery, delivery_id, with_for_update=True)
    webhook = await env.session.get(Webhook, delivery.webhook_id) if delivery is not None else None
    if delivery is None or webhook is None or webhook.api_client_id != client.api_client.id \
            or webhook.deleted_at is not None:
        raise RuleViolation(ErrorCode.NOT_FOUND, "投递记录不存在", "id")
    if delivery.state is DeliveryState.PENDING:
        raise RuleViolation(ErrorCode.INVALID_STATE, "该投递尚在发送或等待重试中，无需重新发送", "id")
    now = env.clock.now()
    delivery.state, delivery.next_attempt_at, delivery.leased_until = DeliveryState.PENDING, now, None
    delivery.give_up_at = now + timedelta(hours=env.settings.webhook_retry_hours)
    delivery.delivered_at = None
    env.note_audit("WebhookDelivery", delivery.id, region_code=client.region_code)
    return delivery


# --- the worker's side -----------------------------------------------------------------------

_POSITION = text("SELECT txid, event_id FROM webhook_fanout WHERE id = 1 FOR UPDATE")

# The next batch of the feed past the position (below the horizon, in feed order), a delivery
# for each live webhook of a live client that subscribed to its type, covers its region and
# was created by an older transaction; and the batch's last event, the new position.
_FAN_OUT = text(f"""
    WITH batch AS (
        SELECT e.id, e.txid, e.type, e.region_code FROM feed_event e
        WHERE (e.txid, e.id) > (:txid, :event_id)
          AND e.txid < pg_snapshot_xmin(pg_current_snapshot())
        ORDER BY e.txid, e.id LIMIT :batch
    ), made AS (
        INSERT INTO webhook_delivery (webhook_id, event_id, state, attempts, created_at, next_attempt_at, give_up_at)
        SELECT w.id, b.id, 'PENDING', 0, :now, :now, :give_up_at
        FROM batch b
        JOIN webhook w ON w.deleted_at IS NULL AND b.type = ANY(w.event_types) AND b.txid > w.created_txid
        JOIN api_client c ON c.id = w.api_client_id AND c.disabled_at IS NULL AND c.deleted_at IS NULL
          AND (c.region_code = '{PROVINCE_CODE}' OR c.region_code = b.region_code)
        ON CONFLICT DO NOTHING
        RETURNING 1
    )
    SELECT (SELECT count(*) FROM made) AS made,
           (SELECT count(*) FROM batch) AS read,
           (SELECT txid FROM batch ORDER BY txid DESC, id DESC LIMIT 1) AS txid,
           (SELECT id FROM batch ORDER BY txid DESC, id DESC LIMIT 1) AS event_id
""")


@dataclass(frozen=True)
class FanOut:
    read: int  # events read from the feed
    made: int  # deliveries written


async def fan_out(session: AsyncSession, *, now: datetime, retry_hours: float, batch: int = 1000) -> FanOut:
    """One batch of the outbox into deliveries, in one transaction (the caller commits). The
    position row is locked: two workers fan out one after the other, never the same events."""
    position = (await session.execute(_POSITION)).one()
    result = (await session.execute(_FAN_OUT, {
        "txid": position.txid, "event_id": position.event_id, "batch": batch, "now": now,
        "give_up_at": now + timedelta(hours=retry_hours),
    })).one()
    if result.read:
        await session.execute(text("UPDATE webhook_fanout SET txid = :txid, event_id = :event_id WHERE id = 1"),
                              {"txid": result.txid, "event_id": result.event_id})
    return FanOut(read=result.read, made=result.made)


@dataclass(frozen=True)
class Claimed:
    """A leased delivery with what its POST needs."""

    delivery_id: int
    attempt: int  # this claim's number: a later `record` of an older claim changes nothing
    url: str
    secret: str
    event: Any  # the feed_event row


_CLAIM = text("""
    UPDATE webhook_delivery d SET leased_until = :lease_end, attempts = d.attempts + 1
    FROM (
        SELECT x.id FROM webhook_delivery x
        JOIN webhook w ON w.id = x.webhook_id AND w.deleted_at IS NULL
        JOIN api_client c ON c.id = w.api_client_id AND c.disabled_at IS NULL AND c.deleted_at IS NULL
        WHERE x.state = 'PENDING' AND x.next_attempt_at <= :now AND (x.leased_until IS NULL OR x.leased_until <= :now)
        ORDER BY x.next_attempt_at LIMIT :batch
        FOR UPDATE OF x SKIP LOCKED
    ) due, webhook w, feed_event e
    WHERE d.id = due.id AND w.id = d.webhook_id AND e.id = d.event_id
    RETURNING d.id AS delivery_id, d.attempts, w.url, w.secret,
              e.id, e.type, e.object_type, e.object_id, e.region_code, e.occurred_at, e.payload
""")


async def claim(session: AsyncSession, *, now: datetime, lease_seconds: float, batch: int) -> list[Claimed]:
    """Lease up to `batch` due deliveries (the caller commits at once)."""
    rows = await session.execute(_CLAIM, {"now": now, "lease_end": now + timedelta(seconds=lease_seconds),
                                          "batch": batch})
    return [Claimed(r.delivery_id, r.attempts, r.url, r.secret, r) for r in rows]


@dataclass(frozen=True)
class Outcome:
    started_at: datetime
    duration_ms: int
    status_code: int | None
    error: str | None

    @property
    def success(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


async def record(session: AsyncSession, claimed: Claimed, outcome: Outcome, *, now: datetime,
                 retry_in: Callable[[int], float]) -> DeliveryState | None:
    """Store the attempt; end the delivery (DELIVERED, or FAILED past its day) or schedule its
    retry `retry_in(attempt)` seconds on. None: a newer claim owns it now (our lease ran out)."""
    session.add(WebhookAttempt(delivery_id=claimed.delivery_id, started_at=outcome.started_at,
                               duration_ms=outcome.duration_ms, status_code=outcome.status_code,
                               error=outcome.error[:200] if outcome.error else None, success=outcome.success))
    mine = (WebhookDelivery.id == claimed.delivery_id) & (WebhookDelivery.attempts == claimed.attempt) \
        & (WebhookDelivery.state == DeliveryState.PENDING)
    if outcome.success:
        stmt = update(WebhookDelivery).where(mine).values(state=DeliveryState.DELIVERED, delivered_at=now,
                                                          leased_until=None)
    else:
        retry_at = now + timedelta(seconds=retry_in(claimed.attempt))
        stmt = update(WebhookDelivery).where(mine).values(
            state=_state_after_failure(retry_at), next_attempt_at=retry_at, leased_until=None)
    result = await session.execute(stmt.returning(WebhookDelivery.state))
    return result.scalar_one_or_none()


def _state_after_failure(retry_at: datetime) -> Any:
    """PENDING until the retry would fall past the delivery's day, FAILED then (in SQL)."""
    return case((literal(retry_at) > WebhookDelivery.give_up_at, DeliveryState.FAILED.value),
                else_=DeliveryState.PENDING.value)
