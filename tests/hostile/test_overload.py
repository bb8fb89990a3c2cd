"""Issue item 3: overload is shed with a quick 503 and Retry-After, `/healthz` keeps
answering, and neither a pool timeout nor a database outage is ever a (plain-text) 500.

Before: 200 concurrent review-queue requests gave 36 HTTP 500s (pool timeouts during
authentication), p50 32 s and `/healthz` up to 19 s; during an outage GraphQL answered
a plain-text 500. A table lock held by the test stands in for a slow database, so each
request the server admits holds its connection for as long as the test says."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest

from tests.hostile.helpers import TcpProxy, table_locked

REGIONS = {"query": "{ regions { code } }"}  # answered from memory
# Anyone may try to log in; the account is looked up in the database.
LOGIN = {"query": 'mutation { login(login: "nobody", password: "x") { token errors { code } } }'}
# Any bearer token is looked up in auth_session, which the test locks.
TOKEN = {"Authorization": "Bearer overload"}


async def _burst(url: str, count: int) -> list[httpx.Response]:
    limits = httpx.Limits(max_connections=count)
    async with httpx.AsyncClient(timeout=15, limits=limits) as client:
        return await asyncio.gather(*(client.post(f"{url}/graphql", json=REGIONS, headers=TOKEN)
                                      for _ in range(count)))


async def _healthz_times(url: str, until: asyncio.Task) -> list[int]:
    statuses = []
    async with httpx.AsyncClient(timeout=2) as client:
        while not until.done():
            statuses.append((await client.get(f"{url}/healthz")).status_code)
            await asyncio.sleep(0.05)
    return statuses


def _codes(response: httpx.Response) -> list[str]:
    return [e["extensions"]["code"] for e in response.json().get("errors", [])]


async def test_overload_is_shed_with_503_and_healthz_answers(start_server, database_url):
    server = start_server(env={"ZHICHENG_DB_POOL_SIZE": "2", "ZHICHENG_MAX_CONCURRENT": "2",
                               "ZHICHENG_MAX_WAITING": "3", "ZHICHENG_QUEUE_TIMEOUT": "1"})
    async with table_locked(database_url, "auth_session"):
        burst = asyncio.create_task(_burst(server.url, 40))
        health = asyncio.create_task(_healthz_times(server.url, burst))
        await asyncio.sleep(2)  # two requests hold the connections, the rest are shed
    responses = await burst
    statuses = [r.status_code for r in responses]
    assert set(statuses) == {200, 503}, statuses
    assert statuses.count(200) >= 2
    for response in responses:
        if response.status_code == 503:
            assert _codes(response) == ["SERVER_BUSY"] and response.headers["retry-after"]
    healthz = await health
    assert healthz and set(healthz) == {200}
    await asyncio.sleep(0.3)  # the server writes its log asynchronously to our reading
    shed = [json.loads(line) for line in server.log_text().splitlines() if '"outcome":"shed"' in line]
    assert len(shed) == statuses.count(503) and {line["level"] for line in shed} == {"WARNING"}


async def test_pool_timeout_is_503_not_500(start_server, database_url):
    # More requests admitted than the pool holds: the others time out waiting for it.
    server = start_server(env={"ZHICHENG_DB_POOL_SIZE": "1", "ZHICHENG_MAX_CONCURRENT": "30",
                               "ZHICHENG_DB_POOL_TIMEOUT": "0.5"})
    async with table_locked(database_url, "auth_session"):
        burst = asyncio.create_task(_burst(server.url, 12))
        await asyncio.sleep(2)
    responses = await burst
    statuses = [r.status_code for r in responses]
    assert statuses.count(503) >= 8 and set(statuses) <= {200, 503}, statuses
    for response in responses:
        if response.status_code == 503:
            assert _codes(response) == ["SERVICE_UNAVAILABLE"] and response.headers["retry-after"]
    assert "Traceback" not in server.log_text()


@pytest.fixture(scope="module")
def proxy(database_url):
    proxy = TcpProxy(database_url)
    yield proxy
    proxy.close()


async def test_database_outage_is_a_json_503(start_server, proxy):
    server = start_server(env={"DATABASE_URL": proxy.url})
    async with httpx.AsyncClient(base_url=server.url, timeout=15) as client:
        before = await client.post("/graphql", json=LOGIN)
        assert before.status_code == 200 and before.json()["data"]["login"]["token"] is None
        proxy.cut()
        answers = [
            await client.post("/graphql", json=LOGIN),  # fails inside a resolver
            await client.post("/graphql", json=REGIONS, headers=TOKEN),  # fails authenticating
            await client.get("/materials/1", headers=TOKEN),
        ]
        for response in answers:
            assert response.status_code == 503, response.text
            assert response.headers["content-type"] == "application/json"
            assert _codes(response) == ["SERVICE_UNAVAILABLE"] and response.headers["retry-after"]
        assert (await client.get("/healthz")).status_code == 200
        assert (await client.get("/readyz")).status_code == 503
