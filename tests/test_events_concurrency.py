"""The change feed under concurrent writers: ids are drawn at insert, rows appear at commit, in
different orders. A reader polling while they commit must end up with every event exactly
once, in the feed's (txid, id) order, whatever order they committed in."""

from __future__ import annotations

import asyncio
import random

import asyncpg
import pytest
from strawberry import relay

from core import db
from tests.support.feed import drain, drain_until
from tests.support.review import ReviewWorld, rows

INSERT = ("INSERT INTO feed_event (type, object_type, object_id, region_code, occurred_at, payload) "
          "VALUES ('path.revoked', 'ReportingPath', $1, '370100', now(), '{}') RETURNING id")


def row_id(event: dict) -> int:
    return int(relay.from_base64(event["id"])[1])


@pytest.fixture
async def connect(database_url):
    opened: list[asyncpg.Connection] = []

    async def make() -> asyncpg.Connection:
        opened.append(await asyncpg.connect(db.plain_url(database_url)))
        return opened[-1]

    yield make
    for conn in opened:
        await conn.close()


async def feed_order(engine) -> list[int]:
    """Every row of the feed, in the order readers must get them."""
    return [r.id for r in await rows(engine, "SELECT id FROM feed_event ORDER BY txid, id")]


async def test_an_id_drawn_later_but_committed_first_is_not_skipped(api, province_admin, engine, connect):
    """The classic gap: A draws id 1, B draws id 2 and commits, a reader by id stores cursor 2,
    A commits id 1 behind it. Here the reader sees nothing until A ends, then both."""
    a, b = await connect(), await connect()
    ta, tb = a.transaction(), b.transaction()
    await ta.start()
    first = await a.fetchval(INSERT, 1)
    await tb.start()
    second = await b.fetchval(INSERT, 2)
    await tb.commit()
    assert first < second
    seen, cursor = await drain(api, province_admin)
    assert seen == []  # A is still open: B's event waits behind it
    await ta.commit()
    seen, _ = await drain_until(api, province_admin, lambda es: len(es) == 2, after=cursor)
    assert [row_id(e) for e in seen] == [first, second]


async def test_a_transaction_id_taken_first_sorts_first_whatever_its_row_id(api, province_admin, connect):
    a, b = await connect(), await connect()
    ta, tb = a.transaction(), b.transaction()
    await ta.start()
    await a.fetchval("SELECT pg_current_xact_id()")
    await tb.start()
    early = await b.fetchval(INSERT, 1)
    await tb.commit()
    late = await a.fetchval(INSERT, 2)
    await ta.commit()
    seen, _ = await drain_until(api, province_admin, lambda es: len(es) == 2)
    assert [row_id(e) for e in seen] == [late, early]  # A's transaction is older


async def test_a_reader_polling_during_concurrent_commits_gets_each_event_once(api, engine, services, connect):
    world = await ReviewWorld(api, engine, services).setup()
    declarations = [await world.confirmed() for _ in range(6)]
    _, cursor = await drain_until(api, world.admin, lambda es: len(es) >= 2 + 6)
    rng = random.Random(15)

    async def raw_writer(n: int) -> None:
        """A transaction that takes its id, dawdles, writes two events and dawdles again."""
        conn = await connect()
        async with conn.transaction():
            await conn.fetchval("SELECT pg_current_xact_id()")
            await asyncio.sleep(rng.random() * 0.3)
            await conn.fetchval(INSERT, n)
            await asyncio.sleep(rng.random() * 0.3)
            await conn.fetchval(INSERT, n)

    async def approve(d: dict) -> None:
        assert (await world.review(world.base, d["id"]))["errors"] == []

    read: list[dict] = []
    writers_done = asyncio.Event()

    async def reader() -> None:
        nonlocal cursor
        while not writers_done.is_set():
            more, cursor = await drain(api, world.admin, cursor, first=3)
            read.extend(more)
            await asyncio.sleep(0.01)

    polling = asyncio.create_task(reader())
    await asyncio.gather(*[raw_writer(n) for n in range(8)], *[approve(d) for d in declarations])
    writers_done.set()
    await polling
    expected = (await feed_order(engine))[8:]  # after the route's and the confirmations' events
    rest, _ = await drain_until(api, world.admin, lambda es: len(read) + len(es) >= len(expected), after=cursor)
    read += rest
    assert [row_id(e) for e in read] == expected
    assert len(expected) == 8 * 2 + 6
