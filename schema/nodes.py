"""Relay node resolution shared by the areas' node types."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import Any, TypeVar

from resolvers.env import Env
from schema.context import Info

T = TypeVar("T")


async def resolve_visible(
    info: Info,
    node_ids: Iterable[str],
    fetch: Callable[[Env, list[int]], Awaitable[dict[int, Any]]],
    build: Callable[[Any], T],
) -> list[T | None]:
    """Nodes by id through the area's visibility rule (`fetch` returns only what the caller
    may see); None where it may not, so existence does not leak."""
    ids = [int(i) for i in node_ids]
    async with info.context.read() as env:
        found = await fetch(env, ids)
    return [build(found[i]) if i in found else None for i in ids]
