"""Issue 15's "Done when", as one HR system lives it. The province admin registers the client;
from then on the HR system has nothing but its client id and secret. It gets a token, pages
through its region's results (after a committee stage run through the API), exports the
certificates as XLSX and reads the file back, follows the feed without a gap while workflow
steps commit concurrently, and receives signed webhooks on a real receiver on 127.0.0.1. Each
refusal it can meet is typed: wrong scope, other region, rate limit, an idempotency key reused
with another body (checked right after the first call: keys expire long before the week the
results publicity takes), an expired export link."""

from __future__ import annotations

import asyncio
import dataclasses
import io

import httpx
import openpyxl
import orjson
import pytest
from strawberry import relay

from app.factory import create_app
from app.webhooks import WebhookSender
from core.services import build_services
from rules import exports as export_rules
from rules.webhooks import verify
from tests.conftest import TEST_SETTINGS
from tests.support import clients
from tests.support.api import Api
from tests.support.committee import CommitteeWorld, passed_session
from tests.support.feed import EVENTS, PATIENCE_SECONDS, drain
from tests.support.receiver import Receiver
from tests.support.review import rows
from tests.test_exports import EXPORT, START, download, work
from tests.test_results import CONFIRM, end_publicity
from tests.test_results import START as START_PUBLICITY

CREATE_CLIENT = """mutation($input: CreateApiClientInput!) {
  createApiClient(input: $input) { apiClient { clientId } clientSecret errors { code } } }"""
CREATE_WEBHOOK = """mutation($url: String!, $types: [EventType!]!) { createWebhook(url: $url, eventTypes: $types) {
  webhook { id } secret errors { code field } } }"""
RESULTS = """query($f: DeclarationsFilter, $first: Int, $after: String) {
  declarations(filter: $f, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    nodes { declarationId personName idNumber titleName status result tally { agree present passed }
            certificateNumber certificateIssuedOn certificateRevoked updatedAt } } }"""


@pytest.fixture
def services(engine, clock, tmp_path):
    """Webhooks may reach the receiver on 127.0.0.1 over http."""
    settings = dataclasses.replace(TEST_SETTINGS, data_dir=tmp_path, webhook_allowed_networks=("127.0.0.0/8",))
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


def codes(body: dict) -> list[str]:
    return [e["extensions"]["code"] for e in body.get("errors") or []]


async def post(api: Api, query: str, variables: dict, token: str, key: str | None = None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"}
    if key is not None:
        headers["Idempotency-Key"] = key
    return await api.client.post("/graphql", json={"query": query, "variables": variables}, headers=headers)


async def register_hr_system(api: Api, admin: str) -> clients.Client:
    """What the province admin hands over: a client id and a secret shown once."""
    created = (await api(CREATE_CLIENT, {"input": {
        "name": "济南市人事管理系统", "regionCode": "370100",
        "scopes": ["DECLARATIONS_READ", "EVENTS_READ", "WEBHOOKS_MANAGE"]}}, admin))["createApiClient"]
    assert created["errors"] == [], created
    return clients.Client(0, created["apiClient"]["clientId"], created["clientSecret"], "370100")


async def page_through(api: Api, token: str, **filter_) -> list[dict]:
    """Every page of `declarations`, two at a time, following endCursor."""
    nodes: list[dict] = []
    after = None
    while True:
        page = (await api(RESULTS, {"f": filter_, "first": 2, "after": after}, token))["declarations"]
        nodes += page["nodes"]
        if not page["pageInfo"]["hasNextPage"]:
            return nodes
        after = page["pageInfo"]["endCursor"]


async def test_an_hr_system_with_only_its_client_id_and_secret(api, client, engine, services, database_url, clock,
                                                               receiver, sender):
    world = await CommitteeWorld(api, engine, services).setup()  # 济南 units, a committee, its office
    hr = await register_hr_system(api, world.admin)

    # 1. A token by the client-credentials grant (RFC 6749 §4.4), nothing else in hand.
    granted = await clients.grant(api, hr)
    assert granted.status_code == 200, granted.text
    assert granted.json()["token_type"].lower() == "bearer"
    token = granted.json()["access_token"]
    wrong = await clients.grant(api, hr, secret="not-the-secret")
    assert wrong.status_code == 401 and wrong.json()["error"] == "invalid_client"

    # 2. It subscribes to the grants (signed webhooks) and stores its feed position.
    hook = await post(api, CREATE_WEBHOOK, {"url": receiver.url, "types": ["DECLARATION_GRANTED"]}, token,
                      key="hook-1")
    subscribed = hook.json()["data"]["createWebhook"]
    assert subscribed["errors"] == [], subscribed
    # A retry (say, the answer was lost) replays the first answer; the key with another body
    # is refused (keys live a day, so this is checked now, before the week below).
    replay = await post(api, CREATE_WEBHOOK, {"url": receiver.url, "types": ["DECLARATION_GRANTED"]}, token,
                        key="hook-1")
    assert replay.json()["data"] == hook.json()["data"] and replay.headers["idempotent-replayed"] == "true"
    reused = await post(api, CREATE_WEBHOOK, {"url": receiver.url, "types": ["DECLARATION_CONFIRMED"]}, token,
                        key="hook-1")
    assert reused.status_code == 422 and codes(reused.json()) == ["IDEMPOTENCY_KEY_REUSED"]
    seen_so_far, cursor = await drain(api, token)

    # 3. The committee stage, through the API: ballot, results publicity, confirmation.
    session, candidates = await passed_session(world, [True, True, False])
    assert (await api(START_PUBLICITY, {"s": session["id"], "days": None}, world.office))[
        "startResultsPublicity"]["errors"] == []
    await end_publicity(world)
    assert (await api(CONFIRM, {"s": session["id"]}, world.admin))["confirmResults"]["errors"] == []
    passed = {c["declaration"]["id"] for c in candidates if c["passed"]}
    failed = {c["declaration"]["id"] for c in candidates if not c["passed"]}
    token = await clients.token(api, hr)  # the end of publicity took a week: a fresh token

    # 4. Its region's results, page by page, with certificate numbers.
    results = await page_through(api, token, statuses=["GRANTED", "NOT_PASSED"], year=2026)
    by_id = {n["declarationId"]: n for n in results}
    assert set(by_id) == passed | failed and len(results) == 3
    for d in passed:
        assert (by_id[d]["result"], by_id[d]["tally"]["passed"], by_id[d]["certificateRevoked"]) == (
            "GRANTED", True, False)
        assert by_id[d]["certificateNumber"] and by_id[d]["certificateIssuedOn"]
        assert "********" in by_id[d]["idNumber"]  # no identity scope: masked
    assert [(by_id[d]["result"], by_id[d]["certificateNumber"]) for d in failed] == [("NOT_PASSED", None)]
    numbers = {by_id[d]["certificateNumber"]: by_id[d] for d in passed}

    # 5. The certificates as XLSX: a job, run by the worker, read back from the signed link.
    started = (await api(START, {"kind": "CERTIFICATES", "format": "XLSX", "filter": {"year": 2026}}, token))[
        "startExport"]
    assert started["errors"] == [], started
    await work(services, database_url, clock)
    export = (await api(EXPORT, {"id": started["export"]["id"]}, token))["export"]
    assert (export["state"], export["rowsDone"], export["rowsTotal"]) == ("SUCCEEDED", 2, 2)
    response = await download(client, export["downloadUrl"], token)
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True).active
    table = [list(r) for r in sheet.iter_rows(values_only=True)]
    keys = [k for k, _ in export_rules.CERTIFICATE_COLUMNS]
    assert table[0] == [h for _, h in export_rules.CERTIFICATE_COLUMNS]
    lines = [dict(zip(keys, r, strict=True)) for r in table[1:]]
    assert {line["certificateNumber"] for line in lines} == set(numbers)
    for line in lines:
        assert line["holderName"] == numbers[line["certificateNumber"]]["personName"]
        assert line["idNumber"] == numbers[line["certificateNumber"]]["idNumber"]  # the same mask
        assert line["declarationId"] == numbers[line["certificateNumber"]]["declarationId"]

    # 6. Signed webhooks for the two grants, verified as a receiver would.
    async def both_granted() -> bool:
        return len(receiver.received) >= 2
    loop = asyncio.get_running_loop()
    give_up = loop.time() + PATIENCE_SECONDS
    while not await both_granted():
        assert loop.time() < give_up, "no webhook arrived"
        await sender.run_once()
        await asyncio.sleep(0.05)
    for request in receiver.received:
        assert verify(subscribed["secret"], request.headers["x-zhicheng-timestamp"], request.body,
                      request.headers["x-zhicheng-signature"], now=clock.now().timestamp())
    assert {orjson.loads(r.body)["objectId"] for r in receiver.received} == passed
    assert {orjson.loads(r.body)["type"] for r in receiver.received} == {"DECLARATION_GRANTED"}

    # 7. The feed, followed while new declarations are confirmed concurrently: every event of
    #    the region exactly once, in the feed's order, whatever order the writers committed in.
    read: list[dict] = list(seen_so_far)
    writers_done = asyncio.Event()

    async def writers() -> None:
        await asyncio.gather(*(world.confirmed() for _ in range(4)))
        writers_done.set()

    async def reader() -> None:
        nonlocal cursor
        while True:
            finished = writers_done.is_set()
            more, cursor = await drain(api, token, cursor)
            read.extend(more)
            if finished and await caught_up():
                return
            await asyncio.sleep(0.02)

    async def caught_up() -> bool:
        return len(read) == len(await region_feed())

    async def region_feed() -> list[int]:
        return [r.id for r in await rows(engine, "SELECT id FROM feed_event WHERE region_code = '370100' "
                                                 "ORDER BY txid, id")]

    await asyncio.wait_for(asyncio.gather(writers(), reader()), PATIENCE_SECONDS)
    ids = [int(relay.from_base64(e["id"])[1]) for e in read]
    assert ids == await region_feed()  # no gap, no repeat, commit order
    assert sum(e["type"] == "DECLARATION_CONFIRMED" for e in read) >= 4

    # 8. The refusals, each typed.
    narrow = await clients.token(api, hr, scope="declarations:read")  # a token without events:read
    assert codes((await api.raw(EVENTS, {"first": 1}, narrow)).json()) == ["FORBIDDEN"]
    other_region = await api.raw(RESULTS, {"f": {"regionCode": "370200"}, "first": 1}, token)
    assert codes(other_region.json()) == ["FORBIDDEN"]
    refused = (await api(START, {"kind": "RESULTS", "format": "CSV", "filter": {"regionCode": "370200"}}, token))[
        "startExport"]
    assert [e["code"] for e in refused["errors"]] == ["NOT_YOUR_REGION"] and refused["export"] is None


    # An hour on, the link has lapsed (and so has the token: a fresh one, as a client would).
    # The rate limit comes last: the hour also opens a new budget window.
    clock.advance(minutes=services.settings.export_link_minutes + 1)
    late = await download(client, export["downloadUrl"], await clients.token(api, hr))
    assert late.status_code == 410 and late.json()["code"] == "EXPORT_LINK_EXPIRED"

    limited_settings = dataclasses.replace(services.settings, rate_client_budget=100)
    app = create_app(build_services(limited_settings, engine, clock), engine)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as http:
        limited = Api(http)
        budget_token = await clients.token(limited, hr)
        spent = await limited.raw(RESULTS, {"first": 60}, budget_token)
        assert spent.status_code == 200 and spent.json()["extensions"]["cost"]["requested"] > 0
        over = await limited.raw(RESULTS, {"first": 60}, budget_token)
        assert over.status_code == 429 and codes(over.json()) == ["RATE_LIMITED"]
        assert int(over.headers["retry-after"]) > 0 and over.headers["ratelimit"].startswith('"cost";')
