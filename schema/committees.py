"""GraphQL surface of 评审委员会."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Annotated

import strawberry
from sqlalchemy import select
from strawberry import relay

from models import Committee as CommitteeModel
from resolvers import committees
from resolvers.committees import CommitteeDetails
from resolvers.env import Env
from rules.catalog import TitleLevel as DomainTitleLevel
from rules.catalog import series_name as catalog_series_name
from schema.accounts import RegionType, Unit
from schema.catalog import TitleLevel
from schema.connection import After, Connection, First
from schema.context import Info
from schema.errors import ERRORS_DESCRIPTION, UserError
from schema.ids import decode_id
from schema.mutation import Actor, GlobalIdArg, MutationSpec
from schema.units import units_of


def series_name(code: str) -> str:
    return catalog_series_name(code) or code


@strawberry.type(description="评审委员会：评审某系列的若干级别；上报路径终止于其受理单位")
class Committee(relay.Node):
    id: relay.NodeID[int]
    name: str = strawberry.field(description="评审委员会名称")
    series_code: str = strawberry.field(description="职称系列代码")
    series_name: str = strawberry.field(description="职称系列名称")
    levels: list[TitleLevel] = strawberry.field(description="评审的级别")
    region: RegionType = strawberry.field(description="服务地区")
    accepting_unit: Unit = strawberry.field(description="受理单位：上报路径的终点")
    active: bool = strawberry.field(description="是否启用")
    updated_at: dt.datetime = strawberry.field(description="最近修改时间")

    @classmethod
    def of(cls, c: CommitteeModel, unit) -> "Committee":
        return cls(id=c.id, name=c.name, series_code=c.series_code, series_name=series_name(c.series_code),
                   levels=[DomainTitleLevel(v) for v in c.levels], region=RegionType.of(c.region_code),
                   accepting_unit=Unit.of(unit), active=c.active, updated_at=c.updated_at)

    @classmethod
    async def resolve_nodes(cls, *, info: Info, node_ids: Iterable[str], required: bool = False):
        ids = [int(i) for i in node_ids]
        async with info.context.read() as env:
            if env.viewer is None:
                return [None for _ in ids]
            rows = list(await env.session.scalars(select(CommitteeModel).where(CommitteeModel.id.in_(ids))))
            built = {c.id: c for c in await build_committees(env, rows)}
        return [built.get(i) for i in ids]


async def build_committees(env, rows) -> list[Committee]:
    units = await units_of(env, [c.accepting_unit_id for c in rows]) if rows else {}
    return [Committee.of(c, units[c.accepting_unit_id]) for c in rows]


@strawberry.input(description="评审委员会信息")
class CommitteeInput:
    name: str = strawberry.field(description="评审委员会名称")
    series_code: str = strawberry.field(description="职称系列代码")
    levels: list[TitleLevel] = strawberry.field(description="评审的级别（至少一个）")
    region_code: str = strawberry.field(description="服务地区：370000 全省或地市代码，须在本机构管辖内")
    accepting_unit_id: strawberry.ID = strawberry.field(description="受理单位（须已获权限）的全局 ID")
    active: bool = strawberry.field(default=True, description="是否启用")


@strawberry.type(description="新建或修改评审委员会的结果")
class CommitteePayload:
    committee: Committee | None = strawberry.field(default=None, description="保存后的评审委员会；有错误时为空")
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS_DESCRIPTION)


def _details(input: CommitteeInput) -> CommitteeDetails:
    return CommitteeDetails(
        name=input.name, series_code=input.series_code, levels=[DomainTitleLevel(lv.value) for lv in input.levels],
        region_code=input.region_code,
        accepting_unit_id=decode_id(input.accepting_unit_id, "Unit", "acceptingUnitId"),
        active=input.active,
    )


async def _create(env: Env, *, input: CommitteeInput) -> Committee:
    committee = await committees.create_committee(env, details=_details(input))
    return (await build_committees(env, [committee]))[0]


async def _update(env: Env, *, committee_id: int, input: CommitteeInput) -> Committee:
    committee = await committees.update_committee(env, committee_id=committee_id, details=_details(input))
    return (await build_committees(env, [committee]))[0]


def _committee_payload(c: Committee) -> CommitteePayload:
    return CommitteePayload(committee=c)


_CREATE = MutationSpec(CommitteePayload, actor=Actor.ADMIN, audit="committee.create")
_UPDATE = MutationSpec(CommitteePayload, actor=Actor.ADMIN, audit="committee.update",
                       ids={"committee_id": GlobalIdArg("Committee", "id")})


@strawberry.type
class CommitteeQuery:
    @strawberry.field(description="评审委员会列表")
    async def committees(
        self, info: Info,
        series_code: Annotated[str | None, strawberry.argument(description="只看该职称系列（代码）")] = None,
        first: First = None, after: After = None,
    ) -> Connection[Committee]:
        async with info.context.read() as env:
            page = await committees.list_committees(env, series_code=series_code, first=first, after=after)
            built = {c.id: c for c in await build_committees(env, page.rows)}
        return Connection.of(page, lambda c: built[c.id])


@strawberry.type
class CommitteeMutation:
    @strawberry.mutation(description="管理机构：新建评审委员会")
    async def create_committee(
        self, info: Info, input: Annotated[CommitteeInput, strawberry.argument(description="评审委员会信息")],
    ) -> CommitteePayload:
        return await _CREATE.run(info, _create, _committee_payload, input=input)

    @strawberry.mutation(description="管理机构：修改评审委员会（含停用）")
    async def update_committee(
        self, info: Info, id: Annotated[strawberry.ID, strawberry.argument(description="评审委员会的全局 ID")],
        input: Annotated[CommitteeInput, strawberry.argument(description="修改后的评审委员会信息（整体替换）")],
    ) -> CommitteePayload:
        return await _UPDATE.run(info, _update, _committee_payload, committee_id=id, input=input)
