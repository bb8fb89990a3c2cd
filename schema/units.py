"""GraphQL surface of unit search (工作单位模糊查询) and the shared review-decision enum."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

import strawberry

from resolvers import accounts, units
from schema.accounts import Unit
from schema.connection import After, Connection, First
from schema.context import Info


@strawberry.enum(description="审核结论")
class ReviewDecision(Enum):
    APPROVE = strawberry.enum_value("APPROVE", description="通过")
    REJECT = strawberry.enum_value("REJECT", description="不通过（须填写原因）")


async def units_of(env, ids) -> dict:
    """Units by id in one statement, for the rows of a page."""
    return await accounts.units_by_id(env, sorted({i for i in ids if i is not None}))


@strawberry.type
class UnitQuery:
    @strawberry.field(description="单位模糊查询：按单位名称任意部分（或统一社会信用代码）查找，"
                                  "默认只含已获权限的单位；完全匹配、前缀匹配优先")
    async def units(
        self,
        info: Info,
        search: Annotated[str | None, strawberry.argument(description="单位名称的任意部分，或统一社会信用代码")] = None,
        region_code: Annotated[str | None, strawberry.argument(description="只查该地市的单位")] = None,
        include_unpermitted: Annotated[bool, strawberry.argument(description="也包括尚未获得权限的单位")] = False,
        first: First = None,
        after: After = None,
    ) -> Connection[Unit]:
        async with info.context.read() as env:
            page = await units.search_units(env, search=search, region_code=region_code,
                                            include_unpermitted=include_unpermitted, first=first, after=after)
        return Connection.of(page, lambda row: Unit.of(row.Unit))
