"""专家库: a committee's experts, managed by its office; 回避 declarations.

An expert is a registered person (they log in as themselves to give opinions and vote),
found by ID number and name. Each row is one term of at most 3 years; a new term closes the
current row (`current` false) and opens another, so past terms stay on record. Suspending
or retiring keeps the row; only ACTIVE experts whose term covers a meeting are drawn.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from core.errors import Forbidden
from models import (
    Committee,
    Expert,
    ExpertConflict,
    ExpertStatus,
    Person,
)
from resolvers.db_errors import violated_constraint
from resolvers.env import Env
from resolvers.formal_check import lock_committee_declaration, office_committee
from resolvers.paging import Page, SortKey, keyset_page
from resolvers.units import require_permitted_unit
from rules import committee as rules
from rules.catalog import TitleLevel, find_series
from rules.errors import ErrorCode, RuleViolation, raise_all
from rules.identity import normalize_resident_id
from rules.regions import PROVINCE_CODE, region_covers
from rules.text import clean_reason


@dataclass(frozen=True)
class ExpertDetails:
    id_number: str
    name: str
    specialty_codes: list[str]
    held_level: TitleLevel
    unit_id: int
    term_start: date
    term_end: date


def _check_details(committee: Committee, d: ExpertDetails) -> list[RuleViolation]:
    errors: list[RuleViolation] = []
    series = find_series(committee.series_code)
    known = {s.code for s in series.specialties} if series else set()
    if not d.specialty_codes or any(code not in known for code in d.specialty_codes):
        errors.append(RuleViolation(ErrorCode.UNKNOWN_SPECIALTY, "请选择本系列的专业", "specialtyCodes"))
    if not any(rules.may_judge(d.held_level, TitleLevel(lv)) for lv in committee.levels):
        errors.append(RuleViolation(ErrorCode.EXPERT_LEVEL_TOO_LOW, field="heldLevel"))
    try:
        rules.check_term(d.term_start, d.term_end)
    except RuleViolation as exc:
        errors.append(exc)
    return errors


async def _person(env: Env, id_number: str, name: str) -> Person:
    person = await env.session.scalar(select(Person).where(Person.id_number == normalize_resident_id(id_number)))
    if person is None or person.name != name.strip():
        raise RuleViolation(ErrorCode.NOT_FOUND, "没有此身份证号与姓名的注册个人", "idNumber")
    return person


async def add_expert(env: Env, *, details: ExpertDetails) -> Expert:
    """入库: a registered person joins the office's committee pool for one term."""
    _, committee = await office_committee(env)
    raise_all(_check_details(committee, details))
    person = await _person(env, details.id_number, details.name)
    await require_permitted_unit(env, details.unit_id, "unitId")
    now = env.clock.now()
    expert = Expert(person_id=person.id, committee_id=committee.id, series_code=committee.series_code,
                    specialty_codes=sorted(set(details.specialty_codes)), held_level=details.held_level,
                    unit_id=details.unit_id, term_start=details.term_start, term_end=details.term_end,
                    status=ExpertStatus.ACTIVE, current=True, created_at=now, updated_at=now)
    env.session.add(expert)
    try:
        await env.session.flush()
    except IntegrityError as exc:
        if violated_constraint(exc) == "uq_expert_current":
            raise RuleViolation(ErrorCode.EXPERT_ALREADY_IN_POOL, field="idNumber") from None
        raise
    env.note_audit("Expert", expert.id, region_code=committee.region_code)
    return expert


async def _lock_current(env: Env, expert_id: int) -> tuple[Expert, Committee]:
    _, committee = await office_committee(env)
    expert = await env.session.scalar(
        select(Expert).where(Expert.id == expert_id).with_for_update().execution_options(populate_existing=True))
    if expert is None or expert.committee_id != committee.id:
        raise RuleViolation(ErrorCode.NOT_FOUND, field="id")
    if not expert.current:
        raise RuleViolation(ErrorCode.INVALID_STATE, "这是已结束的聘期，请对当前聘期操作", "id")
    env.note_audit("Expert", expert.id, region_code=committee.region_code)
    return expert, committee


async def set_expert_status(env: Env, *, expert_id: int, status: ExpertStatus, reason: str | None) -> Expert:
    """暂停 (SUSPENDED), 恢复 (ACTIVE) or 退出 (RETIRED, final for this term). Panels drawn
    earlier keep their members: the draw judged them when it ran."""
    expert, _ = await _lock_current(env, expert_id)
    if expert.status is ExpertStatus.RETIRED:
        raise RuleViolation(ErrorCode.INVALID_STATE, "该专家本聘期已退出", "id")
    expert.status = status
    expert.status_reason = clean_reason(reason, required=status is not ExpertStatus.ACTIVE,
                                        required_message="暂停或退出须填写原因")
    expert.updated_at = env.clock.now()
    return expert


async def renew_expert(env: Env, *, expert_id: int, term_start: date, term_end: date) -> Expert:
    """续聘: a new term (a new row, ACTIVE); the current one ends and stays on record."""
    old, committee = await _lock_current(env, expert_id)
    rules.check_term(term_start, term_end)
    if term_start <= old.term_start:
        raise RuleViolation(ErrorCode.EXPERT_TERM_INVALID, "新聘期须在原聘期开始之后", "termStart")
    await env.session.execute(update(Expert).where(Expert.id == old.id).values(current=False))
    now = env.clock.now()
    new = _next_term(old, term_start, term_end, now)
    env.session.add(new)
    await env.session.flush()
    env.note_audit("Expert", new.id, region_code=committee.region_code)
    return new


def _next_term(old: Expert, start: date, end: date, now: datetime) -> Expert:
    return Expert(person_id=old.person_id, committee_id=old.committee_id, series_code=old.series_code,
                  specialty_codes=list(old.specialty_codes), held_level=old.held_level, unit_id=old.unit_id,
                  term_start=start, term_end=end, status=ExpertStatus.ACTIVE, current=True,
                  created_at=now, updated_at=now)


async def declare_conflict(env: Env, *, expert_id: int, declaration_id: int, reason: str | None) -> ExpertConflict:
    """回避: the office records an expert's conflict with a candidate of its committee (the
    expert tells the office, which keeps the list; experts do not see candidates' files
    outside their panels). Recorded before the draw it keeps the expert off the panel for
    that candidate; declaring the same conflict again changes nothing."""
    expert, committee = await _lock_current(env, expert_id)
    declaration = await lock_committee_declaration(env, declaration_id, "declarationId")
    text = clean_reason(reason, required=True, required_message="请填写回避原因")
    existing = await env.session.scalar(select(ExpertConflict).where(
        ExpertConflict.person_id == expert.person_id, ExpertConflict.declaration_id == declaration.id))
    if existing is not None:
        return existing
    conflict = ExpertConflict(person_id=expert.person_id, declaration_id=declaration.id, committee_id=committee.id,
                              reason=text, declared_at=env.clock.now(),
                              declared_by_account_id=env.require_viewer().account.id)
    env.session.add(conflict)
    await env.session.flush()
    env.note_audit("Expert", expert.id, reason=f"回避申报 {declaration.id}", region_code=committee.region_code)
    return conflict


async def list_experts(env: Env, *, committee_id: int | None, status: ExpertStatus | None, include_past: bool,
                       first: int | None, after: str | None) -> Page:
    """The office sees its committee's pool; an admin the pools of its region's committees
    (or one of them). Current terms unless `include_past`."""
    viewer = env.require_viewer()
    stmt = select(Expert)
    if viewer.committee_office is not None:
        stmt = stmt.where(Expert.committee_id == viewer.committee_office.committee_id)
    elif viewer.admin is not None:
        if viewer.admin.region_code != PROVINCE_CODE:
            stmt = stmt.join(Committee, Committee.id == Expert.committee_id).where(
                Committee.region_code == viewer.admin.region_code)
    else:
        raise Forbidden("专家库仅评委会办事机构和职称管理机构可见")
    if committee_id is not None:
        stmt = stmt.where(Expert.committee_id == committee_id)
    if status is not None:
        stmt = stmt.where(Expert.status == status)
    if not include_past:
        stmt = stmt.where(Expert.current.is_(True))
    return await keyset_page(env.session, stmt, [SortKey(Expert.id)], first=first, after=after,
                             cap=env.settings.max_page_size)


async def visible_experts(env: Env, ids: list[int]) -> dict[int, Expert]:
    viewer = env.viewer
    if viewer is None or not ids or (viewer.committee_office is None and viewer.admin is None):
        return {}
    rows = (await env.session.execute(
        select(Expert, Committee.region_code).join(Committee, Committee.id == Expert.committee_id)
        .where(Expert.id.in_(ids)))).all()
    office = viewer.committee_office
    admin = viewer.admin
    return {e.id: e for e, region in rows
            if (office is not None and e.committee_id == office.committee_id)
            or (admin is not None and region_covers(admin.region_code, region))}


