"""职称目录：系列 → 级别 → 职称名称，以及现从事专业的纯规则。

This module holds the types of the national title catalogue (国家职称系列), the
lookup helpers and the pure validation of an applicant's choice of
系列 / 申报级别 / 申报职称 / 现从事专业.  The data itself lives in
``rules.catalog_data`` (which imports the types from here); every function takes
the catalogue as an optional argument and defaults to ``catalog_data.CATALOG``,
imported lazily so there is no import cycle.

All codes are stable ASCII identifiers meant to be stored and exposed through the
API: series codes are upper-case slugs (``ENGINEERING``), title and specialty codes
are ``SERIES.SLUG`` (``ENGINEERING.SENIOR_ENGINEER``, ``ENGINEERING.CIVIL``).

Since issue 12 the catalogue is data the province admin maintains in the database
(``resolvers.catalog``): entries are added and retired, never renamed or deleted. The
process holds it as one immutable ``Catalog`` (``current()``), installed at start and
after every change (``install``); the lookups below read it, so they stay pure and cost
no statement. A retired entry still resolves (old declarations show its name) but is
refused as a new choice. Until a catalogue is installed (pure tests, tools), ``current()``
is the snapshot in ``rules.catalog_data``, which is what migration 0012 loaded.

The cascade of the manual (1.2, 图1-8) is 申报级别 → 申报职称 → 现从事专业: each title
offers its own specialties. A title either lists them (副主任护师: the nursing ones) or
says, with ``SERIES_WIDE``, that it has no narrower list than its series (高级工程师) —
never silently. 破格情况 are catalogue data too (``ExceptionalCondition``).
"""

from __future__ import annotations

import enum
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Literal

from rules.errors import ErrorCode, RuleViolation

__all__ = [
    "LEVEL_NAMES",
    "LEVEL_RANK_HIGHEST_FIRST",
    "SERIES_WIDE",
    "Catalog",
    "ExceptionalCondition",
    "Level",
    "Series",
    "Specialty",
    "SpecialtyScope",
    "Title",
    "TitleLevel",
    "current",
    "default_catalog",
    "default_exceptional_conditions",
    "find_exceptional_condition",
    "find_series",
    "find_specialty",
    "find_title",
    "install",
    "lowest_level",
    "parse_level",
    "series_name",
    "specialty_name",
    "title_name",
    "title_specialties",
    "validate_combination",
    "validate_exceptional_conditions",
]


class TitleLevel(str, enum.Enum):
    """申报级别（职称层级）。"""

    SENIOR = "SENIOR"  # 正高级
    ASSOCIATE_SENIOR = "ASSOCIATE_SENIOR"  # 副高级
    INTERMEDIATE = "INTERMEDIATE"  # 中级
    ASSISTANT = "ASSISTANT"  # 助理级
    JUNIOR = "JUNIOR"  # 员级


LEVEL_NAMES: dict[TitleLevel, str] = {
    TitleLevel.SENIOR: "正高级",
    TitleLevel.ASSOCIATE_SENIOR: "副高级",
    TitleLevel.INTERMEDIATE: "中级",
    TitleLevel.ASSISTANT: "助理级",
    TitleLevel.JUNIOR: "员级",
}

#: The one ordering of levels: 正高级 1, 副高级 2, 中级 3, 助理级 4, 员级 5 — a smaller rank is a
#: higher level. `review_step.level_rank` stores these numbers (migration 0004 backfilled
#: them in this order), so the report queue's ascending level sort lists the highest first;
#: "the lowest level" is the one with the largest rank.
LEVEL_RANK_HIGHEST_FIRST: dict[TitleLevel, int] = {
    TitleLevel.SENIOR: 1,
    TitleLevel.ASSOCIATE_SENIOR: 2,
    TitleLevel.INTERMEDIATE: 3,
    TitleLevel.ASSISTANT: 4,
    TitleLevel.JUNIOR: 5,
}


class SpecialtyScope(enum.Enum):
    """How a title's specialties are given when it has no list of its own."""

    SERIES_WIDE = "SERIES_WIDE"  # the title offers every specialty of its series


#: A title whose specialties are its series' whole list, said explicitly in the data.
SERIES_WIDE = SpecialtyScope.SERIES_WIDE


@dataclass(frozen=True)
class Title:
    """职称名称及其可选的现从事专业，例如
    ``Title("HEALTH.ASSOCIATE_CHIEF_NURSE", "副主任护师", ("HEALTH.NURSING", …))``；
    ``specialty_codes`` 为 ``SERIES_WIDE`` 时表示该职称可选其系列的全部专业。"""

    code: str
    name: str
    specialty_codes: tuple[str, ...] | Literal[SpecialtyScope.SERIES_WIDE]
    retired: bool = False  # 已停用：不能再被新的申报选择，旧申报照常显示

    @property
    def series_wide(self) -> bool:
        """True when the title has no narrower list than its series'."""
        return self.specialty_codes is SERIES_WIDE


@dataclass(frozen=True)
class Level:
    """某系列中的一个申报级别及该级别下的职称名称（卫生系列每级有医、药、护、技多条序列）。"""

    level: TitleLevel
    titles: tuple[Title, ...]


@dataclass(frozen=True)
class Specialty:
    """现从事专业，例如 ``Specialty("ENGINEERING.CIVIL", "土木建筑")``。"""

    code: str
    name: str
    retired: bool = False


@dataclass(frozen=True)
class Series:
    """职称系列。``levels`` 按从高到低排列，只包含该系列实际设置的级别。"""

    code: str
    name: str
    levels: tuple[Level, ...]
    specialties: tuple[Specialty, ...]
    retired: bool = False

    def specialties_of(self, title: Title, *, active_only: bool = False) -> tuple[Specialty, ...]:
        """The specialties ``title`` offers (级联菜单的第三级), in the series' order; with
        ``active_only``, without the retired ones."""
        offered = None if title.specialty_codes is SERIES_WIDE else set(title.specialty_codes)
        return tuple(
            sp for sp in self.specialties
            if (offered is None or sp.code in offered) and not (active_only and sp.retired)
        )

    def active(self) -> Series:
        """The series as a new declaration sees it: active titles and specialties only, and
        only the levels that still have an active title."""
        levels = tuple(
            Level(lv.level, tuple(t for t in lv.titles if not t.retired))
            for lv in self.levels
        )
        return Series(self.code, self.name, tuple(lv for lv in levels if lv.titles),
                      tuple(sp for sp in self.specialties if not sp.retired), self.retired)

    def find_level(self, level: TitleLevel) -> Level | None:
        """该系列中的给定级别；系列未设置该级别时返回 None。"""
        for lv in self.levels:
            if lv.level is level:
                return lv
        return None


@dataclass(frozen=True)
class ExceptionalCondition:
    """破格条件（破格情况的可选项），例如 ``ExceptionalCondition("KEY_PROJECT", "主持完成……重点科研、工程项目")``。"""

    code: str
    name: str


class Catalog:
    """The whole catalogue at one moment: every series (retired ones too, each entry with its
    ``retired`` flag), indexed by code, and the 破格 conditions. Immutable: a change builds a
    new one and ``install``s it, so a request that holds one sees one consistent state."""

    def __init__(self, series: Iterable[Series], conditions: Iterable[ExceptionalCondition] = (),
                 version: int = 0) -> None:
        self.series: tuple[Series, ...] = tuple(series)
        self.conditions: tuple[ExceptionalCondition, ...] = tuple(conditions)
        self.version = version  # catalog_version.version it was read at (0: the built-in snapshot)
        self.series_by_code = {s.code: s for s in self.series}
        self.titles_by_code = {t.code: (s, lv, t) for s in self.series for lv in s.levels for t in lv.titles}
        self.specialties_by_code = {sp.code: (s, sp) for s in self.series for sp in s.specialties}
        self.conditions_by_code = {c.code: c for c in self.conditions}
        self._active: tuple[Series, ...] | None = None

    def __iter__(self):
        return iter(self.series)

    def __len__(self) -> int:
        return len(self.series)

    def active(self) -> tuple[Series, ...]:
        """What a new declaration may choose: active series with their active entries."""
        if self._active is None:
            self._active = tuple(s.active() for s in self.series if not s.retired)
        return self._active


_current: Catalog | None = None


def current() -> Catalog:
    """The catalogue this process serves: the installed one, else the built-in snapshot."""
    global _current
    if _current is None:
        from rules.catalog_data import CATALOG, EXCEPTIONAL_CONDITIONS

        _current = Catalog(CATALOG, EXCEPTIONAL_CONDITIONS)
    return _current


def install(catalog: Catalog | None) -> None:
    """Serve ``catalog`` from now on (None: back to the built-in snapshot)."""
    global _current
    _current = catalog


#: The API's input fields of a declaration's cascade, which the violations name.
SERIES_FIELD, LEVEL_FIELD, TITLE_FIELD, SPECIALTY_FIELD = "seriesCode", "level", "titleCode", "specialtyCode"


def default_catalog() -> tuple[Series, ...]:
    """Every series of the current catalogue, retired ones included."""
    return current().series


def default_exceptional_conditions() -> tuple[ExceptionalCondition, ...]:
    """The province's 破格 conditions."""
    return current().conditions


def _resolve(catalog: Iterable[Series] | None) -> Iterable[Series]:
    return current() if catalog is None else catalog


def _index(catalog: Iterable[Series] | None) -> Catalog | None:
    """The catalogue's code index when it has one (the current catalogue: list pages look up a
    title and a specialty per item, and a scan of the whole catalogue each time showed in the
    profile); None for a plain sequence of series, which is scanned."""
    if catalog is None:
        return current()
    return catalog if isinstance(catalog, Catalog) else None


def parse_level(value: TitleLevel | str | None) -> TitleLevel | None:
    """把 TitleLevel 或其字符串值转为 TitleLevel；无法识别时返回 None。"""
    if isinstance(value, TitleLevel):
        return value
    if isinstance(value, str):
        try:
            return TitleLevel(value)
        except ValueError:
            return None
    return None


def find_series(code: str | None, catalog: Iterable[Series] | None = None) -> Series | None:
    """按系列代码查找系列。"""
    index = _index(catalog)
    if index is not None:
        return index.series_by_code.get(code or "")
    assert catalog is not None
    for series in catalog:
        if series.code == code:
            return series
    return None


def find_title(
    code: str | None, catalog: Iterable[Series] | None = None
) -> tuple[Series, Level, Title] | None:
    """按职称代码查找职称，返回 (系列, 级别, 职称)。"""
    index = _index(catalog)
    if index is not None:
        return index.titles_by_code.get(code or "")
    assert catalog is not None
    for series in catalog:
        for level in series.levels:
            for title in level.titles:
                if title.code == code:
                    return series, level, title
    return None


def find_specialty(
    code: str | None, catalog: Iterable[Series] | None = None
) -> tuple[Series, Specialty] | None:
    """按专业代码查找专业，返回 (系列, 专业)。"""
    index = _index(catalog)
    if index is not None:
        return index.specialties_by_code.get(code or "")
    assert catalog is not None
    for series in catalog:
        for specialty in series.specialties:
            if specialty.code == code:
                return series, specialty
    return None


def series_name(code: str | None) -> str | None:
    """系列名称 of a code of the current catalogue (retired ones too); None for an unknown code."""
    series = find_series(code)
    return series.name if series else None


def title_name(code: str | None) -> str | None:
    """职称名称 of a code of the current catalogue (retired ones too); None for an unknown code."""
    found = find_title(code)
    return found[2].name if found else None


def specialty_name(code: str | None) -> str | None:
    """专业名称 of a code of the current catalogue (retired ones too); None for an unknown code."""
    found = find_specialty(code)
    return found[1].name if found else None


def title_specialties(title_code: str | None, catalog: Iterable[Series] | None = None) -> tuple[Specialty, ...]:
    """The specialties a title offers; empty for an unknown title."""
    found = find_title(title_code, catalog)
    return found[0].specialties_of(found[2]) if found else ()


def find_exceptional_condition(
    code: str | None, conditions: Iterable[ExceptionalCondition] | None = None
) -> ExceptionalCondition | None:
    """按代码查找破格条件。"""
    if conditions is None:
        return current().conditions_by_code.get(code or "")
    return next((c for c in conditions if c.code == code), None)


def lowest_level(series: Series) -> TitleLevel:
    """系列实际设置的最低级别（如高等学校教师为助理级，工程为员级）。"""
    if not series.levels:
        raise ValueError(f"series {series.code} has no levels")
    return max((lv.level for lv in series.levels), key=LEVEL_RANK_HIGHEST_FIRST.__getitem__)


def validate_combination(
    series_code: str | None,
    level: TitleLevel | str | None,
    title_code: str | None,
    specialty_code: str | None,
    catalog: Iterable[Series] | None = None,
    *,
    kept: Collection[str | None] = (),
) -> list[RuleViolation]:
    """校验 系列 / 申报级别 / 申报职称 / 现从事专业 的组合，返回全部错误（空列表表示合法）。

    An unknown series makes everything else unknowable, so only that is reported.
    Otherwise level, title and specialty are each checked against the series; the
    title is checked against the level only when the level itself is valid, so a
    bad level is not reported a second time through the title.

    Retired entries (a retired series retires its titles and specialties with it) are refused
    with ``CATALOG_ENTRY_RETIRED``, except the codes in ``kept``: what a declaration already
    holds stays valid when it is saved or confirmed again, so retiring an entry stops new
    choices and never strands a declaration under way.
    """
    cat: Iterable[Series] = _index(catalog) or tuple(catalog or ())
    series = find_series(series_code, cat)
    if series is None:
        return [RuleViolation(ErrorCode.UNKNOWN_SERIES, "所选职称系列不存在", SERIES_FIELD)]
    if series.retired and series.code not in kept:
        return [_retired(f"职称系列（{series.name}）已停用", SERIES_FIELD)]

    violations: list[RuleViolation] = []

    parsed = parse_level(level)
    chosen_level = series.find_level(parsed) if parsed is not None else None
    if parsed is None:
        violations.append(RuleViolation(ErrorCode.LEVEL_NOT_IN_SERIES, "申报级别无效", LEVEL_FIELD))
    elif chosen_level is None:
        violations.append(RuleViolation(
            ErrorCode.LEVEL_NOT_IN_SERIES, f"所选职称系列（{series.name}）未设置{LEVEL_NAMES[parsed]}职称", LEVEL_FIELD
        ))

    found_title = find_title(title_code, cat)
    title_ok = False
    if found_title is None:
        violations.append(RuleViolation(ErrorCode.UNKNOWN_TITLE, "所选申报职称不存在", TITLE_FIELD))
    else:
        title_series, title_level, title = found_title
        if title_series.code != series.code:
            violations.append(RuleViolation(ErrorCode.TITLE_NOT_IN_LEVEL, "申报职称不属于所选职称系列", TITLE_FIELD))
        elif chosen_level is not None and title_level.level is not chosen_level.level:
            violations.append(RuleViolation(ErrorCode.TITLE_NOT_IN_LEVEL, "申报职称不属于所选申报级别", TITLE_FIELD))
        elif (title.retired or series.retired) and title.code not in kept:
            violations.append(_retired(f"申报职称（{title.name}）已停用", TITLE_FIELD))
        else:
            title_ok = True

    found_specialty = find_specialty(specialty_code, cat)
    if found_specialty is None:
        violations.append(RuleViolation(ErrorCode.UNKNOWN_SPECIALTY, "所选现从事专业不存在", SPECIALTY_FIELD))
    elif found_specialty[0].code != series.code:
        violations.append(
            RuleViolation(ErrorCode.SPECIALTY_NOT_IN_SERIES, "现从事专业不属于所选职称系列", SPECIALTY_FIELD)
        )
    elif (found_specialty[1].retired or series.retired) and found_specialty[1].code not in kept:
        violations.append(_retired(f"现从事专业（{found_specialty[1].name}）已停用", SPECIALTY_FIELD))
    elif title_ok and found_title is not None:
        # The third step of the cascade: judged only against a title the cascade accepted, so
        # a title already refused is not reported a second time through its specialty.
        title, specialty = found_title[2], found_specialty[1]
        if specialty not in series.specialties_of(title):
            violations.append(RuleViolation(
                ErrorCode.SPECIALTY_NOT_FOR_TITLE,
                f"申报职称（{title.name}）没有“{specialty.name}”专业，请从该职称的专业中选择", SPECIALTY_FIELD,
            ))

    return violations


def _retired(message: str, field: str) -> RuleViolation:
    return RuleViolation(ErrorCode.CATALOG_ENTRY_RETIRED, message + "，请选择现行目录中的项目", field)


#: 破格情况 (the chosen conditions) are a list a person ticks: a longer list than the
#: catalogue's can only be a mistake or an attack, and is refused before any lookup.
EXCEPTIONAL_CONDITIONS_FIELD = "exceptionalConditionCodes"


def validate_exceptional_conditions(
    codes: Iterable[str] | None,
    exceptional: bool,
    conditions: Iterable[ExceptionalCondition] | None = None,
) -> tuple[tuple[str, ...], list[RuleViolation]]:
    """破格条件的选择：只有破格申报才能选择，破格申报至少选择一项，代码须在目录中。

    Returns the chosen codes (trimmed, duplicates dropped, in the order given) and the
    violations (empty when valid). Unknown codes are reported in one violation naming them."""
    catalogue = tuple(default_exceptional_conditions() if conditions is None else conditions)
    raw = list(codes or ())
    if len(raw) > len(catalogue):
        return (), [RuleViolation(
            ErrorCode.INVALID_INPUT, f"破格条件最多选择{len(catalogue)}项", EXCEPTIONAL_CONDITIONS_FIELD
        )]
    chosen = tuple(dict.fromkeys(c.strip() for c in raw if c and c.strip()))
    if not exceptional:
        if chosen:
            return (), [RuleViolation(ErrorCode.EXCEPTIONAL_CONDITION_NOT_ALLOWED, field=EXCEPTIONAL_CONDITIONS_FIELD)]
        return (), []
    if not chosen:
        return (), [RuleViolation(ErrorCode.EXCEPTIONAL_CONDITION_REQUIRED, field=EXCEPTIONAL_CONDITIONS_FIELD)]
    known = {c.code for c in catalogue}
    unknown = [c for c in chosen if c not in known]
    if unknown:
        shown = "、".join(c[:40] for c in unknown[:3]) + ("等" if len(unknown) > 3 else "")
        return (), [RuleViolation(
            ErrorCode.UNKNOWN_EXCEPTIONAL_CONDITION, f"破格条件不存在：{shown}", EXCEPTIONAL_CONDITIONS_FIELD
        )]
    return chosen, []
