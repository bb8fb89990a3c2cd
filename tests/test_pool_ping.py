"""core/db.py's ping of idle pooled connections: a connection the database dropped while it
sat idle is replaced before a request sees it; one in use moments ago is not pinged."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import DBAPIError

from core import db

PID = text("SELECT pg_backend_pid()")


async def _terminate(database_url: str, pid: int) -> None:
    admin = await asyncpg.connect(db.plain_url(database_url))
    try:
        assert await admin.fetchval("SELECT pg_terminate_backend($1)", pid)
        # pg_terminate_backend only signals; wait until the backend is gone.
        while await admin.fetchval("SELECT count(*) FROM pg_stat_activity WHERE pid = $1", pid):
            await asyncio.sleep(0.02)
    finally:
        await admin.close()


async def _pid(engine) -> int:
    async with engine.connect() as connection:
        return (await connection.execute(PID)).scalar_one()


async def test_an_idle_connection_the_database_dropped_is_replaced(database_url):
    engine = db.create_engine(database_url, pool_size=1, ping_after_idle=0)
    try:
        first = await _pid(engine)
        await _terminate(database_url, first)
        second = await _pid(engine)  # pinged at checkout, found dead, reconnected: no error
    finally:
        await engine.dispose()
    assert second != first


async def test_a_connection_used_moments_ago_is_not_pinged(database_url):
    engine = db.create_engine(database_url, pool_size=1, ping_after_idle=3600)
    try:
        first = await _pid(engine)
        await _terminate(database_url, first)
        # No ping: the dead connection reaches the statement, which fails once …
        with pytest.raises(DBAPIError) as failed:
            await _pid(engine)
        assert failed.value.connection_invalidated
        # … and the disconnect invalidated the pool, so the next checkout reconnects.
        second = await _pid(engine)
    finally:
        await engine.dispose()
    assert second != first


async def test_a_busy_connection_costs_no_ping_statements(database_url):
    engine = db.create_engine(database_url, pool_size=1, ping_after_idle=3600)
    seen: list[str] = []

    @event.listens_for(engine.sync_engine, "before_cursor_execute")
    def _count(_conn, _cursor, statement, *_args) -> None:
        seen.append(statement)

    try:
        pids = {await _pid(engine) for _ in range(3)}
        # With pinging at every checkout the dialect's ping runs beside each statement.
        pinged = db.create_engine(database_url, pool_size=1, ping_after_idle=0)
        ping_calls = 0
        original = pinged.dialect.do_ping

        def counting_ping(dbapi_connection) -> bool:
            nonlocal ping_calls
            ping_calls += 1
            return original(dbapi_connection)

        pinged.dialect.do_ping = counting_ping  # type: ignore[method-assign]
        try:
            for _ in range(3):
                await _pid(pinged)
        finally:
            await pinged.dispose()
    finally:
        await engine.dispose()
    assert len(pids) == 1 and seen == [str(PID)] * 3
    assert ping_calls == 2  # not the first checkout of a fresh connection


async def test_one_failure_invalidates_every_older_pooled_connection(database_url):
    engine = db.create_engine(database_url, pool_size=2, ping_after_idle=3600)
    try:
        async with engine.connect() as a, engine.connect() as b:
            pids = {(await a.execute(PID)).scalar_one(), (await b.execute(PID)).scalar_one()}
        for pid in pids:  # the database restarted: both pooled connections are dead
            await _terminate(database_url, pid)
        with pytest.raises(DBAPIError):
            await _pid(engine)
        # The other dead connection is not handed out again: the pool recycles it.
        async with engine.connect() as a, engine.connect() as b:
            after = {(await a.execute(PID)).scalar_one(), (await b.execute(PID)).scalar_one()}
    finally:
        await engine.dispose()
    assert not after & pids
