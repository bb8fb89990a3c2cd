"""Rate limits by query cost: the cost of a document, extensions.cost, the RateLimit headers,
429 when a request does not fit, per client and per anonymous address; people unlimited."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from graphql import parse

from core.services import build_services
from rules.rate_limits import Budget, Charge, window_start
from schema.cost import query_cost
from server import create_app
from tests.conftest import TEST_SETTINGS
from tests.support import clients
from tests.support.api import Api

DECLARATIONS = "query($n: Int) { declarations(first: $n) { totalCount nodes { personName } } }"
REGIONS = "{ regions { code } }"


def cost(document: str, variables: dict | None = None, cap: int = 100) -> int:
    return query_cost(parse(document), None, variables or {}, cap=cap)


def test_cost_counts_what_could_come_back_with_nested_pages_multiplying():
    assert cost("{ me { loginName } }") == 1
    assert cost("{ declarations(first: 10) { nodes { personName } } }") == 11
    assert cost(DECLARATIONS, {"n": 40}) == 41
    assert cost(DECLARATIONS, {}) == 1 + 20  # the default page size
    assert cost("{ a: declarations(first: 500) { totalCount } }") == 101  # beyond the cap counts as the cap
    nested = "{ apiClients(first: 10) { nodes { x: apiClients(first: 5) { totalCount } } } }"
    assert cost(nested) == 1 + 10 + 10 * 5
    fragment = "query { ...F } fragment F on Query { declarations(first: 3) { totalCount } }"
    assert cost(fragment) == 4


def test_windows_and_headers():
    budget = Budget(100, timedelta(hours=1))
    now = datetime(2026, 3, 1, 1, 30, tzinfo=UTC)
    start = window_start(now, budget.window)
    assert start == datetime(2026, 3, 1, 1, 0, tzinfo=UTC)
    allowed = Charge(30, budget, 70, start, allowed=True)
    assert allowed.headers(now) == {"RateLimit-Policy": '"cost";q=100;w=3600', "RateLimit": '"cost";r=30;t=1800'}
    refused = Charge(50, budget, 70, start, allowed=False)
    assert refused.headers(now)["Retry-After"] == "1800"


@pytest.fixture
async def limited_from(engine, clock, tmp_path, clean_db) -> AsyncIterator:
    """`limited_from(address)`: a client of an app whose API clients have 100 cost a window
    and anonymous addresses 10."""
    settings = dataclasses.replace(TEST_SETTINGS, data_dir=tmp_path, rate_client_budget=100,
                                   rate_anonymous_budget=10)
    app = create_app(build_services(settings, engine, clock), engine)
    opened: list[httpx.AsyncClient] = []

    def make(address: str = "127.0.0.1") -> Api:
        transport = httpx.ASGITransport(app=app, client=(address, 40000))
        opened.append(httpx.AsyncClient(transport=transport, base_url="http://test"))
        return Api(opened[-1])

    yield make
    for c in opened:
        await c.aclose()


@pytest.fixture
def limited(limited_from) -> Api:
    return limited_from("10.1.1.1")


async def test_a_clients_cost_is_reported_and_charged(api, services):
    token = await clients.token(api, await clients.register(services, scopes=["declarations:read"]))
    response = await api.raw(DECLARATIONS, {"n": 10}, token)
    body = response.json()
    spent = body["extensions"]["cost"]
    assert (spent["requested"], spent["limit"], spent["remaining"]) == (11, 500_000, 500_000 - 11)
    assert response.headers["ratelimit-policy"] == '"cost";q=500000;w=3600'
    assert response.headers["ratelimit"].startswith(f'"cost";r={500_000 - 11};t=')
    again = (await api.raw(DECLARATIONS, {"n": 10}, token)).json()["extensions"]["cost"]
    assert again["remaining"] == 500_000 - 22


async def test_over_budget_is_429_spends_nothing_and_resets(limited, services, clock):
    api = limited
    client = await clients.register(services, scopes=["declarations:read"])
    token = await clients.token(api, client)
    assert (await api.raw(DECLARATIONS, {"n": 60}, token)).status_code == 200  # 61 of 100
    refused = await api.raw(DECLARATIONS, {"n": 50}, token)  # 51 does not fit in 39
    assert refused.status_code == 429
    body = refused.json()
    assert body["data"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["RATE_LIMITED"]
    assert body["extensions"]["cost"]["remaining"] == 39
    assert int(refused.headers["retry-after"]) == body["extensions"]["cost"]["resetSeconds"] > 0
    assert refused.headers["ratelimit"].startswith('"cost";r=39;')
    # What was refused cost nothing: 39 still fit.
    assert (await api.raw(DECLARATIONS, {"n": 38}, token)).status_code == 200
    assert (await api.raw(DECLARATIONS, {"n": 1}, token)).status_code == 429
    huge = await api.raw(DECLARATIONS, {"n": 100}, token)  # more than a whole window's budget
    assert huge.status_code == 429
    clock.advance(hours=1)  # the next window (and a new token: the old one lived an hour)
    assert (await api.raw(DECLARATIONS, {"n": 60}, await clients.token(api, client))).status_code == 200


async def test_graphql_response_media_type_keeps_429(limited, services):
    api = limited
    token = await clients.token(api, await clients.register(services, scopes=["declarations:read"]))
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/graphql-response+json"}
    response = await api.client.post("/graphql", json={"query": DECLARATIONS, "variables": {"n": 100}},
                                      headers=headers)
    assert response.status_code == 429
    assert response.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"


async def test_anonymous_callers_are_limited_per_address(limited_from):
    first, second = limited_from("10.0.0.1"), limited_from("10.0.0.2")
    for _ in range(10):
        assert (await first.raw(REGIONS)).status_code == 200
    refused = await first.raw(REGIONS)
    assert refused.status_code == 429 and "retry-after" in refused.headers
    assert (await second.raw(REGIONS)).status_code == 200


async def test_logged_in_people_are_not_limited(limited_from, applicant):
    api = limited_from("10.0.0.3")
    for _ in range(15):
        response = await api.raw(REGIONS, token=applicant["token"])
        assert response.status_code == 200
    assert response.json()["extensions"]["cost"] == {"requested": 1}
    assert "ratelimit" not in response.headers


async def test_concurrent_charges_never_overspend(limited, services):
    api = limited
    token = await clients.token(api, await clients.register(services, scopes=["declarations:read"]))
    answers = await asyncio.gather(*[api.raw(DECLARATIONS, {"n": 40}, token) for _ in range(4)])  # 41 each of 100
    assert sorted(a.status_code for a in answers) == [200, 200, 429, 429]
