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


def _forged(values: list) -> str:
    import base64
    import json

    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode()


@pytest.mark.parametrize("values", [
    ["2026-01-01T00:00:00+00:00", 1],        # a string where a timestamp is expected
    [{"dt": "2026-01-01T00:00:00"}, 1],      # a naive timestamp for a timestamptz column
    [{"d": "2026-01-01"}, 1],                # a date for a timestamp
    [{"dt": 5}, 1],                          # a timestamp that is not text
    [{"dt": "2026-01-01T00:00:00+00:00"}, "1"],   # a string for an id
    [{"dt": "2026-01-01T00:00:00+00:00"}, 2**63],  # past bigint
    [{"dt": "2026-01-01T00:00:00+00:00"}, 1.5],
    [{"dt": "2026-01-01T00:00:00+00:00"}, True],
    [{"dt": "2026-01-01T00:00:00+00:00"}, [1, [2]]],
])
def test_cursor_values_must_fit_their_columns(values):
    from resolvers.paging import cursor_values

    keys = [SortKey(Account.created_at), SortKey(Account.id)]
    with pytest.raises(BadInput):
        cursor_values(_forged(values), keys)


def test_enum_and_long_cursors():
    from resolvers.paging import cursor_values

    assert cursor_values(_forged(["PERSON", 1]), [SortKey(Account.kind), SortKey(Account.id)]) == ("PERSON", 1)
    for forged in (_forged(["NOBODY", 1]), _forged(["x" * 3000, 1]), "A" * 3000):
        with pytest.raises(BadInput):
            cursor_values(forged, [SortKey(Account.kind), SortKey(Account.id)])
