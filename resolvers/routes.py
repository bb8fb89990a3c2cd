"""路径申请 (2.5): each unit's unique route, per (series, level), up to a review committee.

A unit applies for a path to its superior (主管部门 or 呈报部门); the superior approves or
rejects. At most one path is in effect per (unit, series, level) — a new approval replaces
the old one explicitly (status REPLACED, `replaced_by_id`) and a partial unique index backs
it. Approvals of one (series, level) are serialised by an advisory lock, and a recursive
CTE under that lock refuses any approval that would close a cycle.

`next_hop`, `route_for` and `committees.committee_for_accepting_unit` are what data
reporting calls to know where a declaration goes next and where its route ends.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import or_, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from models import Committee, PathStatus, ReportingPath, Unit
from resolvers import audit, feed
from resolvers.committees import committee_for_accepting_unit
from resolvers.db_errors import violated_constraint
from resolvers.env import Env
from resolvers.paging import Page, SortKey, keyset_page
from resolvers.units import require_acting_unit_permitted, require_permitted_unit
from rules.catalog import TitleLevel, find_series
from rules.errors import ErrorCode, RuleViolation
from rules.events import EventType
from rules.text import clean_reason

MAX_ROUTE_LENGTH = 32

_REACHES = text("""
    WITH RECURSIVE up(unit_id) AS (
        SELECT CAST(:start AS bigint)
        UNION
        SELECT p.target_unit_id FROM reporting_path p JOIN up ON p.unit_id = up.unit_id
        WHERE p.series_code = :series AND p.level = :level AND p.status = 'APPROVED'
    )
    SELECT EXISTS (SELECT 1 FROM up WHERE unit_id = :goal)
""")


def _check_series_level(series_code: str, level: TitleLevel) -> None:
    series = find_series(series_code)
    if series is None:
        raise RuleViolation(ErrorCode.UNKNOWN_SERIES, field="seriesCode")
    if series.find_level(level) is None:
        raise RuleViolation(ErrorCode.LEVEL_NOT_IN_SERIES, field="level")


async def _lock_route_graph(env: Env, series_code: str, level: TitleLevel) -> None:
    """Serialise changes to one (series, level) graph so concurrent approvals cannot form a cycle."""
    await env.session.execute(
        text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"),
        {"key": f"reporting_path:{series_code}:{level.value}"},
    )


async def _would_cycle(env: Env, unit_id: int, target_id: int, series_code: str, level: TitleLevel) -> bool:
    """Does `target` already reach `unit` along effective paths? Then unit → target closes a cycle."""
    return bool(await env.session.scalar(
        _REACHES, {"start": target_id, "goal": unit_id, "series": series_code, "level": level.value}
    ))


async def _effective(env: Env, unit_id: int, series_code: str, level: TitleLevel, lock: bool = False
                     ) -> ReportingPath | None:
    stmt = select(ReportingPath).where(
        ReportingPath.unit_id == unit_id, ReportingPath.series_code == series_code,
        ReportingPath.level == level, ReportingPath.status == PathStatus.APPROVED,
    )
    return await env.session.scalar(stmt.with_for_update() if lock else stmt)


async def apply_path(env: Env, *, series_code: str, level: TitleLevel, target_unit_id: int) -> ReportingPath:
    """新增路径: ask `target` to accept this unit's data for (series, level)."""
    unit = require_acting_unit_permitted(env)
    _check_series_level(series_code, level)
    if target_unit_id == unit.id:
        raise RuleViolation(ErrorCode.PATH_SELF, field="toUnitId")
    await require_permitted_unit(env, target_unit_id, "toUnitId")
    current = await _effective(env, unit.id, series_code, level)
    if current is not None and current.target_unit_id == target_unit_id:
        raise RuleViolation(ErrorCode.PATH_DUPLICATE, "该系列、级别已有通往该单位的生效路径", "toUnitId")
    if await _would_cycle(env, unit.id, target_unit_id, series_code, level):
        raise RuleViolation(ErrorCode.PATH_CYCLE, field="toUnitId")
    path = ReportingPath(unit_id=unit.id, target_unit_id=target_unit_id, series_code=series_code, level=level,
                         status=PathStatus.PENDING, created_at=env.clock.now())
    env.session.add(path)
    try:
        async with env.session.begin_nested():
            await env.session.flush()
    except IntegrityError as exc:
        if violated_constraint(exc) == "uq_reporting_path_pending":
            raise RuleViolation(ErrorCode.PATH_DUPLICATE, "该系列、级别已有待审核的路径申请", "seriesCode") from exc
        raise
    env.note_audit("ReportingPath", path.id)
    return path


async def _locked_path(env: Env, path_id: int, *, as_target: bool, as_applicant: bool) -> ReportingPath:
    unit = env.require_unit()
    path = await env.session.get(ReportingPath, path_id, with_for_update=True, populate_existing=True)
    if path is None or not (
        (as_target and path.target_unit_id == unit.id) or (as_applicant and path.unit_id == unit.id)
    ):
        raise RuleViolation(ErrorCode.NOT_FOUND, field="id")
    return path


def _required_reason(reason: str | None) -> str:
    """A rejection or revocation tells the other unit why (reporting_path.reason)."""
    return clean_reason(reason, required=True)


async def review_path(env: Env, *, path_id: int, approve: bool, reason: str | None) -> ReportingPath:
    """上报单位审核: approve (replacing the applicant's current path) or reject with a reason."""
    require_acting_unit_permitted(env)  # only a permitted unit reviews paths
    path = await _locked_path(env, path_id, as_target=True, as_applicant=False)
    if path.status is not PathStatus.PENDING:
        raise RuleViolation(ErrorCode.INVALID_STATE, "该路径申请不在待审核状态（可能已被处理或撤销）")
    now = env.clock.now()
    if not approve:
        path.reason, path.status, path.decided_at = _required_reason(reason), PathStatus.REJECTED, now
    else:
        await _approve(env, path)
    await _publish(env, path, EventType.PATH_APPROVED if approve else EventType.PATH_REJECTED)
    await env.session.flush()
    env.note_audit("ReportingPath", path.id, reason=audit.decision_note(path.status.value, path.reason))
    return path


async def _publish(env: Env, path: ReportingPath, event_type: EventType) -> None:
    """The change feed hears of a path's decision in the applying unit's region."""
    applicant = await env.referenced(Unit, path.unit_id)
    feed.publish(env, event_type, "ReportingPath", path.id, region_code=applicant.region_code,
                 payload={"status": path.status.value, "seriesCode": path.series_code, "level": path.level.value})


async def _approve(env: Env, path: ReportingPath) -> None:
    await _lock_route_graph(env, path.series_code, path.level)
    await require_permitted_unit(env, path.unit_id, "id")
    if await _would_cycle(env, path.unit_id, path.target_unit_id, path.series_code, path.level):
        raise RuleViolation(ErrorCode.PATH_CYCLE, field="id")
    now = env.clock.now()
    old = await _effective(env, path.unit_id, path.series_code, path.level, lock=True)
    if old is not None:
        old.status, old.ended_at, old.replaced_by_id = PathStatus.REPLACED, now, path.id
        await env.session.flush()  # the old one leaves the partial unique index first
    path.status, path.decided_at = PathStatus.APPROVED, now


async def revoke_path(env: Env, *, path_id: int, reason: str | None) -> ReportingPath:
    """撤销: either side ends an effective path (or the applicant withdraws a pending one)."""
    unit = env.require_unit()
    path = await _locked_path(env, path_id, as_target=True, as_applicant=True)
    reason = _required_reason(reason)
    pending_own = path.status is PathStatus.PENDING and path.unit_id == unit.id
    if path.status is not PathStatus.APPROVED and not pending_own:
        raise RuleViolation(ErrorCode.INVALID_STATE, "只能撤销生效中的路径或本单位待审核的申请")
    path.status, path.reason = PathStatus.REVOKED, reason
    path.ended_at, path.ended_by_unit_id = env.clock.now(), unit.id
    await _publish(env, path, EventType.PATH_REVOKED)
    await env.session.flush()
    env.note_audit("ReportingPath", path.id, reason=reason)
    return path


async def list_paths(env: Env, *, direction: str, status: PathStatus | None, first: int | None,
                     after: str | None) -> Page:
    """The unit's own paths (OUTGOING), those asked of it (INCOMING), or both; newest first."""
    unit = env.require_unit()
    own, asked = ReportingPath.unit_id == unit.id, ReportingPath.target_unit_id == unit.id
    where = {"OUTGOING": own, "INCOMING": asked}.get(direction, or_(own, asked))
    stmt = select(ReportingPath).where(where)
    if status is not None:
        stmt = stmt.where(ReportingPath.status == status)
    return await keyset_page(env.session, stmt, [SortKey(ReportingPath.id, descending=True)], first=first,
                             after=after, cap=env.settings.max_page_size)


async def visible_paths(env: Env, ids: list[int]) -> dict[int, ReportingPath]:
    unit = env.viewer.unit if env.viewer else None
    if unit is None or not ids:
        return {}
    rows = await env.session.scalars(select(ReportingPath).where(
        ReportingPath.id.in_(ids), or_(ReportingPath.unit_id == unit.id, ReportingPath.target_unit_id == unit.id)))
    return {p.id: p for p in rows}


def can_see_path(env: Env, path: ReportingPath) -> bool:
    """`visible_paths`' rule for a path already loaded: the applying unit or the target unit."""
    unit = env.viewer.unit if env.viewer else None
    return unit is not None and unit.id in (path.unit_id, path.target_unit_id)


async def next_hop(session: AsyncSession, unit_id: int, series_code: str, level: TitleLevel) -> int | None:
    """The unit `unit_id` reports (series, level) to, by its effective path; None without one."""
    return await session.scalar(select(ReportingPath.target_unit_id).where(
        ReportingPath.unit_id == unit_id, ReportingPath.series_code == series_code,
        ReportingPath.level == level, ReportingPath.status == PathStatus.APPROVED,
    ))


@dataclass
class Route:
    """The chain of unit ids from the start; ends at `committee`, or breaks (`broken`)."""

    unit_ids: list[int] = field(default_factory=list)
    committee: Committee | None = None
    broken: str | None = None  # NO_PATH, UNIT_NOT_PERMITTED, CYCLE, TOO_LONG

    @property
    def complete(self) -> bool:
        return self.committee is not None


async def route_for(session: AsyncSession, unit_id: int, series_code: str, level: TitleLevel) -> Route:
    """Walk effective paths from `unit_id` until a committee's 受理单位, or until it breaks."""
    route = Route()
    current: int | None = unit_id
    while current is not None:
        if current in route.unit_ids:
            route.broken = "CYCLE"
            return route
        route.unit_ids.append(current)
        unit = await session.get(Unit, current)
        if unit is None or not unit.is_permitted:
            route.broken = "UNIT_NOT_PERMITTED"
            return route
        route.committee = await committee_for_accepting_unit(session, current, series_code, level)
        if route.committee is not None:
            return route
        if len(route.unit_ids) >= MAX_ROUTE_LENGTH:
            route.broken = "TOO_LONG"
            return route
        current = await next_hop(session, current, series_code, level)
    route.broken = "NO_PATH"
    return route


async def my_route(env: Env, *, series_code: str, level: TitleLevel) -> tuple[Route, dict[int, Unit]]:
    """The calling unit's route for (series, level), with the units along it."""
    unit = env.require_unit()
    _check_series_level(series_code, level)
    route = await route_for(env.session, unit.id, series_code, level)
    units = {u.id: u for u in await env.session.scalars(select(Unit).where(Unit.id.in_(route.unit_ids)))}
    return route, units
