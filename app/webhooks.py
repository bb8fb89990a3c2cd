"""The webhook sender: a loop inside the worker process that delivers the outbox.

Each round: fan the feed out into deliveries, lease the due ones, POST them (a few at a time,
each to an address checked again just before, with no redirects), record each outcome. The
retry schedule, the day of retries and the lease are data in PostgreSQL, not in this
process, so any number of worker processes share the work, and one killed mid-POST only
delays its deliveries until their lease runs out.

Why a loop, not a queued job per delivery: the job queue would add its own retries and
locks on top of the delivery's, and a delivery's state is what clients list
(`webhookDeliveries`); the loop costs one indexed statement per idle poll.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from datetime import datetime

import httpx
import orjson

from core.services import AppServices
from resolvers import webhooks
from rules.events import EventType
from rules.webhooks import TargetRefused, retry_delay, sign
from schema.ids import encode_id

log = logging.getLogger("zhicheng.webhooks")

USER_AGENT = "Zhicheng-Webhooks/1"


def event_body(event) -> bytes:
    """The POST body: the event as the feed's `Event` shows it, plus its dotted topic."""
    return orjson.dumps({
        "id": encode_id("Event", event.id),
        "type": EventType(event.type).name,
        "topic": event.type,
        "objectId": encode_id(event.object_type, event.object_id),
        "regionCode": event.region_code,
        "occurredAt": event.occurred_at.isoformat(),
        "payload": event.payload,
    })


class WebhookSender:
    def __init__(self, services: AppServices, *, http: httpx.AsyncClient | None = None,
                 rng: random.Random | None = None) -> None:
        self.services = services
        settings = services.settings
        self.http = http or httpx.AsyncClient(timeout=settings.webhook_timeout_seconds, follow_redirects=False,
                                              headers={"User-Agent": USER_AGENT})
        self.rng = rng or random.Random()
        self.parallel = asyncio.Semaphore(settings.webhook_concurrency)

    def _now(self) -> datetime:
        return self.services.clock.now()

    async def run_once(self) -> int:
        """One round; the number of deliveries attempted."""
        settings = self.services.settings
        async with self.services.session_factory() as session, session.begin():
            await webhooks.fan_out(session, now=self._now(), retry_hours=settings.webhook_retry_hours)
        async with self.services.session_factory() as session, session.begin():
            claimed = await webhooks.claim(session, now=self._now(), lease_seconds=settings.webhook_lease_seconds,
                                           batch=settings.webhook_concurrency * 4)
        await asyncio.gather(*(self._deliver(c) for c in claimed))
        return len(claimed)

    async def run_forever(self, stop: asyncio.Event) -> None:
        """Rounds until `stop`; a round that found work is followed at once by the next."""
        while not stop.is_set():
            try:
                busy = await self.run_once()
            except Exception:
                log.exception("webhook round failed")
                busy = 0
            if not busy:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), self.services.settings.webhook_poll_seconds)

    async def aclose(self) -> None:
        await self.http.aclose()

    async def _deliver(self, claimed: webhooks.Claimed) -> None:
        async with self.parallel:
            outcome = await self._post(claimed)
        settings = self.services.settings

        def retry_in(attempt: int) -> float:
            return retry_delay(attempt, base=settings.webhook_retry_base_seconds,
                               cap=settings.webhook_retry_max_seconds, jitter=self.rng.random())

        async with self.services.session_factory() as session, session.begin():
            state = await webhooks.record(session, claimed, outcome, now=self._now(), retry_in=retry_in)
        log.info("webhook delivery %s attempt %s: %s → %s", claimed.delivery_id, claimed.attempt,
                 outcome.status_code or outcome.error, state.value if state else "superseded")

    async def _post(self, claimed: webhooks.Claimed) -> webhooks.Outcome:
        started, clock = self._now(), time.monotonic()
        body = event_body(claimed.event)
        timestamp = int(started.timestamp())
        headers = {
            "Content-Type": "application/json",
            "X-Zhicheng-Event-Id": encode_id("Event", claimed.event.id),
            "X-Zhicheng-Event-Type": claimed.event.type,
            "X-Zhicheng-Delivery-Id": encode_id("WebhookDelivery", claimed.delivery_id),
            "X-Zhicheng-Timestamp": str(timestamp),
            "X-Zhicheng-Signature": sign(claimed.secret, timestamp, body),
        }
        status, error = None, None
        try:
            # One deadline for the whole exchange: httpx's timeouts are per read, which a
            # receiver trickling its headers a byte at a time would never hit.
            status = await asyncio.wait_for(self._send(claimed.url, headers, body),
                                            self.services.settings.webhook_timeout_seconds)
            if not 200 <= status < 300:
                error = f"HTTP {status}"
        except TargetRefused as exc:
            error = str(exc)
        except (httpx.TimeoutException, TimeoutError):
            error = "超时"
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}"[:200]
        duration = int((time.monotonic() - clock) * 1000)
        return webhooks.Outcome(started_at=started, duration_ms=duration, status_code=status, error=error)

    async def _send(self, url: str, headers: dict[str, str], body: bytes) -> int:
        """The answer's status; its body is never read (a status is all we keep, and a
        receiver cannot make the worker hold a large answer)."""
        response = await self.http.send(await self._pinned_request(url, headers, body), stream=True)
        await response.aclose()
        return response.status_code

    async def _pinned_request(self, url: str, headers: dict[str, str], body: bytes) -> httpx.Request:
        """The POST to the address just checked (not to whatever the name resolves to a moment
        later), with the URL's host in Host and, for https, in SNI and the certificate check."""
        scheme, host, _, addresses = await webhooks.checked_target(
            url, self.services.settings.webhook_networks)
        target = httpx.URL(url)
        pinned = target.copy_with(host=str(addresses[0]))
        extensions = {"sni_hostname": host} if scheme == "https" else {}
        request = self.http.build_request("POST", pinned, content=body, headers=headers, extensions=extensions)
        request.headers["Host"] = target.netloc.decode("ascii")
        return request
