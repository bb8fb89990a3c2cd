"""评审委员会: configured by admins; every reporting route ends at a committee's 受理单位."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import any_, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Committee
from resolvers.env import Env
from resolvers.paging import Page, SortKey, keyset_page
from resolvers.units import require_permitted_unit
from rules.catalog import TitleLevel, find_series
from rules.errors import ErrorCode, RuleViolation, raise_all
from rules.regions import PROVINCE_CODE, find_region, region_covers


@dataclass
class CommitteeDetails:
    name: str
    series_code: str
    levels: list[TitleLevel]
    region_code: str
    accepting_unit_id: int
    active: bool = True


def _validate(admin_region: str, d: CommitteeDetails) -> list[RuleViolation]:
    errors: list[RuleViolation] = []
    if not (d.name or "").strip() or len(d.name.strip()) > 100:
        errors.append(RuleViolation(ErrorCode.NAME_FORMAT, "评审委员会名称须为1至100个字符", "name"))
    series = find_series(d.series_code)
    if series is None:
        errors.append(RuleViolation(ErrorCode.UNKNOWN_SERIES, field="seriesCode"))
    if not d.levels:
        errors.append(RuleViolation(ErrorCode.FIELD_REQUIRED, "请选择评审级别", "levels"))
    elif series is not None and any(series.find_level(lv) is None for lv in d.levels):
        errors.append(RuleViolation(ErrorCode.LEVEL_NOT_IN_SERIES, field="levels"))
    if find_region(d.region_code) is None:
        errors.append(RuleViolation(ErrorCode.REGION_UNKNOWN, field="regionCode"))
    elif not region_covers(admin_region, d.region_code):
        errors.append(RuleViolation(ErrorCode.NOT_YOUR_REGION, "只能为本机构管辖地区设置评审委员会", "regionCode"))
    return errors


async def _apply(env: Env, committee: Committee, d: CommitteeDetails) -> None:
    await require_permitted_unit(env, d.accepting_unit_id, "acceptingUnitId")
    committee.name = d.name.strip()
    committee.series_code = d.series_code
    committee.levels = sorted({lv.value for lv in d.levels})
    committee.region_code = d.region_code
    committee.accepting_unit_id = d.accepting_unit_id
    committee.active = d.active
    committee.updated_at = env.clock.now()


async def create_committee(env: Env, *, details: CommitteeDetails) -> Committee:
    admin = env.require_admin()
    raise_all(_validate(admin.region_code, details))
    committee = Committee(created_at=env.clock.now())
    await _apply(env, committee, details)
    env.session.add(committee)
    await env.session.flush()
    env.note_audit("Committee", committee.id, region_code=details.region_code)
    return committee


async def update_committee(env: Env, *, committee_id: int, details: CommitteeDetails) -> Committee:
    admin = env.require_admin()
    committee = await env.session.get(Committee, committee_id, with_for_update=True)
    if committee is None or not region_covers(admin.region_code, committee.region_code):
        raise RuleViolation(ErrorCode.NOT_FOUND, field="id")
    raise_all(_validate(admin.region_code, details))
    await _apply(env, committee, details)
    await env.session.flush()
    env.note_audit("Committee", committee.id, region_code=details.region_code)
    return committee


async def list_committees(env: Env, *, series_code: str | None, first: int | None, after: str | None) -> Page:
    """Committees are public to logged-in callers: units need them to plan their routes."""
    env.require_viewer()
    stmt = select(Committee)
    if series_code:
        stmt = stmt.where(Committee.series_code == series_code)
    return await keyset_page(env.session, stmt, [SortKey(Committee.id)], first=first, after=after,
                             cap=env.settings.max_page_size)


async def committee_for_accepting_unit(session: AsyncSession, unit_id: int, series_code: str,
                                       level: TitleLevel | str) -> Committee | None:
    """The active committee judging (series, level) whose 受理单位 is `unit_id`: where a route ends.
    Of several, the one of the widest region (the province) last; lowest id first."""
    level_value = level.value if isinstance(level, TitleLevel) else level
    rows = await session.scalars(
        select(Committee).where(
            Committee.accepting_unit_id == unit_id,
            Committee.series_code == series_code,
            literal(level_value) == any_(Committee.levels),
            Committee.active.is_(True),
        ).order_by(Committee.region_code == PROVINCE_CODE, Committee.id)
    )
    return rows.first()
