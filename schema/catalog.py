"""GraphQL surface of the reference data: the title catalogue and the regions.

Served from the pure rules' data in memory: the cascade is static and the database copy
exists only for foreign keys.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import strawberry

from rules import catalog as rules
from rules.regions import REGIONS
from schema.accounts import RegionType
from schema.enums import gql_enum

if TYPE_CHECKING:  # type checkers see the domain enum: schema.enums says why
    TitleLevel = rules.TitleLevel
else:
    TitleLevel = gql_enum(
        rules.TitleLevel, rules.LEVEL_NAMES, name="TitleLevel", description="申报级别"
    )


@strawberry.type(description="现从事专业")
class Specialty:
    code: str = strawberry.field(description="专业代码")
    name: str = strawberry.field(description="专业名称")


@strawberry.type(description="职称名称（申报职称）")
class Title:
    code: str = strawberry.field(description="职称代码")
    name: str = strawberry.field(description="职称名称")
    specialties: list[Specialty] = strawberry.field(
        description="可选的现从事专业（级联菜单的第三级），即其系列的专业"
    )


@strawberry.type(description="系列中的一个申报级别")
class SeriesLevel:
    level: TitleLevel = strawberry.field(description="级别")
    name: str = strawberry.field(description="级别名称：正高级、副高级、中级、助理级、员级")
    titles: list[Title] = strawberry.field(description="该级别的职称（级联菜单的第二级）")


@strawberry.type(description="职称系列")
class Series:
    code: str = strawberry.field(description="系列代码")
    name: str = strawberry.field(description="系列名称")
    levels: list[SeriesLevel] = strawberry.field(description="该系列设置的级别，从高到低")
    specialties: list[Specialty] = strawberry.field(description="该系列的专业")


def _series(series: rules.Series) -> Series:
    specialties = [Specialty(code=s.code, name=s.name) for s in series.specialties]
    return Series(
        code=series.code,
        name=series.name,
        levels=[
            SeriesLevel(
                level=lv.level,
                name=rules.LEVEL_NAMES[lv.level],
                titles=[Title(code=t.code, name=t.name, specialties=specialties) for t in lv.titles],
            )
            for lv in series.levels
        ],
        specialties=specialties,
    )


# Built once: the catalogue never changes while the process runs.
_CATALOG = [_series(s) for s in rules.default_catalog()]
_REGIONS = [RegionType(code=r.code, name=r.name, parent_code=r.parent) for r in REGIONS]


@strawberry.type
class CatalogQuery:
    @strawberry.field(description="职称目录：系列 → 级别 → 职称 → 专业，一次请求即可构建级联菜单")
    def catalog(self) -> list[Series]:
        return _CATALOG

    @strawberry.field(description="山东省及16个地市的区划")
    def regions(self) -> list[RegionType]:
        return _REGIONS
