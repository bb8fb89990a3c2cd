"""职称诚信档案: admins record a person who may not declare; creating or confirming a
declaration is refused while an entry is in force; the person reads their own entries.

Race: an entry recorded while the person confirms. Recording locks the person row FOR
UPDATE, and the eligibility check locks it FOR SHARE before reading the list, so the two
are serialised: either the entry committed first and the confirmation is refused, or the
confirmation committed first and the entry applies from then on.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from models import IntegrityRecord, Person
from resolvers.accounts import visible_persons
from resolvers.corrections import today
from resolvers.env import Env
from rules import integrity as rules
from rules.errors import ErrorCode, RuleViolation
from rules.integrity import IntegrityCategory
from rules.regions import PROVINCE_CODE
from rules.text import clean_reason


async def add_to_integrity_list(env: Env, *, person_id: int, reason: str, category: IntegrityCategory,
                                ends_on: date | None) -> IntegrityRecord:
    """记入诚信档案. The provincial office keeps the province's 诚信档案 and may record any
    registered person (fraud can come to light from outside the system, before the person
    declares here); a city office only a person it may see (the persons' visibility rule:
    a declaration routed through its city)."""
    admin = env.require_admin()
    if not await _may_record(env, admin.region_code, person_id):
        raise RuleViolation(ErrorCode.NOT_FOUND, "人员不存在或不在本机构管辖范围内", "personId")
    reason = clean_reason(reason, required=True, required_message="请填写记入诚信档案的原因")
    starts_on = today(env)
    ends = rules.check_period(category, starts_on, ends_on)
    await env.session.execute(select(Person.id).where(Person.id == person_id).with_for_update())
    record = IntegrityRecord(person_id=person_id, category=category, reason=reason, starts_on=starts_on,
                             ends_on=ends, created_by_admin_id=admin.id, created_at=env.clock.now())
    env.session.add(record)
    await env.session.flush()
    period = f"{starts_on.isoformat()}至{ends.isoformat()}"
    env.note_audit("Person", person_id, reason=f"{category.value}: {reason}（{period}）")
    return record


async def _may_record(env: Env, admin_region: str, person_id: int) -> bool:
    if admin_region == PROVINCE_CODE:
        return await env.session.get(Person, person_id) is not None
    return person_id in await visible_persons(env, [person_id])


async def require_not_listed(env: Env, person: Person) -> None:
    """INTEGRITY_LISTED, saying why and until when, while an entry is in force today."""
    # Two statements on purpose: in READ COMMITTED each statement reads with a snapshot taken
    # when it starts, so only a read issued after the lock is granted sees an entry whose
    # recording held the person row (a subquery of the locking statement would not).
    await env.session.execute(select(Person.id).where(Person.id == person.id).with_for_update(read=True))
    day = today(env)
    entry = await env.session.scalar(
        select(IntegrityRecord)
        .where(IntegrityRecord.person_id == person.id, IntegrityRecord.starts_on <= day,
               IntegrityRecord.ends_on >= day)
        .order_by(IntegrityRecord.ends_on.desc()).limit(1))
    if entry is not None:
        raise RuleViolation(ErrorCode.INTEGRITY_LISTED, rules.listed_message(entry.reason, entry.ends_on))


async def my_integrity_records(env: Env) -> list[IntegrityRecord]:
    """The person's own entries, latest first (those no longer in force too)."""
    person = env.require_person()
    return list(await env.session.scalars(
        select(IntegrityRecord).where(IntegrityRecord.person_id == person.id)
        .order_by(IntegrityRecord.starts_on.desc(), IntegrityRecord.id.desc())))


async def visible_integrity_records(env: Env, ids: list[int]) -> dict[int, IntegrityRecord]:
    """Entries by id: the person's own; an admin's for the persons the admin may see."""
    viewer = env.viewer
    if viewer is None or not ids or (viewer.person is None and viewer.admin is None):
        return {}
    rows = list(await env.session.scalars(select(IntegrityRecord).where(IntegrityRecord.id.in_(ids))))
    if viewer.person is not None:
        return {r.id: r for r in rows if r.person_id == viewer.person.id}
    seen = await visible_persons(env, sorted({r.person_id for r in rows}))
    return {r.id: r for r in rows if r.person_id in seen}
