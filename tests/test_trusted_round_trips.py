"""What a compiled trusted document costs in round trips to PostgreSQL, as asyncpg sends
them: the session lookup and the compiled statement, nothing else (no pool ping for a
connection in use moments ago, no BEGIN, no ROLLBACK); the text of the same page still
runs in a transaction of its own."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy import event

from core import db
from core.services import build_services
from server import create_app
from tests.support.review import REVIEW_QUEUE, ReviewWorld

ADD = """mutation($text: String!) { addTrustedDocument(text: $text) { errors { code message } } }"""
TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK")


class Wire:
    """What the app's connections send while `active`: statements as SQLAlchemy executes
    them, and what asyncpg sends by itself (its query loggers see BEGIN, COMMIT, ROLLBACK
    and pings, not the prepared statements SQLAlchemy runs)."""

    def __init__(self, engine) -> None:
        self.sent: list[str] = []
        self.active = False
        event.listen(engine.sync_engine, "checkout", self._attach)
        event.listen(engine.sync_engine, "checkin", self._detach)
        event.listen(engine.sync_engine, "before_cursor_execute", self._statement)

    def _statement(self, _conn, _cursor, statement, *_args) -> None:
        if self.active:
            self.sent.append(statement.strip())

    def _log(self, record) -> None:
        if self.active:
            self.sent.append(record.query.strip())

    def _attach(self, dbapi_connection, _record, _proxy) -> None:
        dbapi_connection._connection.add_query_logger(self._log)

    def _detach(self, dbapi_connection, _record) -> None:
        if dbapi_connection is not None:
            dbapi_connection._connection.remove_query_logger(self._log)

    async def during(self, request) -> tuple[httpx.Response, list[str]]:
        await asyncio.sleep(0.05)  # an earlier request's last queries are logged by now
        self.sent, self.active = [], True
        try:
            response = await request
            await asyncio.sleep(0.05)  # asyncpg calls its query loggers soon after, not at once
        finally:
            self.active = False
        return response, self.sent


@pytest.fixture
async def wired(database_url, services) -> AsyncIterator[tuple[httpx.AsyncClient, Wire]]:
    # An app of its own on an engine whose connections are never idle long enough to be
    # pinged, so the test sees the request's own round trips whatever the machine's load.
    engine = db.create_engine(database_url, pool_size=2, ping_after_idle=3600)
    wire = Wire(engine)
    app = create_app(build_services(services.settings, engine, services.clock), engine)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        yield client, wire
    await engine.dispose()


async def test_a_compiled_page_is_two_round_trips_and_no_transaction(api, engine, services, wired):
    world = await ReviewWorld(api, engine, services).setup()
    await world.confirmed()
    assert (await api(ADD, {"text": REVIEW_QUEUE}, world.admin))["addTrustedDocument"]["errors"] == []
    client, wire = wired
    headers = {"Authorization": f"Bearer {world.base['token']}"}
    body = {"documentId": hashlib.sha256(REVIEW_QUEUE.encode()).hexdigest(),
            "variables": {"filter": {"state": "PENDING"}, "first": 10}}
    await client.post("/graphql", json=body, headers=headers)  # the worker looks the document up once

    response, sent = await wire.during(client.post("/graphql", json=body, headers=headers))

    assert response.status_code == 200 and "errors" not in response.json()
    assert len(response.json()["data"]["reviewQueue"]["edges"]) == 1
    assert len(sent) == 2 and not any(q.upper().startswith(TRANSACTION_CONTROL) for q in sent), sent
    assert "auth_session" in sent[0] and "json_build_object" in sent[1].lower(), sent


async def test_the_same_page_as_text_still_reads_in_a_transaction(api, engine, services, wired):
    world = await ReviewWorld(api, engine, services).setup()
    await world.confirmed()
    client, wire = wired
    headers = {"Authorization": f"Bearer {world.base['token']}"}
    body = {"query": REVIEW_QUEUE, "variables": {"filter": {"state": "PENDING"}, "first": 10}}

    await client.post("/graphql", json=body, headers=headers)  # a new connection's own set-up queries

    response, sent = await wire.during(client.post("/graphql", json=body, headers=headers))

    assert response.status_code == 200 and "errors" not in response.json()
    # The lookup in autocommit, then the resolvers' reads in one transaction, rolled back
    # (asyncpg logs its own queries a moment later, so the order is not compared).
    assert "auth_session" in sent[0], sent
    assert any(q.upper().startswith("BEGIN") for q in sent) and "ROLLBACK;" in sent, sent
