"""Keyset pagination against real rows: order, cursors, limits."""

from __future__ import annotations

from datetime import UTC

import pytest
from sqlalchemy import select

from core.errors import BadInput
from models import Account
from resolvers.paging import SortKey, decode_cursor, encode_cursor, keyset_page


@pytest.fixture
async def accounts(api, engine, clean_db):
    for n in range(7):
        await api.register_person(loginName=f"pager_{n % 3}_{n}")
    async with engine.connect() as conn:
        yield conn


async def walk(session_like, keys, size):
    from sqlalchemy.ext.asyncio import AsyncSession

    seen, after = [], None
    async with AsyncSession(bind=session_like) as session:
        while True:
            page = await keyset_page(session, select(Account), keys, first=size, after=after, cap=100)
            assert page.total_count == 7
            seen += [a.login_name for a in page.rows]
            if not page.has_next_page:
                return seen
            after = page.cursors[-1]


async def test_pages_cover_every_row_once_in_order(accounts):
    keys = [SortKey(Account.login_name, descending=True), SortKey(Account.id)]
    seen = await walk(accounts, keys, 3)
    assert seen == sorted(seen, reverse=True) and len(set(seen)) == 7


async def test_mixed_directions(accounts):
    keys = [SortKey(Account.kind), SortKey(Account.created_at, descending=True), SortKey(Account.id)]
    seen = await walk(accounts, keys, 2)
    assert len(seen) == 7 and len(set(seen)) == 7


def test_cursor_round_trip_keeps_types():
    from datetime import date, datetime

    values = ("x", 3, datetime(2026, 1, 1, tzinfo=UTC), date(2026, 2, 3))
    assert decode_cursor(encode_cursor(values), 4) == values


@pytest.mark.parametrize("cursor", ["%%%", "WzFd", "eyJhIjogMX0=", "W3siZm9vIjogMX0sIDJd"])
def test_forged_cursors_are_bad_input(cursor):
    with pytest.raises(BadInput):
        decode_cursor(cursor, 2)


@pytest.mark.parametrize("first", [0, -1, 101])
async def test_page_size_is_capped(accounts, first):
    from sqlalchemy.ext.asyncio import AsyncSession

    async with AsyncSession(bind=accounts) as session:
        with pytest.raises(BadInput):
            await keyset_page(session, select(Account), [SortKey(Account.id)], first=first, after=None, cap=100)
