"""Reading the change feed as a client does: page by page from a stored cursor.

The feed shows a transaction's events only once every older transaction of the PostgreSQL
server has ended, and the server is shared (other test runs, other databases): a reader
that expects events polls until they arrive (`drain_until`), as a real client would."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

EVENTS = """query($after: String, $first: Int, $types: [EventType!]) {
  events(after: $after, first: $first, types: $types) {
    totalCount pageInfo { hasNextPage hasPreviousPage endCursor }
    edges { cursor node { id type objectId regionCode occurredAt payload } } } }"""

#: Long enough for another run's transactions on the shared server to end.
PATIENCE_SECONDS = 60.0


async def read_page(api, token: str, after: str | None = None, first: int = 100, **variables: Any) -> dict:
    return (await api(EVENTS, {"after": after, "first": first, **variables}, token))["events"]


async def drain(api, token: str, after: str | None = None, first: int = 100, **variables: Any
                ) -> tuple[list[dict], str | None]:
    """Every event readable now after `after`, and the cursor to resume from."""
    events: list[dict] = []
    while True:
        page = await read_page(api, token, after, first, **variables)
        events += [e["node"] for e in page["edges"]]
        after = page["pageInfo"]["endCursor"] or after
        if not page["pageInfo"]["hasNextPage"]:
            return events, after


async def drain_until(api, token: str, done: Callable[[list[dict]], bool], after: str | None = None,
                      first: int = 100, **variables: Any) -> tuple[list[dict], str | None]:
    """Read on from `after` until `done(events read so far)`; fails after PATIENCE_SECONDS."""
    events: list[dict] = []
    loop = asyncio.get_running_loop()
    give_up = loop.time() + PATIENCE_SECONDS
    while True:
        more, after = await drain(api, token, after, first, **variables)
        events += more
        if done(events):
            return events, after
        assert loop.time() < give_up, f"the feed stopped at {len(events)} events: {events[-3:]}"
        await asyncio.sleep(0.05)


def of_object(events: list[dict], object_id: str) -> list[str]:
    return [e["type"] for e in events if e["objectId"] == object_id]
