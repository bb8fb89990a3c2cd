"""The per-request context: one database session, the caller, the request's loaders."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request

from core.services import AppServices
from dataloaders import Loaders
from resolvers import audit
from resolvers.env import Env, Viewer
from rules.errors import RecordedFailure, RuleViolation, RuleViolations
from schema.errors import user_errors


@dataclass
class Context:
    services: AppServices
    request: Request | None
    viewer: Viewer | None
    request_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    _session: AsyncSession | None = None
    # Sibling fields resolve concurrently; one session (one connection) must see one
    # statement at a time, so every database use goes through this lock.
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    _loaders: Loaders | None = None

    @property
    def session(self) -> AsyncSession:
        if self._session is None:
            self._session = self.services.session_factory()
        return self._session

    @property
    def loaders(self) -> Loaders:
        if self._loaders is None:
            self._loaders = Loaders(self.read)
        return self._loaders

    def env(self) -> Env:
        return Env.of(self.services, self.session, request_id=self.request_id, viewer=self.viewer)

    @asynccontextmanager
    async def read(self) -> AsyncIterator[Env]:
        """Run reads on the request's session, one at a time."""
        async with self._lock:
            yield self.env()

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


Info = strawberry.Info[Context, None]
T = TypeVar("T")
P = TypeVar("P")


async def run_step(
    info: Info,
    step: Callable[..., Awaitable[T]],
    payload: Callable[..., P],
    build: Callable[[T], P],
    audit_action: str | None = None,
    **kwargs: Any,
) -> P:
    """One workflow step as one transaction.

    Success commits and `build`s the payload from the step's result. An expected failure
    rolls back (so bad input changes nothing) and returns `payload(errors=[...])`; a
    `RecordedFailure` commits its bookkeeping first. Anything else rolls back and
    propagates, to be masked. With `audit_action`, a refused step of a unit or an admin
    is still written to the audit log, in a transaction of its own after the rollback.
    """
    ctx = info.context
    async with ctx._lock:
        session = ctx.session
        if session.in_transaction():
            await session.commit()  # end any read transaction of an earlier field
        try:
            result = await step(ctx.env(), **kwargs)
            await session.commit()
        except RecordedFailure as exc:
            await session.commit()
            return payload(errors=user_errors(exc))
        except (RuleViolation, RuleViolations) as exc:
            await session.rollback()
            await _audit_refusal(ctx, audit_action, exc)
            return payload(errors=user_errors(exc))
        except BaseException:
            await session.rollback()
            raise
    return build(result)


async def _audit_refusal(ctx: Context, action: str | None, exc: RuleViolation | RuleViolations) -> None:
    viewer = ctx.viewer
    if action is None or viewer is None or (viewer.unit is None and viewer.admin is None):
        return
    errors = exc.errors if isinstance(exc, RuleViolations) else [exc]
    await audit.record(ctx.env(), action, success=False, reason="; ".join(e.code.value for e in errors))
    await ctx.session.commit()
