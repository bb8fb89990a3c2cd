"""Idempotency-Key (issue 15): a mutation retried with the same key and body gets the first
answer and changes nothing; the same key with another body is refused; a retry while the
first still runs is told to wait.

The claim is its own committed transaction before the mutation runs, so a concurrent retry
finds it (the loser of two identical retries at once waits on the winner's insert, then sees
it in use). Keys are per caller and expire (ZHICHENG_IDEMPOTENCY_HOURS).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert

from models import IdempotencyKey
from resolvers.env import Env


@dataclass
class Earlier:
    """What a key already holds: another body, a request still running, or its answer."""

    same_body: bool
    status: int | None
    response: Any


async def claim(env: Env, *, caller: str, key: str, digest: bytes) -> Earlier | None:
    """Claim `key` for this request (None: claimed, run it), or what an earlier request
    with the key left. Expired keys of the caller are swept first."""
    now = env.clock.now()
    await env.session.execute(delete(IdempotencyKey).where(IdempotencyKey.caller == caller,
                                                           IdempotencyKey.expires_at <= now))
    claimed = await env.session.scalar(
        pg_insert(IdempotencyKey)
        .values(caller=caller, key=key, request_hash=digest, created_at=now,
                expires_at=now + timedelta(hours=env.settings.idempotency_hours))
        .on_conflict_do_nothing(index_elements=["caller", "key"])
        .returning(IdempotencyKey.key))
    if claimed is not None:
        return None
    row = (await env.session.execute(
        select(IdempotencyKey.request_hash, IdempotencyKey.status, IdempotencyKey.response)
        .where(IdempotencyKey.caller == caller, IdempotencyKey.key == key))).one()
    return Earlier(same_body=row.request_hash == digest, status=row.status, response=row.response)


async def keep_answer(env: Env, *, caller: str, key: str, status: int, response: Any) -> None:
    await env.session.execute(update(IdempotencyKey).where(IdempotencyKey.caller == caller, IdempotencyKey.key == key)
                              .values(status=status, response=response))


async def release(env: Env, *, caller: str, key: str) -> None:
    """The request ended without an answer worth replaying (a server fault, a rate limit):
    a retry runs it afresh."""
    await env.session.execute(delete(IdempotencyKey).where(IdempotencyKey.caller == caller,
                                                           IdempotencyKey.key == key))
