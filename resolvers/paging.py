"""Keyset pagination: pages stay as fast at row 900,000 as at row 1.

A cursor is the sort-key values of the last row seen, encoded opaquely. Each ordering
must end in a unique column (the primary key) so that the order is total.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Generic, TypeVar

import orjson
from sqlalchemy import (
    BigInteger,
    Date,
    DateTime,
    Enum,
    Integer,
    Select,
    SmallInteger,
    String,
    and_,
    func,
    or_,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.sql.elements import ColumnElement

from core.errors import BadInput

T = TypeVar("T")
DEFAULT_PAGE_SIZE = 20


@dataclass(frozen=True)
class SortKey:
    """One column of an ordering: a mapped attribute (`Unit.name`) or a Core expression,
    usually a labelled one (`case(...).label("rank")`)."""

    column: ColumnElement[Any] | InstrumentedAttribute[Any]
    descending: bool = False

    @property
    def name(self) -> str:
        """The attribute a fetched row carries this key's value under."""
        if self.column.key is None:
            raise TypeError(f"sort key {self.column!r} has no name: give keyset_page a key_of")
        return self.column.key


@dataclass
class Page(Generic[T]):
    rows: list[T]
    cursors: list[str]
    has_next_page: bool
    has_previous_page: bool
    total_count: int


def _encode_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"dt": value.isoformat()}
    if isinstance(value, date):
        return {"d": value.isoformat()}
    if hasattr(value, "value"):  # enums sort by their stored value
        return value.value
    return value


def _decode_value(value: Any) -> Any:
    if isinstance(value, dict):
        if isinstance(value.get("dt"), str):
            return datetime.fromisoformat(value["dt"])
        if isinstance(value.get("d"), str):
            return date.fromisoformat(value["d"])
        raise ValueError("unknown cursor value")
    if isinstance(value, (str, int, float)) or value is None:
        return value
    raise ValueError("unknown cursor value")


def encode_cursor(values: tuple[Any, ...]) -> str:
    return base64.urlsafe_b64encode(orjson.dumps([_encode_value(v) for v in values])).decode()


#: Our cursors are a few sort-key values: the longest (a rank, a 100-character unit name
#: and an id) is under 600 characters. Longer is forged and not worth decoding.
MAX_CURSOR_CHARS = 2048
_BAD_CURSOR = "分页游标（after）无效"


def decode_cursor(cursor: str, width: int) -> tuple[Any, ...]:
    """The values of a cursor of `width` keys; BAD_USER_INPUT for anything we did not issue
    in shape (see `cursor_values` for the types)."""
    if len(cursor) > MAX_CURSOR_CHARS:
        raise BadInput(_BAD_CURSOR)
    try:
        raw = orjson.loads(base64.urlsafe_b64decode(cursor.encode()))
        if not isinstance(raw, list) or len(raw) != width:
            raise ValueError("cursor width")
        return tuple(_decode_value(v) for v in raw)
    except (ValueError, binascii.Error, orjson.JSONDecodeError, UnicodeEncodeError) as exc:
        raise BadInput(_BAD_CURSOR) from exc


_INT_RANGES = ((BigInteger, 63), (SmallInteger, 15), (Integer, 31))  # subclasses first


def _fits(column: ColumnElement[Any] | InstrumentedAttribute[Any], value: Any) -> bool:
    """Whether PostgreSQL can compare `column` with `value` without an error. A forged
    cursor with a string for a timestamp, an int past bigint or a naive datetime made the
    driver raise, and the client saw a masked internal error."""
    if value is None:
        return True  # `column > NULL` is never true: an empty page, not an error
    kind = column.type
    if isinstance(kind, Integer):
        bits = next(b for t, b in _INT_RANGES if isinstance(kind, t))
        return type(value) is int and -(2**bits) <= value < 2**bits
    if isinstance(kind, DateTime):
        return isinstance(value, datetime) and (value.tzinfo is not None) == bool(kind.timezone)
    if isinstance(kind, Date):
        return type(value) is date
    if isinstance(kind, String):  # Enum is a String
        if not isinstance(value, str) or len(value) > MAX_CURSOR_CHARS or "\x00" in value:
            return False
        return not isinstance(kind, Enum) or value in kind.enums
    return False  # a column type no cursor of ours holds


def cursor_values(cursor: str, keys: list[SortKey]) -> tuple[Any, ...]:
    """The sort-key values of `cursor`, each of its key's column type, or BAD_USER_INPUT."""
    values = decode_cursor(cursor, len(keys))
    if not all(_fits(key.column, value) for key, value in zip(keys, values, strict=True)):
        raise BadInput(_BAD_CURSOR)
    return values


def page_size(first: int | None, cap: int) -> int:
    size = DEFAULT_PAGE_SIZE if first is None else first
    if not 1 <= size <= cap:
        raise BadInput(f"每页条数（first）须在1至{cap}之间")
    return size


def after_condition(keys: list[SortKey], values: tuple[Any, ...]) -> ColumnElement[bool]:
    """Rows strictly after `values` in the order of `keys` (mixed directions allowed)."""
    clauses = []
    for i, key in enumerate(keys):
        equal_before = [k.column == v for k, v in zip(keys[:i], values[:i], strict=True)]
        beyond = key.column < values[i] if key.descending else key.column > values[i]
        clauses.append(and_(*equal_before, beyond))
    return or_(*clauses)


async def keyset_page(
    session: AsyncSession,
    stmt: Select,
    keys: list[SortKey],
    *,
    first: int | None,
    after: str | None,
    cap: int,
    key_of: Callable[[Any], tuple[Any, ...]] | None = None,
    count: Select | None = None,
    read: Callable[[Any], Any] | None = None,
) -> Page:
    """Fetch one page of `stmt` (which selects whole entities or rows) in `keys` order.

    One statement: the page (LIMIT n+1 to learn whether more follow) with the total count as
    an uncorrelated scalar subquery, which PostgreSQL evaluates once (an InitPlan); a second
    statement counts only when the page is empty. `key_of(row)` gives a row's sort-key
    values; by default the attributes named like the key columns are read off the row.
    `count` is the same rows without the joins that only decorate them: counting through
    joins costs a join per matching row. `read(row)` turns a result row into the page's row
    (resolvers.rows.RecordColumns.read) before `key_of` sees it.
    """
    size = page_size(first, cap)
    counted = select(func.count()).select_from((count if count is not None else stmt).order_by(None).subquery())
    # column_descriptions describes every column: 1 ms for a page read as records.
    single = read is None and len(stmt.column_descriptions) == 1
    if after is not None:
        stmt = stmt.where(after_condition(keys, cursor_values(after, keys)))
    ordered = stmt.order_by(*[k.column.desc() if k.descending else k.column.asc() for k in keys])
    with_total = ordered.add_columns(counted.correlate(None).scalar_subquery())
    # Records are read through the session's connection (Core): the ORM's result machinery
    # would set up a loader for each of a page's ~70 columns on every execution.
    execute = session.execute if read is None else (await session.connection()).execute
    result = (await execute(with_total.limit(size + 1))).all()
    total: int = result[0][-1] if result else (await session.execute(counted)).scalar_one()
    # The count rides on every row; an entity (or one column) per row comes back as itself.
    rows: list[Any] = [row[0] for row in result] if single else list(result)
    if read is not None:
        rows = [read(row) for row in rows]
    has_next = len(rows) > size
    rows = rows[:size]
    key_of = key_of or (lambda row: tuple(getattr(row, k.name) for k in keys))
    return Page(
        rows=rows,
        cursors=[encode_cursor(key_of(row)) for row in rows],
        has_next_page=has_next,
        has_previous_page=after is not None,
        total_count=total,
    )
