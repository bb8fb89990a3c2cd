"""Webhooks against a real HTTP receiver on 127.0.0.1: a signed delivery a receiver can verify,
a receiver that is down and comes back, a delivery given up after its day and re-sent, the
subscription's refusals. The sender runs in-process on the test's clock (retries come due by
moving it). Last, at least once and never lost: `zhicheng worker` (a real process) SIGKILLed
while its POST is in flight; another worker sends the delivery again once the dead one's
lease runs out."""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import os
import signal
import subprocess
import sys
from pathlib import Path

import orjson
import pytest
from sqlalchemy import text

from app.webhooks import WebhookSender
from core.services import build_services
from rules.webhooks import REPLAY_WINDOW_SECONDS, verify
from tests.conftest import TEST_SETTINGS
from tests.support import clients
from tests.support.feed import PATIENCE_SECONDS
from tests.support.receiver import Receiver
from tests.support.review import ReviewWorld, rows
from tests.support.units import permitted_unit

RETRY_BASE = 30.0
CREATE = """mutation($url: String!, $types: [EventType!]!) { createWebhook(url: $url, eventTypes: $types) {
  webhook { id url eventTypes createdAt } secret errors { code field message } } }"""
DELETE = "mutation($id: ID!) { deleteWebhook(id: $id) { deletedWebhookId errors { code field message } } }"
REDELIVER = """mutation($id: ID!) { redeliverWebhookDelivery(id: $id) {
  delivery { id state } errors { code field message } } }"""
DELIVERIES = """query($id: ID!) { webhookDeliveries(webhookId: $id) { totalCount nodes {
  id state attemptCount nextAttemptAt deliveredAt giveUpAt event { id type objectId }
  attempts { statusCode error success durationMs } } } }"""
WEBHOOKS = "{ webhooks { totalCount nodes { id url eventTypes } } }"


@pytest.fixture
def services(engine, clock, tmp_path):
    """The app's and the in-process sender's: webhooks may reach 127.0.0.1 over http."""
    settings = dataclasses.replace(TEST_SETTINGS, data_dir=tmp_path, webhook_allowed_networks=("127.0.0.0/8",),
                                   webhook_retry_base_seconds=RETRY_BASE, webhook_timeout_seconds=5.0)
    return build_services(settings, engine, clock)


@pytest.fixture
async def receiver():
    r = await Receiver().start()
    yield r
    await r.stop()


@pytest.fixture
async def sender(services):
    s = WebhookSender(services)
    yield s
    await s.aclose()


@pytest.fixture
async def world(api, engine, services):
    return await ReviewWorld(api, engine, services).setup()


@pytest.fixture
async def hr_client(services) -> clients.Client:
    """A 济南 HR system's client that may manage webhooks (and read the feed)."""
    return await clients.register(services, scopes=["webhooks:manage", "events:read"], region="370100")


@pytest.fixture
async def hr(api, hr_client) -> str:
    return await clients.token(api, hr_client)


async def subscribe(api, token: str, url: str, types: list[str]) -> dict:
    payload = (await api(CREATE, {"url": url, "types": types}, token))["createWebhook"]
    assert payload["errors"] == [], payload
    return payload


async def send_until(sender: WebhookSender, done) -> None:
    """Sender rounds until `done()`: the feed shows a commit once older transactions of the
    shared server have ended, so a round may find nothing yet."""
    loop = asyncio.get_running_loop()
    give_up = loop.time() + PATIENCE_SECONDS
    while not await done():
        assert loop.time() < give_up, "nothing was delivered"
        await sender.run_once()
        await asyncio.sleep(0.05)


async def deliveries(api, token: str, webhook_id: str) -> list[dict]:
    return (await api(DELIVERIES, {"id": webhook_id}, token))["webhookDeliveries"]["nodes"]


async def test_a_signed_delivery_the_receiver_verifies(api, world, hr, receiver, sender, clock):
    hook = await subscribe(api, hr, receiver.url, ["DECLARATION_CONFIRMED", "PERMISSION_APPROVED"])
    assert hook["secret"].startswith("whsec_") and hook["webhook"]["eventTypes"] == [
        "DECLARATION_CONFIRMED", "PERMISSION_APPROVED"]
    d = await world.confirmed()
    await permitted_unit(api, world.admin, regionCode="370200")  # 青岛: not this client's region
    await permitted_unit(api, world.admin)  # 济南

    async def both() -> bool:
        return len(receiver.received) >= 2
    await send_until(sender, both)
    await sender.run_once()  # nothing else is owed
    assert len(receiver.received) == 2
    confirmed, permitted = receiver.received
    for request in receiver.received:
        headers = request.headers
        assert verify(hook["secret"], headers["x-zhicheng-timestamp"], request.body,
                      headers["x-zhicheng-signature"], now=clock.now().timestamp())
        assert headers["content-type"] == "application/json"
        assert headers["x-zhicheng-event-id"] == orjson.loads(request.body)["id"]
    body = orjson.loads(confirmed.body)
    assert (body["type"], body["topic"], body["objectId"], body["regionCode"]) == (
        "DECLARATION_CONFIRMED", "declaration.confirmed", d["id"], "370100")
    assert body["payload"]["toStatus"] == "PENDING_REVIEW"
    assert confirmed.headers["x-zhicheng-event-type"] == "declaration.confirmed"
    assert orjson.loads(permitted.body)["regionCode"] == "370100"
    # A receiver checking the window refuses the same request replayed later.
    assert not verify(hook["secret"], confirmed.headers["x-zhicheng-timestamp"], confirmed.body,
                      confirmed.headers["x-zhicheng-signature"],
                      now=clock.now().timestamp() + REPLAY_WINDOW_SECONDS + 1)

    listed = await deliveries(api, hr, hook["webhook"]["id"])
    assert [(x["state"], x["event"]["type"], x["attemptCount"]) for x in listed] == [
        ("DELIVERED", "PERMISSION_APPROVED", 1), ("DELIVERED", "DECLARATION_CONFIRMED", 1)]
    assert listed[1]["attempts"][0]["statusCode"] == 200 and listed[1]["attempts"][0]["success"]
    assert listed[1]["nextAttemptAt"] is None and listed[1]["deliveredAt"] is not None


async def test_a_receiver_down_then_back_is_retried_with_backoff(api, world, hr, receiver, sender, clock):
    hook = await subscribe(api, hr, receiver.url, ["DECLARATION_CONFIRMED"])
    await receiver.stop()  # connection refused
    await world.confirmed()

    async def attempted() -> bool:
        return any(x["attemptCount"] for x in await deliveries(api, hr, hook["webhook"]["id"]))
    await send_until(sender, attempted)
    [failed] = await deliveries(api, hr, hook["webhook"]["id"])
    assert failed["state"] == "PENDING" and failed["attempts"][0]["statusCode"] is None
    assert failed["attempts"][0]["error"] and not failed["attempts"][0]["success"]

    await receiver.start()  # back on the same port, but the retry is not due yet
    assert await sender.run_once() == 0 and receiver.received == []
    clock.advance(seconds=RETRY_BASE * 1.5 + 1)  # the first retry: base × (1 + up to 50 % jitter)
    assert await sender.run_once() == 1
    [delivered] = await deliveries(api, hr, hook["webhook"]["id"])
    assert delivered["state"] == "DELIVERED" and delivered["attemptCount"] == 2
    assert [a["statusCode"] for a in delivered["attempts"]] == [None, 200]
    assert len(receiver.received) == 1


async def test_a_day_of_failures_ends_failed_and_can_be_redelivered(api, world, hr, hr_client, receiver, sender,
                                                                   clock, engine):
    hook = await subscribe(api, hr, receiver.url, ["DECLARATION_CONFIRMED"])
    receiver.status = 503
    await world.confirmed()
    webhook_id = hook["webhook"]["id"]

    async def attempted() -> bool:
        return len(receiver.received) >= 1
    await send_until(sender, attempted)
    retries = 0
    while (await rows(engine, "SELECT state FROM webhook_delivery"))[0].state == "PENDING":
        clock.advance(minutes=10)  # the day passes; each due retry is sent
        retries += await sender.run_once()
        assert retries < 100
    hr = await clients.token(api, hr_client)  # a day later: a new token
    [failed] = await deliveries(api, hr, webhook_id)
    assert failed["state"] == "FAILED" and failed["nextAttemptAt"] is None
    assert all(a["statusCode"] == 503 for a in failed["attempts"]) and len(failed["attempts"]) == retries + 1
    # Retried for a day (the schedule itself: tests/test_webhook_rules.py): the last attempt
    # came within the day, and later than a longest wait (with jitter) before its end.
    times = [r.at for r in await rows(engine, "SELECT extract(epoch FROM started_at) AS at FROM webhook_attempt "
                                              "ORDER BY id")]
    waits = [float(b - a) for a, b in itertools.pairwise(times)]
    assert RETRY_BASE <= waits[0] <= RETRY_BASE * 1.5 + 600
    assert 24 * 3600 - 1.5 * 3600 - 600 <= times[-1] - times[0] <= 24 * 3600
    assert max(waits) <= 3600 * 1.5 + 600

    receiver.status = 200
    redone = (await api(REDELIVER, {"id": failed["id"]}, hr))["redeliverWebhookDelivery"]
    assert redone["errors"] == [] and redone["delivery"]["state"] == "PENDING"
    again = (await api(REDELIVER, {"id": failed["id"]}, hr))["redeliverWebhookDelivery"]
    assert [e["code"] for e in again["errors"]] == ["INVALID_STATE"]  # already on its way
    assert await sender.run_once() == 1
    [delivered] = await deliveries(api, hr, webhook_id)
    assert delivered["state"] == "DELIVERED" and delivered["attempts"][-1]["statusCode"] == 200


async def test_a_receiver_that_does_not_answer_in_time(api, services, world, hr, receiver):
    hook = await subscribe(api, hr, receiver.url, ["DECLARATION_CONFIRMED"])
    receiver.hold = asyncio.Event()  # never answers
    await world.confirmed()
    hasty = WebhookSender(build_services(dataclasses.replace(services.settings, webhook_timeout_seconds=0.5),
                                         services.session_factory.kw["bind"], services.clock))
    try:
        async def attempted() -> bool:
            return any(x["attemptCount"] for x in await deliveries(api, hr, hook["webhook"]["id"]))
        await send_until(hasty, attempted)
    finally:
        await hasty.aclose()
    [late] = await deliveries(api, hr, hook["webhook"]["id"])
    assert late["state"] == "PENDING" and late["attempts"][0]["error"] == "超时"
    assert late["attempts"][0]["statusCode"] is None


async def test_a_disabled_client_is_sent_nothing_more(api, world, hr, hr_client, receiver, sender, clock, engine):
    hook = await subscribe(api, hr, receiver.url, ["DECLARATION_CONFIRMED"])
    await receiver.stop()
    await world.confirmed()

    async def attempted() -> bool:
        return any(x["attemptCount"] for x in await deliveries(api, hr, hook["webhook"]["id"]))
    await send_until(sender, attempted)  # failed once, due again after the base wait
    async with engine.begin() as conn:
        await conn.execute(text("UPDATE api_client SET disabled_at = now() WHERE id = :id"), {"id": hr_client.row_id})
    await receiver.start()
    await world.confirmed()
    clock.advance(seconds=RETRY_BASE * 1.5 + 1)

    async def fanned_out_past_it() -> bool:  # the new event has been read by the dispatcher
        position = await rows(engine, "SELECT f.event_id >= (SELECT max(id) FROM feed_event) AS past "
                                      "FROM webhook_fanout f")
        return position[0].past
    await send_until(sender, fanned_out_past_it)
    assert await sender.run_once() == 0
    assert receiver.received == []
    assert [r.attempts for r in await rows(engine, "SELECT attempts FROM webhook_delivery")] == [1]


@pytest.mark.parametrize(("url", "code"), [
    ("http://10.1.2.3/hook", "WEBHOOK_TARGET_REFUSED"),  # private, not allowed here
    ("https://169.254.169.254/latest/meta-data", "WEBHOOK_TARGET_REFUSED"),  # cloud metadata
    ("http://202.102.128.68/hook", "WEBHOOK_TARGET_REFUSED"),  # public needs https
    ("ftp://127.0.0.1/hook", "WEBHOOK_TARGET_REFUSED"),
    ("https://user:pw@127.0.0.1/hook", "WEBHOOK_TARGET_REFUSED"),
    ("https://no-such-host.invalid/hook", "WEBHOOK_TARGET_REFUSED"),
])
async def test_targets_that_are_refused(api, hr, count_rows, url, code):
    payload = (await api(CREATE, {"url": url, "types": ["DECLARATION_APPROVED"]}, hr))["createWebhook"]
    assert [(e["code"], e["field"]) for e in payload["errors"]] == [(code, "url")] and payload["secret"] is None
    assert await count_rows("webhook") == 0


async def test_subscription_rules(api, services, hr, receiver, world, engine):
    public = (await api(CREATE, {"url": "https://202.102.128.68/hook", "types": ["PATH_APPROVED"]}, hr)
              )["createWebhook"]
    assert public["errors"] == []
    empty = (await api(CREATE, {"url": receiver.url, "types": []}, hr))["createWebhook"]
    assert [e["code"] for e in empty["errors"]] == ["FIELD_REQUIRED"]

    # Another client sees none of it.
    other = await clients.token(api, await clients.register(services, scopes=["webhooks:manage"], region="370100"))
    assert (await api(WEBHOOKS, token=other))["webhooks"]["totalCount"] == 0
    assert (await api(DELIVERIES, {"id": public["webhook"]["id"]}, other))["webhookDeliveries"] is None
    refused = (await api(DELETE, {"id": public["webhook"]["id"]}, other))["deleteWebhook"]
    assert [e["code"] for e in refused["errors"]] == ["NOT_FOUND"]

    # Without the scope, a person or nobody: top-level refusals.
    reader = await clients.token(api, await clients.register(services, scopes=["events:read"], region="370100"))
    for token, code in ((reader, "FORBIDDEN"), (world.token, "FORBIDDEN"), (world.admin, "FORBIDDEN"),
                        (None, "UNAUTHENTICATED")):
        errors = await api.errors(CREATE, {"url": receiver.url, "types": ["PATH_APPROVED"]}, token)
        assert errors[0]["extensions"]["code"] == code
        errors = await api.errors(WEBHOOKS, {}, token)
        assert errors[0]["extensions"]["code"] == code

    # Deleted: gone from the list, and nothing more is fanned out to it.
    deleted = (await api(DELETE, {"id": public["webhook"]["id"]}, hr))["deleteWebhook"]
    assert deleted == {"deletedWebhookId": public["webhook"]["id"], "errors": []}
    assert (await api(WEBHOOKS, token=hr))["webhooks"]["totalCount"] == 0
    secret_rows = await rows(engine, "SELECT count(*) AS n FROM audit_entry WHERE action LIKE 'webhook.%'")
    assert secret_rows[0].n >= 3


async def test_two_senders_share_the_work_without_sending_twice(api, services, world, hr, receiver):
    hook = await subscribe(api, hr, receiver.url, ["DECLARATION_CONFIRMED"])
    for _ in range(6):
        await world.confirmed()
    first, second = WebhookSender(services), WebhookSender(services)
    try:
        async def all_six() -> bool:
            return len(receiver.received) >= 6
        loop = asyncio.get_running_loop()
        give_up = loop.time() + PATIENCE_SECONDS
        while not await all_six():
            assert loop.time() < give_up
            await asyncio.gather(first.run_once(), second.run_once())
        await asyncio.gather(first.run_once(), second.run_once())
    finally:
        await first.aclose()
        await second.aclose()
    ids = [r.headers["x-zhicheng-event-id"] for r in receiver.received]
    assert len(ids) == len(set(ids)) == 6
    listed = await deliveries(api, hr, hook["webhook"]["id"])
    assert {x["state"] for x in listed} == {"DELIVERED"} and {x["attemptCount"] for x in listed} == {1}
    async with services.session_factory() as session:
        assert (await session.execute(text("SELECT count(*) FROM webhook_attempt"))).scalar_one() == 6


LEASE_SECONDS = 3


def start_worker(database_url: str, log: Path) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": database_url, "ZHICHENG_DATA_DIR": str(log.parent),
           "ZHICHENG_WEBHOOK_ALLOWED_NETWORKS": "127.0.0.0/8", "ZHICHENG_WEBHOOK_TIMEOUT_SECONDS": "2",
           "ZHICHENG_WEBHOOK_LEASE_SECONDS": str(LEASE_SECONDS), "ZHICHENG_WEBHOOK_POLL_SECONDS": "0.2"}
    with log.open("ab") as out:
        return subprocess.Popen([sys.executable, "-c", "from app.cli import main; main()", "worker"], env=env,
                                stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)


async def delivery_state(engine) -> tuple[str, int]:
    found = await rows(engine, "SELECT state, attempts FROM webhook_delivery")
    return (found[0].state, found[0].attempts) if found else ("NONE", 0)


async def test_a_worker_killed_mid_delivery_loses_nothing(api, world, hr, receiver, database_url, engine, tmp_path):
    hook = await subscribe(api, hr, receiver.url, ["DECLARATION_CONFIRMED"])
    receiver.hold = asyncio.Event()  # the receiver keeps the first POST waiting
    d = await world.confirmed()
    log = tmp_path / "workers.log"
    first = start_worker(database_url, log)
    try:
        await receiver.wait_for(1, timeout=PATIENCE_SECONDS)
        first.send_signal(signal.SIGKILL)  # mid-POST: no answer recorded, the lease still held
        first.wait(timeout=10)
    finally:
        if first.poll() is None:
            first.kill()
    assert await delivery_state(engine) == ("PENDING", 1)
    assert (await rows(engine, "SELECT count(*) AS n FROM webhook_attempt"))[0].n == 0
    receiver.hold.set()
    receiver.hold = None  # answers at once from now on

    second = start_worker(database_url, log)
    try:
        await receiver.wait_for(2, timeout=PATIENCE_SECONDS + LEASE_SECONDS)
        loop = asyncio.get_running_loop()
        give_up = loop.time() + PATIENCE_SECONDS
        while (await delivery_state(engine))[0] != "DELIVERED":
            assert loop.time() < give_up, log.read_text(errors="replace")[-3000:]
            await asyncio.sleep(0.1)
    finally:
        second.send_signal(signal.SIGTERM)
        assert second.wait(timeout=30) == 0, log.read_text(errors="replace")[-3000:]

    bodies = [orjson.loads(r.body) for r in receiver.received]
    assert [b["objectId"] for b in bodies] == [d["id"], d["id"]]
    assert len({r.headers["x-zhicheng-event-id"] for r in receiver.received}) == 1  # the receiver dedupes by it
    [delivery] = (await api(DELIVERIES, {"id": hook["webhook"]["id"]}, hr))["webhookDeliveries"]["nodes"]
    assert delivery["state"] == "DELIVERED" and delivery["attemptCount"] == 2
    assert [a["statusCode"] for a in delivery["attempts"]] == [200]  # the cut-off POST left no answer
