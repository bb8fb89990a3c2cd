"""分类录入: add, edit and delete the categorised records of an editable declaration."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select

from core.errors import DomainError, ErrorCode, raise_all
from models import DeclarationRecord, Material
from resolvers.declarations import editable_declaration, today
from resolvers.env import Env
from rules.records import RecordCategory, camel, validate_record


def _validated(env: Env, category: RecordCategory, values: dict[str, Any]) -> dict[str, Any]:
    """The clean payload, or every problem as a typed error on `<category>.<field>`."""
    payload, problems = validate_record(category, values, today(env))
    prefix = camel(category.value.lower())
    raise_all([DomainError(ErrorCode(p.code), p.message, f"{prefix}.{p.field}") for p in problems])
    return payload


async def add_record(
    env: Env, *, declaration_id: int, category: RecordCategory, values: dict[str, Any]
) -> DeclarationRecord:
    declaration = await editable_declaration(env, declaration_id, field="declarationId")
    payload = _validated(env, category, values)
    now = env.clock.now()
    record = DeclarationRecord(
        declaration_id=declaration.id, category=category, payload=payload, created_at=now, updated_at=now
    )
    env.session.add(record)
    await env.session.flush()
    return record


async def editable_record(env: Env, record_id: int, *, field: str = "id") -> DeclarationRecord:
    """A record of the applicant's own editable declaration (declaration row locked)."""
    declaration_id = await env.session.scalar(
        select(DeclarationRecord.declaration_id).where(DeclarationRecord.id == record_id)
    )
    if declaration_id is None:
        raise DomainError(ErrorCode.NOT_FOUND, "记录不存在或无权访问", field)
    try:
        await editable_declaration(env, declaration_id, field=field)
    except DomainError as exc:
        if exc.code is ErrorCode.NOT_FOUND:  # someone else's record: do not confirm it exists
            raise DomainError(ErrorCode.NOT_FOUND, "记录不存在或无权访问", field) from None
        raise
    return await env.session.get(DeclarationRecord, record_id, with_for_update=True)


async def update_record(
    env: Env, *, record_id: int, category: RecordCategory, values: dict[str, Any]
) -> DeclarationRecord:
    record = await editable_record(env, record_id)
    if category is not record.category:
        raise DomainError(ErrorCode.INVALID_INPUT, "不能改变记录的类别", "input")
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


async def qualifications_of(env: Env, declaration_ids: list[int]) -> dict[int, list[DeclarationRecord]]:
    """现专业技术资格 of many declarations in one statement (for list pages), in entry order.
    The caller has already checked that it may see these declarations."""
    grouped: dict[int, list[DeclarationRecord]] = {i: [] for i in declaration_ids}
    if declaration_ids:
        rows = await env.session.scalars(
            select(DeclarationRecord)
            .where(DeclarationRecord.declaration_id.in_(declaration_ids),
                   DeclarationRecord.category == RecordCategory.QUALIFICATION)
            .order_by(DeclarationRecord.id)
        )
        for row in rows:
            grouped[row.declaration_id].append(row)
    return grouped
