"""What several hostile tests need beside a live server: raw sockets, a lock held on a
table, the database's view of its sessions, and a TCP proxy that can cut the database off."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import AsyncIterator

import asyncpg
from sqlalchemy.engine import make_url

from core import db

HOST = "127.0.0.1"


async def open_slow_post(port: int, token: str = "slow-client",
                         length: int = 200) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """A POST /graphql that sends its headers and one byte of a `length`-byte body, then nothing."""
    reader, writer = await asyncio.open_connection(HOST, port)
    writer.write((f"POST /graphql HTTP/1.1\r\nHost: {HOST}:{port}\r\nContent-Type: application/json\r\n"
                  f"Authorization: Bearer {token}\r\nContent-Length: {length}\r\n\r\n{{").encode())
    await writer.drain()
    return reader, writer


async def response_status(reader: asyncio.StreamReader) -> int:
    """The status code of the next response on a raw connection."""
    head = await reader.readuntil(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1])


@contextlib.asynccontextmanager
async def table_locked(database_url: str, table: str) -> AsyncIterator[None]:
    """Hold ACCESS EXCLUSIVE on a table: every statement of the server that reads it waits
    (with its pooled connection) until the block ends — a slow database, on demand."""
    conn = await asyncpg.connect(db.plain_url(database_url))
    try:
        async with conn.transaction():
            await conn.execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")
            yield
    finally:
        await conn.close()


async def idle_in_transaction(database_url: str) -> int:
    """Sessions of the test database left open inside a transaction, waiting on their client."""
    conn = await asyncpg.connect(db.plain_url(database_url))
    try:
        return await conn.fetchval("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                                   "AND state = 'idle in transaction' AND pid <> pg_backend_pid()")
    finally:
        await conn.close()


class TcpProxy:
    """127.0.0.1:<port> forwarded to the database server, run on a thread of its own (the
    test's loop may be blocked in a sync call). `cut()` drops every connection and closes
    the port: the database is gone as far as the server behind the proxy can tell."""

    def __init__(self, database_url: str) -> None:
        url = make_url(database_url)
        # The embedded server listens only on a Unix socket (`?host=/its/folder`).
        socket_dir = url.query.get("host")
        self.unix_path = (f"{socket_dir}/.s.PGSQL.{url.port or 5432}"
                          if isinstance(socket_dir, str) and socket_dir.startswith("/") else None)
        self.target = (url.host or HOST, url.port or 5432)
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.writers: set[asyncio.StreamWriter] = set()
        self.server = self._call(asyncio.start_server(self._handle, HOST, 0))
        self.port = self.server.sockets[0].getsockname()[1]
        self.url = (url.difference_update_query(["host"]).set(host=HOST, port=self.port)
                    .render_as_string(hide_password=False))

    def _call(self, coroutine):
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(10)

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self.unix_path is not None:
            up_reader, up_writer = await asyncio.open_unix_connection(self.unix_path)
        else:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        self.writers |= {writer, up_writer}
        await asyncio.gather(_pipe(reader, up_writer), _pipe(up_reader, writer), return_exceptions=True)

    def cut(self) -> None:
        async def cut() -> None:
            self.server.close()
            for writer in self.writers:
                writer.transport.abort()
            self.writers.clear()

        self._call(cut())

    def close(self) -> None:
        self.cut()
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    finally:
        writer.close()
