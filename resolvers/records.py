"""分类录入: add, edit and delete the categorised records of an editable declaration."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, delete, func, literal_column, select
from sqlalchemy.dialects.postgresql import aggregate_order_by

from models import DeclarationRecord, Material
from resolvers.corrections import check_record_edit, today
from resolvers.declarations import editable_declaration, visible_declarations
from resolvers.env import Env
from rules.errors import ErrorCode, RuleViolation, raise_all
from rules.records import RecordCategory, validate_record


def _validated(env: Env, category: RecordCategory, values: dict[str, Any]) -> dict[str, Any]:
    """The clean payload, or every problem as a typed error on `<category>.<field>`."""
    payload, problems = validate_record(category, values, today(env))
    raise_all(problems)
    return payload


async def add_record(
    env: Env, *, declaration_id: int, category: RecordCategory, values: dict[str, Any]
) -> DeclarationRecord:
    declaration = await editable_declaration(env, declaration_id, field="declarationId")
    await check_record_edit(env, declaration, category, "input")
    payload = _validated(env, category, values)
    now = env.clock.now()
    record = DeclarationRecord(
        declaration_id=declaration.id, category=category, payload=payload, created_at=now, updated_at=now
    )
    env.session.add(record)
    await env.session.flush()
    return record


async def editable_record(env: Env, record_id: int, *, field: str = "id") -> DeclarationRecord:
    """A record of the applicant's own editable declaration (declaration row locked), of a
    category the open correction notice names, if there is one."""
    declaration_id = await env.session.scalar(
        select(DeclarationRecord.declaration_id).where(DeclarationRecord.id == record_id)
    )
    if declaration_id is None:
        raise RuleViolation(ErrorCode.NOT_FOUND, "记录不存在或无权访问", field)
    try:
        declaration = await editable_declaration(env, declaration_id, field=field)
    except RuleViolation as exc:
        if exc.code is ErrorCode.NOT_FOUND:  # someone else's record: do not confirm it exists
            raise RuleViolation(ErrorCode.NOT_FOUND, "记录不存在或无权访问", field) from None
        raise
    record = await env.session.get(DeclarationRecord, record_id, with_for_update=True)
    if record is None:  # deleted (a concurrent deleteRecord) before the declaration was locked
        raise RuleViolation(ErrorCode.NOT_FOUND, "记录不存在或无权访问", field)
    await check_record_edit(env, declaration, record.category, field)
    return record


async def update_record(
    env: Env, *, record_id: int, category: RecordCategory, values: dict[str, Any]
) -> DeclarationRecord:
    record = await editable_record(env, record_id)
    if category is not record.category:
        raise RuleViolation(ErrorCode.INVALID_INPUT, "不能改变记录的类别", "input")
    record.payload = _validated(env, category, values)
    record.updated_at = env.clock.now()
    await env.session.flush()
    return record


async def delete_record(env: Env, *, record_id: int) -> int:
    """Deleting a record deletes its proof materials with it (the files stay: content-addressed)."""
    record = await editable_record(env, record_id)
    await env.session.execute(delete(Material).where(Material.record_id == record.id))
    await env.session.delete(record)
    await env.session.flush()
    return record_id


class ListedRecord(NamedTuple):
    """A record as a list page reads it (the attributes `schema.records.record_of` uses)."""
    id: int
    declaration_id: int
    category: RecordCategory
    payload: dict[str, Any]
    created_at: datetime
    updated_at: datetime


def qualifications_column(declaration_id: ColumnElement[int]) -> ColumnElement[Any]:
    """现专业技术资格 of each listed declaration as one JSON array in entry order, a column of
    the page statement itself (measured: a statement of their own cost ~1.5 ms of a page).
    The caller has already checked that it may see these declarations."""
    r = DeclarationRecord
    entry = func.jsonb_build_object("id", r.id, "created_at", r.created_at, "updated_at", r.updated_at,
                                    "payload", r.payload)
    return (
        select(func.coalesce(func.jsonb_agg(aggregate_order_by(entry, r.id)), literal_column("'[]'::jsonb")))
        .where(r.declaration_id == declaration_id, r.category == RecordCategory.QUALIFICATION)
        .scalar_subquery()
    )


def listed_qualifications(declaration_id: int, column: list[dict[str, Any]]) -> list[ListedRecord]:
    # JSON carries the session's UTC offset; asyncpg hands timestamptz over in UTC: so do we.
    def at(text: str) -> datetime:
        return datetime.fromisoformat(text).astimezone(UTC)
    return [ListedRecord(e["id"], declaration_id, RecordCategory.QUALIFICATION, e["payload"],
                         at(e["created_at"]), at(e["updated_at"]))
            for e in column]


async def visible_records(env: Env, ids: list[int]) -> dict[int, DeclarationRecord]:
    """Records by id, of declarations the caller may see (the declarations' own rule)."""
    if env.viewer is None or not ids:
        return {}
    rows = list(await env.session.scalars(select(DeclarationRecord).where(DeclarationRecord.id.in_(ids))))
    seen = await visible_declarations(env, sorted({r.declaration_id for r in rows}))
    return {r.id: r for r in rows if r.declaration_id in seen}
