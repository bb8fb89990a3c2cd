"""SQL renderings of what the standard path computes in Python, for compiled trusted
documents (schema/compiler.py): each reads the same rule (a mask's shape, the
correction-deadline rule, relay's id and our cursor encodings) and a test holds each equal
to its Python twin (tests/test_compiled_documents.py), so the two paths cannot drift."""

from __future__ import annotations

import weakref
from datetime import date
from typing import Any

import orjson
from sqlalchemy import Date, DateTime, String, case, cast, func, literal, literal_column
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.sql.elements import ColumnElement

from rules import corrections
from rules.catalog import Catalog
from rules.declaration_states import DeclarationStatus
from rules.identity import ID_NUMBER_MASK, MOBILE_MASK, Mask


def _stars(mask: Mask) -> ColumnElement[str]:
    return literal("*" * mask.stars, String)


def masked_id_number(column: Any) -> ColumnElement[str]:
    """rules.identity.mask_resident_id in SQL (ID numbers are stored normalised: no spaces)."""
    m, value = ID_NUMBER_MASK, func.upper(func.btrim(column))
    return case((func.length(value) < m.keep_start + m.keep_end, _stars(m)),
                else_=func.left(value, m.keep_start) + _stars(m) + func.right(value, m.keep_end))


def masked_mobile(column: Any) -> ColumnElement[str]:
    """rules.identity.mask_mobile in SQL."""
    m = MOBILE_MASK
    return func.left(column, m.keep_start) + _stars(m) + func.right(column, m.keep_end)


def _base64(text: ColumnElement[str]) -> ColumnElement[str]:
    # PostgreSQL breaks base64 into lines of 76 characters; Python does not.
    return func.replace(func.encode(func.convert_to(text, "UTF8"), "base64"), literal_column("E'\\n'"), "")


def global_id(type_name: str, row_id: Any) -> ColumnElement[str]:
    """relay.to_base64(type_name, id): schema.ids.encode_id in SQL."""
    return _base64(literal(f"{type_name}:", String) + cast(row_id, String))


def int_cursor(*values: Any) -> ColumnElement[str]:
    """resolvers.paging.encode_cursor of integer sort keys: url-safe base64 of a JSON array."""
    text: ColumnElement[str] = literal("[", String)
    for i, value in enumerate(values):
        text = text + (literal(",", String) if i else literal("", String)) + cast(value, String)
    return func.translate(_base64(text + literal("]", String)), "+/", "-_")


def json_cursor(*values: Any) -> ColumnElement[str]:
    """resolvers.paging.encode_cursor of sort keys of any type a cursor holds: each value as
    `_encode_value` makes it and orjson writes it (to_json writes strings as orjson does:
    UTF-8, the same escapes)."""
    text: ColumnElement[str] = literal("[", String)
    for i, value in enumerate(values):
        text = text + (literal(",", String) if i else literal("", String)) + _cursor_value(value)
    return func.translate(_base64(text + literal("]", String)), "+/", "-_")


def _cursor_value(value: Any) -> ColumnElement[str]:
    """One sort key's JSON in a cursor: a timestamp as {"dt": isoformat()}, a date as
    {"d": isoformat()} (no spaces: orjson's), anything else as itself; NULL as null."""
    if isinstance(value.type, DateTime):
        if not value.type.timezone:  # iso_datetime reads a timestamptz; no sort key is naive
            raise TypeError(f"a cursor of a timestamp without time zone: {value!r}")
        json = literal('{"dt":', String) + cast(func.to_json(iso_datetime(value)), String) + literal("}", String)
    elif isinstance(value.type, Date):
        json = literal('{"d":', String) + cast(func.to_json(iso_date(value)), String) + literal("}", String)
    else:
        json = cast(func.to_json(value), String)
    return func.coalesce(json, literal("null", String))


def iso_datetime(column: Any) -> ColumnElement[str]:
    """datetime.isoformat() of a timestamptz as asyncpg hands it over (UTC): microseconds
    only when there are any, as Python writes them."""
    utc = func.timezone("UTC", column)
    whole = func.to_char(utc, 'YYYY-MM-DD"T"HH24:MI:SS')
    fraction = case((func.date_trunc("second", column) == column, literal("", String)),
                    else_=func.to_char(utc, ".US"))
    return case((column.is_(None), None), else_=whole + fraction + literal("+00:00", String))


def iso_date(column: Any) -> ColumnElement[str]:
    return func.to_char(column, "YYYY-MM-DD")


_NAMES: weakref.WeakKeyDictionary[Catalog, ColumnElement[Any]] = weakref.WeakKeyDictionary()


def catalog_names(catalog: Catalog) -> ColumnElement[Any]:
    """The names rules.catalog.series_name / title_name / specialty_name read, as one jsonb
    constant of the statement: the same in-memory catalogue, so a compiled answer names a
    code as the standard path does, retired entries included. A constant, not a bound
    parameter: PostgreSQL parses it once, when the statement is prepared, where a parameter
    (22 kB) was parsed by every execution (measured: 0.3 ms of each compiled page)."""
    names = _NAMES.get(catalog)
    if names is None:
        text = orjson.dumps({
            "series": {code: s.name for code, s in catalog.series_by_code.items()},
            "title": {code: t.name for code, (_, _, t) in catalog.titles_by_code.items()},
            "specialty": {code: sp.name for code, (_, sp) in catalog.specialties_by_code.items()},
            "condition": {code: c.name for code, c in catalog.conditions_by_code.items()},
        }).decode()
        names = _NAMES[catalog] = literal_column("'" + text.replace("'", "''") + "'::jsonb", JSONB)
    return names


def catalog_name(kind: str, code: Any, catalog: Catalog) -> ColumnElement[str]:
    """rules.catalog.<kind>_name(code) or "": a lookup in the catalogue's names."""
    return func.coalesce(catalog_lookup(kind, code, catalog), "")


def catalog_lookup(kind: str, code: Any, catalog: Catalog) -> ColumnElement[str]:
    """The name of a code in the catalogue's names (`catalog_names`), NULL for an unknown
    code: kinds series, title, specialty and condition (破格条件, find_exceptional_condition)."""
    return func.jsonb_extract_path_text(catalog_names(catalog), kind, code)


def effective_status(status: Any, deadline: Any, today: Any) -> ColumnElement[str]:
    """rules.corrections.effective_status: a RETURNED declaration whose correction deadline
    has passed (today > deadline) is ABANDONED."""
    return case(((status == DeclarationStatus.RETURNED.value) & deadline.is_not(None) & (today > deadline),
                 literal(DeclarationStatus.ABANDONED.value, String)), else_=cast(status, String))


# --- corrections (一次性告知补正) -------------------------------------------------------------


def deadline_passed(deadline: Any, today: Any) -> ColumnElement[bool]:
    """rules.corrections.has_expired: the deadline is the last day, passed from the next day on."""
    return today > deadline


def _expiry_offset() -> ColumnElement[Any]:
    """rules.corrections.expired_at's zone, a fixed offset (+08:00), as an SQL interval. Were
    the rule to use the tz database's Asia/Shanghai instead, this would differ on its summer
    days of 1986–1991 (daylight saving), which the property test draws from."""
    offset = corrections.expired_at(date(2000, 1, 1)).utcoffset()
    if offset is None:
        raise RuntimeError("rules.corrections.expired_at must return an aware datetime")
    return literal_column(f"INTERVAL '{int(offset.total_seconds())} seconds'")


_EXPIRY_OFFSET = _expiry_offset()


def expired_at(deadline: Any) -> ColumnElement[Any]:
    """rules.corrections.expired_at in SQL (a timestamptz): the first instant of the day after
    the deadline at the rule's fixed offset."""
    return func.timezone("UTC", cast(deadline + 1, DateTime) - _EXPIRY_OFFSET)


_MARK = date(1, 1, 1)
#: rules.corrections.abandoned_reason around its date, read from the rule itself.
_REASON_BEFORE, _REASON_AFTER = corrections.abandoned_reason(_MARK).split(_MARK.isoformat())


def abandoned_reason(deadline: Any) -> ColumnElement[str]:
    """rules.corrections.abandoned_reason in SQL (the reason of the 视为放弃 step)."""
    return literal(_REASON_BEFORE, String) + iso_date(deadline) + literal(_REASON_AFTER, String)


_LABELS = orjson.dumps({target.value: label for target, label in corrections.TARGET_LABELS.items()}).decode()


def correction_label(target: Any) -> ColumnElement[str]:
    """rules.corrections.TARGET_LABELS[target] in SQL (a constant of the statement)."""
    return func.jsonb_extract_path_text(cast(literal_column("'" + _LABELS.replace("'", "''") + "'"), JSONB), target)
