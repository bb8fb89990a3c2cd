"""GraphQL surface of the reference data: the title catalogue, the 破格 conditions and the regions.

Served from the process's in-memory catalogue (`rules.catalog.current()`, loaded from the
database and reloaded when it changes: `resolvers.catalog`), so reading it costs no statement.
Two views of one cascade: `catalog` by series (系列 → 级别 → 职称 → 专业) and
`declarationCascade` in the manual's order (申报级别 → 申报职称 → 现从事专业, 手册 1.2 图1-8),
each title with its own specialties. Both serve active entries; `catalog(includeRetired: true)`
adds the retired ones, flagged. The province admin changes the catalogue with the mutations
at the end.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, TypeVar

import strawberry

from resolvers import catalog as steps
from rules import catalog as rules
from rules.regions import REGIONS
from schema.accounts import RegionType
from schema.context import Info
from schema.enums import gql_enum
from schema.errors import ERRORS_DESCRIPTION, UserError
from schema.mutation import Actor, MutationSpec

if TYPE_CHECKING:  # type checkers see the domain enum: schema.enums says why
    TitleLevel = rules.TitleLevel
else:
    TitleLevel = gql_enum(
        rules.TitleLevel, rules.LEVEL_NAMES, name="TitleLevel", description="申报级别"
    )

if TYPE_CHECKING:
    CatalogEntryKind = steps.EntryKind
else:
    CatalogEntryKind = gql_enum(
        steps.EntryKind, {"SERIES": "职称系列", "TITLE": "职称名称", "SPECIALTY": "现从事专业"},
        name="CatalogEntryKind", description="职称目录中的条目类别",
    )

RETIRED_DESCRIPTION = "是否已停用：停用的条目不能再被新的申报选择，已有申报照常显示；所属系列停用时也为 true"


@strawberry.type(description="现从事专业")
class Specialty:
    code: str = strawberry.field(description="专业代码")
    name: str = strawberry.field(description="专业名称")
    retired: bool = strawberry.field(default=False, description=RETIRED_DESCRIPTION)


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
    retired: bool = strawberry.field(default=False, description=RETIRED_DESCRIPTION)


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
    levels: list[SeriesLevel] = strawberry.field(description="该系列设置的级别（有职称的级别），从高到低")
    specialties: list[Specialty] = strawberry.field(description="该系列的专业")
    retired: bool = strawberry.field(default=False, description=RETIRED_DESCRIPTION)


def _specialty(series: rules.Series, sp: rules.Specialty) -> Specialty:
    return Specialty(code=sp.code, name=sp.name, retired=series.retired or sp.retired)


def _title(series: rules.Series, level: rules.Level, title: rules.Title) -> Title:
    return Title(
        code=title.code, name=title.name, series_code=series.code, series_name=series.name, level=level.level,
        specialties=[_specialty(series, s) for s in series.specialties_of(title)],
        specialties_series_wide=title.series_wide, retired=series.retired or title.retired,
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
        specialties=[_specialty(series, s) for s in series.specialties],
        retired=series.retired,
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


class _Views:
    """The GraphQL views of one catalogue, built once per catalogue the process installs (a
    change installs a new one), not per request."""

    def __init__(self, catalog: rules.Catalog) -> None:
        self.catalog = catalog
        active = catalog.active()
        self.active = [_series(s) for s in active]
        self.all = [_series(s) for s in catalog.series]
        self.cascade = _cascade(active)
        self.conditions = [ExceptionalCondition(code=c.code, name=c.name) for c in catalog.conditions]


_views: _Views | None = None


def views() -> _Views:
    global _views
    catalog = rules.current()
    if _views is None or _views.catalog is not catalog:
        _views = _Views(catalog)
    return _views


_REGIONS = [RegionType(code=r.code, name=r.name, parent_code=r.parent) for r in REGIONS]


@strawberry.type
class CatalogQuery:
    @strawberry.field(description="职称目录：系列 → 级别 → 职称 → 专业；每个职称只列其可选的专业。默认只列在用的条目")
    def catalog(
        self,
        include_retired: Annotated[bool, strawberry.argument(
            description="同时列出已停用的系列、职称和专业（各条目的 retired 为 true）")] = False,
    ) -> list[Series]:
        return views().all if include_retired else views().active

    @strawberry.field(
        description="申报信息页的级联菜单，按手册顺序：申报级别 → 申报职称 → 现从事专业；一次请求即可构建"
    )
    def declaration_cascade(self) -> list[CascadeLevel]:
        return views().cascade

    @strawberry.field(description="破格条件目录：申报方式为破格时从中选择（可多选），详细情况另填破格情况")
    def exceptional_conditions(self) -> list[ExceptionalCondition]:
        return views().conditions

    @strawberry.field(description="山东省及16个地市的区划")
    def regions(self) -> list[RegionType]:
        return _REGIONS


# ---------------------------------------------------------------------------- changes (issue 12)

@strawberry.type(description="职称目录中的一个条目（系列、职称或专业）")
class CatalogEntry:
    kind: CatalogEntryKind = strawberry.field(description="条目类别")
    code: str = strawberry.field(description="代码（不可更改）")
    name: str = strawberry.field(description="名称（不可更改）")
    series_code: str = strawberry.field(description="所属职称系列代码（系列本身为其自身代码）")
    level: TitleLevel | None = strawberry.field(description="职称所在的申报级别；系列和专业为空")
    retired: bool = strawberry.field(description=RETIRED_DESCRIPTION)


@strawberry.type(description="新增、停用或恢复目录条目的结果")
class CatalogEntryPayload:
    ref: strawberry.Private[steps.EntryRef | None] = None
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS_DESCRIPTION)

    @strawberry.field(description="操作后的条目；有错误时为空")
    def entry(self) -> CatalogEntry | None:
        return _entry(self.ref) if self.ref is not None else None


def _entry(ref: steps.EntryRef) -> CatalogEntry | None:
    """The entry as the (reloaded) catalogue now serves it."""
    if ref.kind is steps.EntryKind.SERIES:
        series = rules.find_series(ref.code)
        return None if series is None else CatalogEntry(
            kind=ref.kind, code=series.code, name=series.name, series_code=series.code, level=None,
            retired=series.retired)
    if ref.kind is steps.EntryKind.TITLE:
        found = rules.find_title(ref.code)
        return None if found is None else CatalogEntry(
            kind=ref.kind, code=ref.code, name=found[2].name, series_code=found[0].code, level=found[1].level,
            retired=found[0].retired or found[2].retired)
    spec = rules.find_specialty(ref.code)
    return None if spec is None else CatalogEntry(
        kind=ref.kind, code=ref.code, name=spec[1].name, series_code=spec[0].code, level=None,
        retired=spec[0].retired or spec[1].retired)


@strawberry.input(description="新增的职称系列")
class CatalogSeriesInput:
    code: str = strawberry.field(
        description="系列代码：大写英文字母、数字和下划线，以字母开头，如 DATA_ENGINEERING；不可更改")
    name: str = strawberry.field(description="系列名称（不超过64个字符）；不可更改")


@strawberry.input(description="新增的职称名称")
class CatalogTitleInput:
    series_code: str = strawberry.field(description="所属职称系列代码")
    level: TitleLevel = strawberry.field(description="申报级别；系列在该级别的第一个职称即为该系列设置此级别")
    code: str = strawberry.field(
        description="职称代码：系列代码加“.”加大写英文字母、数字和下划线，如 ENGINEERING.DATA_ENGINEER")
    name: str = strawberry.field(description="职称名称（不超过64个字符，系列内不重复）；不可更改")
    specialty_codes: list[str] = strawberry.field(
        default_factory=list,
        description="该职称可选的现从事专业代码（本系列在用的专业）；specialtiesSeriesWide 为 true 时不填")
    specialties_series_wide: bool = strawberry.field(
        default=False, description="该职称可选本系列的全部专业（包括以后新增的专业）")


@strawberry.input(description="新增的现从事专业")
class CatalogSpecialtyInput:
    series_code: str = strawberry.field(description="所属职称系列代码")
    code: str = strawberry.field(description="专业代码：系列代码加“.”加大写英文字母、数字和下划线，如 ENGINEERING.DATA")
    name: str = strawberry.field(description="专业名称（不超过64个字符，系列内不重复）；不可更改")
    title_codes: list[str] = strawberry.field(
        default_factory=list,
        description="提供该专业的职称代码（本系列在用的职称）；可选全部专业的职称自动提供，不必列出")


T = TypeVar("T")
_Input = Annotated[T, strawberry.argument(description="新增的条目")]
_Kind = Annotated[CatalogEntryKind, strawberry.argument(description="条目类别：系列、职称或专业")]
_Code = Annotated[str, strawberry.argument(description="条目代码")]

_ADD = MutationSpec(CatalogEntryPayload, actor=Actor.PROVINCE_ADMIN, audit="catalog.add")
_RETIRE = MutationSpec(CatalogEntryPayload, actor=Actor.PROVINCE_ADMIN, audit="catalog.retire")
_RESTORE = MutationSpec(CatalogEntryPayload, actor=Actor.PROVINCE_ADMIN, audit="catalog.restore")


def _payload(ref: steps.EntryRef) -> CatalogEntryPayload:
    return CatalogEntryPayload(ref=ref)


async def _changed(info: Info, payload: CatalogEntryPayload) -> CatalogEntryPayload:
    """After a committed change this process serves the new catalogue at once (other workers
    within ZHICHENG_CATALOG_REFRESH_SECONDS)."""
    if payload.ref is not None:
        await steps.reload(info.context.services.session_factory)
    return payload


@strawberry.type
class CatalogMutation:
    @strawberry.mutation(description="省级职称管理机构：新增职称系列（代码和名称此后不可更改）；再为其新增职称和专业")
    async def add_catalog_series(self, info: Info, input: _Input[CatalogSeriesInput]) -> CatalogEntryPayload:
        return await _changed(info, await _ADD.run(info, steps.add_series, _payload, code=input.code, name=input.name))

    @strawberry.mutation(description="省级职称管理机构：在某系列的某申报级别新增职称，列出其可选专业或设为可选全部专业")
    async def add_catalog_title(self, info: Info, input: _Input[CatalogTitleInput]) -> CatalogEntryPayload:
        return await _changed(info, await _ADD.run(
            info, steps.add_title, _payload, series_code=input.series_code,
            level=rules.TitleLevel(input.level.value), code=input.code, name=input.name,
            specialty_codes=input.specialty_codes, series_wide=input.specialties_series_wide,
        ))

    @strawberry.mutation(description="省级职称管理机构：在某系列新增现从事专业，并指定提供该专业的职称")
    async def add_catalog_specialty(self, info: Info, input: _Input[CatalogSpecialtyInput]) -> CatalogEntryPayload:
        return await _changed(info, await _ADD.run(
            info, steps.add_specialty, _payload, series_code=input.series_code, code=input.code, name=input.name,
            title_codes=input.title_codes,
        ))

    @strawberry.mutation(
        description="省级职称管理机构：停用目录条目。新的申报不能再选择它（停用系列即停用其下全部职称和专业），已有申报照常显示"
    )
    async def retire_catalog_entry(self, info: Info, kind: _Kind, code: _Code) -> CatalogEntryPayload:
        return await _changed(info, await _RETIRE.run(
            info, steps.set_retired, _payload, kind=steps.EntryKind(kind.value), code=code, retired=True))

    @strawberry.mutation(description="省级职称管理机构：恢复已停用的目录条目")
    async def restore_catalog_entry(self, info: Info, kind: _Kind, code: _Code) -> CatalogEntryPayload:
        return await _changed(info, await _RESTORE.run(
            info, steps.set_retired, _payload, kind=steps.EntryKind(kind.value), code=code, retired=False))
