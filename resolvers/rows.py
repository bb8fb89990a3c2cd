"""Rows of list pages read as plain records through Core, not as ORM instances.

A review-queue page of 50 reads about 200 entities (each item's step, declaration,
applicant and work unit). The ORM builds every one as an instance with identity-map state
and instrumented attributes: 3.7 ms of CPU for the page's statement, against 1.4 ms for the
same statement read as Core rows (measured at scale 0.1, 200 pages). A page only reads its
rows, so it gets records: per model a named tuple of its column attributes, with the model's
plain properties (`Unit.is_permitted`), read by the same `.of` builders as instances are.
A record is immutable and belongs to no session: nothing can flush it by accident.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Sequence
from typing import Any

from sqlalchemy import inspect
from sqlalchemy.engine import Row
from sqlalchemy.sql.elements import ColumnElement

_record_types: dict[type, Any] = {}


def record_type(model: type) -> Any:
    """The record of `model`'s rows: its column attributes by their ORM names, and its
    properties (computed from those columns)."""
    if model not in _record_types:
        keys = [attr.key for attr in inspect(model).column_attrs]  # type: ignore[var-annotated]
        fields = namedtuple(f"{model.__name__}Record", keys)  # type: ignore[misc]
        properties = {name: value for klass in reversed(model.__mro__) for name, value in vars(klass).items()
                      if isinstance(value, property)}
        _record_types[model] = type(fields.__name__, (fields,), {"__slots__": (), **properties})
    return _record_types[model]


class RecordColumns:
    """The columns of a select that reads several models (and extra expressions) side by
    side, and how to cut each result row back into one record per model.

    `RecordColumns(ReviewStep=ReviewStep, Declaration=Declaration, qualifications=expr)`
    selects both tables' columns and the expression; `read(row)` gives an object with
    `.ReviewStep`, `.Declaration` (records) and `.qualifications` (the value), as a row of
    `select(ReviewStep, Declaration, expr.label("qualifications"))` would."""

    def __init__(self, **parts: type | ColumnElement[Any]) -> None:
        self.columns: list[ColumnElement[Any]] = []
        # (record type, or None for a value; first column; end; the primary key's column)
        self._readers: list[tuple[Any, int, int, int]] = []
        for name, part in parts.items():
            start = len(self.columns)
            if isinstance(part, type):
                columns = [attr.columns[0] for attr in inspect(part).column_attrs]  # type: ignore[var-annotated]
                key = start + columns.index(inspect(part).primary_key[0])
                self.columns.extend(columns)
                self._readers.append((record_type(part), start, len(self.columns), key))
            else:
                self.columns.append(part.label(name))
                self._readers.append((None, start, start + 1, start))
        self._row: Any = namedtuple("RecordRow", list(parts))  # type: ignore[misc]

    def read(self, row: Row[Any] | Sequence[Any]) -> Any:
        """One record per model (None where an outer join found no row: its key is null)."""
        return self._row(*[row[start] if record is None else None if row[key] is None
                           else record._make(row[start:end]) for record, start, end, key in self._readers])
