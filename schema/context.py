"""The per-request context: one database session, the caller, the request's loaders."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

import strawberry
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from starlette.requests import Request
from starlette.responses import Response
from strawberry.dataloader import DataLoader

from core.request_context import current_request_id
from core.services import AppServices
from dataloaders import Loaders
from resolvers.env import ClientViewer, Env, Viewer
from rules.throttle import client_address

T = TypeVar("T")


def _request_id() -> str:
    """The id core.http.RequestLog gave the request (or the client sent); a fresh one for a
    context made outside a request (tests executing the schema directly)."""
    return current_request_id() or uuid.uuid4().hex


@dataclass
class Context:
    services: AppServices
    request: Request | None
    viewer: Viewer | None
    request_id: str = field(default_factory=_request_id)
    # An API client's token (never a person's `viewer`: Env.of keeps the two apart).
    client: ClientViewer | None = None
    # strawberry's sub-response: headers and a status an extension sets reach the answer
    # (the RateLimit headers, 429).
    response: Response | None = None
    _session: AsyncSession | None = None
    # Sibling fields resolve concurrently; one session (one connection) must see one
    # statement at a time, so every database use goes through this lock.
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    _loaders: Loaders | None = None
    # Sibling fields graphql-core left running when a field failed synchronously (it settles
    # them in the background): the request waits for them before it closes its session.
    _background: set[asyncio.Future[Any]] = field(default_factory=set)
    _closed: bool = False

    @property
    def session(self) -> AsyncSession:
        if self._closed:
            # A session made now would hold a pooled connection, perhaps in a transaction,
            # that nothing ever closes.
            raise RuntimeError("the request's session is closed")
        if self._session is None:
            self._session = self.services.session_factory()
        return self._session

    def keep_until_close(self, futures: Iterable[asyncio.Future[Any]]) -> None:
        """Work of this request that runs on after its answer is decided (see `close`)."""
        self._background.update(future for future in futures if not future.done())

    @property
    def loaders(self) -> Loaders:
        if self._loaders is None:
            self._loaders = Loaders(self.read)
        return self._loaders

    def env(self) -> Env:
        return Env.of(self.services, self.session, request_id=self.request_id, viewer=self.client or self.viewer,
                      client_address=self.client_address)

    @property
    def client_address(self) -> str | None:
        """The caller's address from the ASGI scope; X-Forwarded-For only behind a trusted proxy."""
        if self.request is None:
            return None
        peer = self.request.client.host if self.request.client else None
        return client_address(peer, self.request.headers.getlist("x-forwarded-for"),
                              self.services.settings.trusted_proxies)

    @asynccontextmanager
    async def read(self) -> AsyncIterator[Env]:
        """Run reads on the request's session, one at a time."""
        async with self._lock:
            yield self.env()

    @asynccontextmanager
    async def single_statement(self) -> AsyncIterator[AsyncConnection]:
        """The request's connection for a read of one statement: in autocommit when the
        session holds no transaction yet (no BEGIN, no ROLLBACK round trip), else inside it
        (an earlier read, or an Idempotency-Key's claim, began one)."""
        async with self._lock:
            session = self.session
            if session.in_transaction():
                yield await session.connection()
            else:
                yield await session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})

    @asynccontextmanager
    async def own_transaction(self) -> AsyncIterator[Env]:
        """A step of a query that must write (a throttle count) on a session of its own,
        committed when the block ends, rolled back if it raises: the request's read session
        is shared by sibling fields and never commits anything."""
        async with self.services.session_factory() as session:
            env = Env.of(self.services, session, request_id=self.request_id, viewer=self.viewer,
                         client_address=self.client_address)
            try:
                yield env
            except BaseException:
                await session.rollback()
                raise
            await session.commit()

    async def close(self) -> None:
        """Wait for the request's background work, then hand its connection back. Without
        the wait, a sibling field still resolving after another's argument error opened a
        new session after this one closed, and left its connection idle in a transaction."""
        while pending := [future for future in self._background if not future.done()]:
            await asyncio.wait(pending)
        self._closed = True
        if self._session is not None:
            await self._session.close()
            self._session = None


Info = strawberry.Info[Context, None]


async def load_referenced(loader: DataLoader[int, T | None], row_id: int) -> T:
    """The row a NOT NULL foreign key points at, through a by-id loader. The database keeps
    it there, so the loader's None (unknown id) would be a broken reference: raised here
    rather than passed on as a row."""
    row = await loader.load(row_id)
    if row is None:
        raise LookupError(f"row {row_id}, referenced by a foreign key, not found")
    return row
