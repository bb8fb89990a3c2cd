"""GraphQL surface of 路径申请 (2.5) and the reporting route up to a committee."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from enum import Enum
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry import relay

from core.errors import BadInput
from models import PathStatus as DomainPathStatus
from models import ReportingPath as ReportingPathModel
from resolvers import routes
from resolvers.env import Env
from rules.catalog import TitleLevel as DomainTitleLevel
from rules.errors import RuleViolation
from schema.accounts import Unit
from schema.catalog import TitleLevel
from schema.committees import Committee, build_committees, series_name
from schema.connection import After, Connection, First
from schema.context import Info
from schema.enums import gql_enum
from schema.errors import ERRORS_DESCRIPTION, UserError
from schema.mutation import Actor, GlobalIdArg, MutationSpec
from schema.units import ReviewDecision, units_of

if TYPE_CHECKING:  # type checkers see the domain enum: schema.enums says why
    PathStatus = DomainPathStatus
else:
    PathStatus = gql_enum(
        DomainPathStatus,
        {"PENDING": "待审核", "APPROVED": "审核通过，已生效", "REJECTED": "审核不通过",
         "REPLACED": "已被新路径取代", "REVOKED": "已撤销"},
        name="PathStatus", description="上报路径状态",
    )


@strawberry.enum(description="路径方向（相对当前单位）")
class PathDirection(Enum):
    ALL = strawberry.enum_value("ALL", description="全部")
    OUTGOING = strawberry.enum_value("OUTGOING", description="本单位申请的路径")
    INCOMING = strawberry.enum_value("INCOMING", description="其他单位向本单位申请的路径")


@strawberry.enum(description="上报路线中断的原因")
class RouteBreak(Enum):
    NO_PATH = strawberry.enum_value("NO_PATH", description="路线上的某单位没有该系列、级别的生效路径")
    UNIT_NOT_PERMITTED = strawberry.enum_value("UNIT_NOT_PERMITTED", description="路线上的某单位没有职称申报权限")
    CYCLE = strawberry.enum_value("CYCLE", description="路线循环")
    TOO_LONG = strawberry.enum_value("TOO_LONG", description="路线过长")


@strawberry.type(description="上报路径：某单位某系列、某级别的数据报送给哪个上级单位")
class ReportingPath(relay.Node):
    id: relay.NodeID[int]
    unit: Unit = strawberry.field(description="申请单位")
    to_unit: Unit = strawberry.field(description="上报单位（主管部门或呈报部门）")
    series_code: str = strawberry.field(description="职称系列代码")
    series_name: str = strawberry.field(description="职称系列名称")
    level: TitleLevel = strawberry.field(description="职称级别")
    status: PathStatus = strawberry.field(description="路径状态")
    in_effect: bool = strawberry.field(description="是否生效")
    created_at: dt.datetime = strawberry.field(description="申请时间")
    decided_at: dt.datetime | None = strawberry.field(description="审核时间；待审核时为空")
    reason: str | None = strawberry.field(description="不通过或撤销的原因")
    ended_at: dt.datetime | None = strawberry.field(description="被取代或撤销的时间")
    replaced_by_row_id: strawberry.Private[int | None]

    @strawberry.field(description="取代它的路径（状态为 REPLACED 时）；当前单位无权查看时为空")
    async def replaced_by(self, info: Info) -> ReportingPath | None:
        if self.replaced_by_row_id is None:
            return None
        path = await info.context.loaders.reporting_path.load(self.replaced_by_row_id)
        if path is None or not routes.can_see_path(info.context.env(), path):
            return None
        units = await info.context.loaders.unit.load_many([path.unit_id, path.target_unit_id])
        # Both are NOT NULL foreign keys: a missing unit fails in `of`, on its id.
        return ReportingPath.of(path, {u.id: u for u in units if u is not None})

    @classmethod
    def of(cls, p, units) -> "ReportingPath":
        return cls(
            id=p.id, unit=Unit.of(units[p.unit_id]), to_unit=Unit.of(units[p.target_unit_id]),
            series_code=p.series_code, series_name=series_name(p.series_code), level=p.level, status=p.status,
            in_effect=p.status is DomainPathStatus.APPROVED, created_at=p.created_at, decided_at=p.decided_at,
            reason=p.reason, ended_at=p.ended_at,
            replaced_by_row_id=p.replaced_by_id,
        )

    @classmethod
    async def resolve_nodes(cls, *, info: Info, node_ids: Iterable[str], required: bool = False):
        ids = [int(i) for i in node_ids]
        async with info.context.read() as env:
            found = await routes.visible_paths(env, ids)
            built = {p.id: p for p in await build_paths(env, list(found.values()))}
        return [built.get(i) for i in ids]


async def build_paths(env, rows) -> list[ReportingPath]:
    units = await units_of(env, [u for p in rows for u in (p.unit_id, p.target_unit_id)]) if rows else {}
    return [ReportingPath.of(p, units) for p in rows]


@strawberry.type(description="某系列、某级别的完整上报路线：从本单位直到评审委员会的受理单位")
class ReportingRoute:
    units: list[Unit] = strawberry.field(description="路线上的单位，第一个是本单位")
    committee: Committee | None = strawberry.field(description="路线终点的评审委员会；路线中断时为空")
    complete: bool = strawberry.field(description="是否已通到评审委员会")
    broken: RouteBreak | None = strawberry.field(description="中断原因")
    broken_at: Unit | None = strawberry.field(description="在哪个单位中断")


@strawberry.type(description="路径申请、审核、撤销的结果")
class ReportingPathPayload:
    path: ReportingPath | None = strawberry.field(default=None, description="操作后的路径；有错误时为空")
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS_DESCRIPTION)


async def _one(env: Env, path: ReportingPathModel) -> ReportingPath:
    return (await build_paths(env, [path]))[0]


async def _apply(env: Env, *, series_code: str, level: TitleLevel, target_unit_id: int) -> ReportingPath:
    return await _one(env, await routes.apply_path(
        env, series_code=series_code, level=DomainTitleLevel(level.value), target_unit_id=target_unit_id))


async def _review(env: Env, *, path_id: int, decision: ReviewDecision, reason: str | None) -> ReportingPath:
    return await _one(env, await routes.review_path(
        env, path_id=path_id, approve=decision is ReviewDecision.APPROVE, reason=reason))


async def _revoke(env: Env, *, path_id: int, reason: str | None) -> ReportingPath:
    return await _one(env, await routes.revoke_path(env, path_id=path_id, reason=reason))


def _path_payload(p: ReportingPath) -> ReportingPathPayload:
    return ReportingPathPayload(path=p)


_APPLY = MutationSpec(ReportingPathPayload, actor=Actor.PERMITTED_UNIT, audit="path.apply",
                      ids={"target_unit_id": GlobalIdArg("Unit", "toUnitId")})
_REVIEW = MutationSpec(ReportingPathPayload, actor=Actor.PERMITTED_UNIT, audit="path.review",
                       ids={"path_id": GlobalIdArg("ReportingPath", "id")})
# Either side may end a path, a unit that has since lost its permission included.
_REVOKE = MutationSpec(ReportingPathPayload, actor=Actor.UNIT, audit="path.revoke",
                       ids={"path_id": GlobalIdArg("ReportingPath", "id")})


@strawberry.type
class RouteQuery:
    @strawberry.field(description="单位：本单位申请的和向本单位申请的上报路径，最新的在前")
    async def reporting_paths(
        self, info: Info,
        direction: Annotated[PathDirection, strawberry.argument(description="方向，默认全部")] = PathDirection.ALL,
        status: Annotated[PathStatus | None, strawberry.argument(description="只看该状态的路径")] = None,
        first: First = None, after: After = None,
    ) -> Connection[ReportingPath]:
        async with info.context.read() as env:
            # The member's name, which is its value: mypy types a strawberry.enum_value member's
            # .value as the EnumValueDefinition it was declared with, not the string it becomes.
            page = await routes.list_paths(
                env, direction=direction.name, status=DomainPathStatus(status.value) if status else None,
                first=first, after=after)
            built = {p.id: p for p in await build_paths(env, page.rows)}
        return Connection.of(page, lambda p: built[p.id])

    @strawberry.field(description="单位：某系列、某级别的上报路线，直到评审委员会，或在何处中断")
    async def reporting_route(
        self, info: Info,
        series_code: Annotated[str, strawberry.argument(description="职称系列代码")],
        level: Annotated[TitleLevel, strawberry.argument(description="职称级别")],
    ) -> ReportingRoute:
        async with info.context.read() as env:
            try:
                route, units = await routes.my_route(env, series_code=series_code,
                                                     level=DomainTitleLevel(level.value))
            except RuleViolation as exc:  # an unknown series/level is a malformed query argument
                raise BadInput(exc.message) from exc
            committee = (await build_committees(env, [route.committee]))[0] if route.committee else None
        chain = [Unit.of(units[i]) for i in route.unit_ids if i in units]
        return ReportingRoute(
            units=chain, committee=committee, complete=route.complete,
            broken=RouteBreak(route.broken) if route.broken else None,
            broken_at=chain[-1] if route.broken and chain else None,
        )


@strawberry.type
class RouteMutation:
    @strawberry.mutation(description="单位：申请上报路径（选择上报单位、职称系列、职称级别），提交给上报单位审核")
    async def apply_reporting_path(
        self, info: Info,
        series_code: Annotated[str, strawberry.argument(description="职称系列代码")],
        level: Annotated[TitleLevel, strawberry.argument(description="职称级别")],
        to_unit_id: Annotated[strawberry.ID,
                              strawberry.argument(description="上报单位（主管部门或呈报部门），由单位查询得到")],
    ) -> ReportingPathPayload:
        return await _APPLY.run(info, _apply, _path_payload, series_code=series_code, level=level,
                                target_unit_id=to_unit_id)

    @strawberry.mutation(description="上报单位：审核向本单位申请的路径；通过后取代申请单位原有的同系列同级别路径")
    async def review_reporting_path(
        self, info: Info, id: Annotated[strawberry.ID, strawberry.argument(description="路径的全局 ID")],
        decision: Annotated[ReviewDecision, strawberry.argument(description="审核结论：通过或不通过")],
        reason: Annotated[str | None, strawberry.argument(description="不通过时必填")] = None,
    ) -> ReportingPathPayload:
        return await _REVIEW.run(info, _review, _path_payload, path_id=id, decision=decision, reason=reason)

    @strawberry.mutation(description="撤销生效中的路径（申请单位或上报单位均可），或撤回本单位待审核的申请；须填写原因")
    async def revoke_reporting_path(
        self, info: Info, id: Annotated[strawberry.ID, strawberry.argument(description="路径的全局 ID")],
        reason: Annotated[str, strawberry.argument(description="撤销或撤回的原因")],
    ) -> ReportingPathPayload:
        return await _REVOKE.run(info, _revoke, _path_payload, path_id=id, reason=reason)
