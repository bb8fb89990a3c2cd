"""GraphQL surface of the reference data: the title catalogue, the 破格 conditions and the regions.

Served from the pure rules' data in memory: the cascade is static and the database copy
exists only for foreign keys (and SQL reports). Two views of one cascade: `catalog` by
series (系列 → 级别 → 职称 → 专业) and `declarationCascade` in the manual's order
(申报级别 → 申报职称 → 现从事专业, 手册 1.2 图1-8), each title with its own specialties.
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
    series_code: str = strawberry.field(description="所属职称系列代码（申报时填入 seriesCode）")
    series_name: str = strawberry.field(description="所属职称系列名称")
    level: TitleLevel = strawberry.field(description="所属申报级别")
    specialties: list[Specialty] = strawberry.field(
        description="该职称可选的现从事专业（级联菜单的第三级）；申报时只能选其中之一"
    )
    specialties_series_wide: bool = strawberry.field(
        description="该职称没有更细的专业目录，可选其系列的全部专业（为 false 时只能选本职称自己的专业）"
    )


@strawberry.type(description="级联菜单的第一级：一个申报级别及其下各系列的职称（手册 1.2 的顺序）")
class CascadeLevel:
    level: TitleLevel = strawberry.field(description="申报级别")
    name: str = strawberry.field(description="级别名称：正高级、副高级、中级、助理级、员级")
    titles: list[Title] = strawberry.field(description="该级别的全部职称（级联菜单的第二级），按系列顺序")


@strawberry.type(description="破格条件：申报方式为破格时可选择的情形")
class ExceptionalCondition:
    code: str = strawberry.field(description="破格条件代码（申报时填入 exceptionalConditionCodes）")
    name: str = strawberry.field(description="破格条件")

    @classmethod
    def of_code(cls, code: str) -> "ExceptionalCondition":
        found = rules.find_exceptional_condition(code)
        return cls(code=code, name=found.name if found else code)


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


def _title(series: rules.Series, level: rules.Level, title: rules.Title) -> Title:
    return Title(
        code=title.code, name=title.name, series_code=series.code, series_name=series.name, level=level.level,
        specialties=[Specialty(code=s.code, name=s.name) for s in series.specialties_of(title)],
        specialties_series_wide=title.series_wide,
    )


def _series(series: rules.Series) -> Series:
    return Series(
        code=series.code,
        name=series.name,
        levels=[
            SeriesLevel(
                level=lv.level,
                name=rules.LEVEL_NAMES[lv.level],
                titles=[_title(series, lv, t) for t in lv.titles],
            )
            for lv in series.levels
        ],
        specialties=[Specialty(code=s.code, name=s.name) for s in series.specialties],
    )


def _cascade(catalog: tuple[rules.Series, ...]) -> list[CascadeLevel]:
    """The manual's cascade: every level that some series has, highest first, with the
    titles of that level across the series (in the catalogue's order)."""
    return [
        CascadeLevel(
            level=level, name=rules.LEVEL_NAMES[level],
            titles=[_title(s, lv, t) for s in catalog for lv in s.levels if lv.level is level for t in lv.titles],
        )
        for level in sorted(rules.LEVEL_NAMES, key=rules.LEVEL_RANK_HIGHEST_FIRST.__getitem__)
        if any(s.find_level(level) for s in catalog)
    ]


# Built once: the catalogue never changes while the process runs.
_CATALOG = [_series(s) for s in rules.default_catalog()]
_CASCADE = _cascade(rules.default_catalog())
_CONDITIONS = [ExceptionalCondition(code=c.code, name=c.name) for c in rules.default_exceptional_conditions()]
_REGIONS = [RegionType(code=r.code, name=r.name, parent_code=r.parent) for r in REGIONS]


@strawberry.type
class CatalogQuery:
    @strawberry.field(description="职称目录：系列 → 级别 → 职称 → 专业；每个职称只列其可选的专业")
    def catalog(self) -> list[Series]:
        return _CATALOG

    @strawberry.field(
        description="申报信息页的级联菜单，按手册顺序：申报级别 → 申报职称 → 现从事专业；一次请求即可构建"
    )
    def declaration_cascade(self) -> list[CascadeLevel]:
        return _CASCADE

    @strawberry.field(description="破格条件目录：申报方式为破格时从中选择（可多选），详细情况另填破格情况")
    def exceptional_conditions(self) -> list[ExceptionalCondition]:
        return _CONDITIONS

    @strawberry.field(description="山东省及16个地市的区划")
    def regions(self) -> list[RegionType]:
        return _REGIONS
