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

The cascade of the manual (1.2, 图1-8) is 申报级别 → 申报职称 → 现从事专业: each title
offers its own specialties. A title either lists them (副主任护师: the nursing ones) or
says, with ``SERIES_WIDE``, that it has no narrower list than its series (高级工程师) —
never silently. 破格情况 are catalogue data too (``ExceptionalCondition``).
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from rules.errors import ErrorCode, RuleViolation

__all__ = [
    "LEVEL_NAMES",
    "LEVEL_RANK_HIGHEST_FIRST",
    "SERIES_WIDE",
    "ExceptionalCondition",
    "Level",
    "Series",
    "Specialty",
    "SpecialtyScope",
    "Title",
    "TitleLevel",
    "default_catalog",
    "default_exceptional_conditions",
    "find_exceptional_condition",
    "find_series",
    "find_specialty",
    "find_title",
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


@dataclass(frozen=True)
class Series:
    """职称系列。``levels`` 按从高到低排列，只包含该系列实际设置的级别。"""

    code: str
    name: str
    levels: tuple[Level, ...]
    specialties: tuple[Specialty, ...]

    def specialties_of(self, title: Title) -> tuple[Specialty, ...]:
        """The specialties ``title`` offers (级联菜单的第三级), in the series' order."""
        if title.specialty_codes is SERIES_WIDE:
            return self.specialties
        offered = set(title.specialty_codes)
        return tuple(sp for sp in self.specialties if sp.code in offered)

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


#: The API's input fields of a declaration's cascade, which the violations name.
SERIES_FIELD, LEVEL_FIELD, TITLE_FIELD, SPECIALTY_FIELD = "seriesCode", "level", "titleCode", "specialtyCode"


def default_catalog() -> tuple[Series, ...]:
    """The built-in national catalogue (imported lazily to avoid an import cycle)."""
    from rules.catalog_data import CATALOG

    return CATALOG


def default_exceptional_conditions() -> tuple[ExceptionalCondition, ...]:
    """The province's 破格 conditions (imported lazily, as the catalogue is)."""
    from rules.catalog_data import EXCEPTIONAL_CONDITIONS

    return EXCEPTIONAL_CONDITIONS


def _resolve(catalog: Iterable[Series] | None) -> Iterable[Series]:
    return default_catalog() if catalog is None else catalog


@functools.cache
def _default_index() -> tuple[dict, dict, dict]:
    """The default catalogue by code. List pages look up a title and a specialty per item;
    a scan of the whole catalogue each time showed in the profile."""
    series = {s.code: s for s in default_catalog()}
    titles = {t.code: (s, lv, t) for s in series.values() for lv in s.levels for t in lv.titles}
    specialties = {sp.code: (s, sp) for s in series.values() for sp in s.specialties}
    return series, titles, specialties


@functools.cache
def _default_conditions() -> dict[str, ExceptionalCondition]:
    return {c.code: c for c in default_exceptional_conditions()}


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
    if catalog is None:
        return _default_index()[0].get(code)
    for series in catalog:
        if series.code == code:
            return series
    return None


def find_title(
    code: str | None, catalog: Iterable[Series] | None = None
) -> tuple[Series, Level, Title] | None:
    """按职称代码查找职称，返回 (系列, 级别, 职称)。"""
    if catalog is None:
        return _default_index()[1].get(code)
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
    if catalog is None:
        return _default_index()[2].get(code)
    for series in catalog:
        for specialty in series.specialties:
            if specialty.code == code:
                return series, specialty
    return None


def series_name(code: str | None) -> str | None:
    """系列名称 of a code of the built-in catalogue; None for an unknown code."""
    series = find_series(code)
    return series.name if series else None


def title_name(code: str | None) -> str | None:
    """职称名称 of a code of the built-in catalogue; None for an unknown code."""
    found = find_title(code)
    return found[2].name if found else None


def specialty_name(code: str | None) -> str | None:
    """专业名称 of a code of the built-in catalogue; None for an unknown code."""
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
        return _default_conditions().get(code or "")
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
) -> list[RuleViolation]:
    """校验 系列 / 申报级别 / 申报职称 / 现从事专业 的组合，返回全部错误（空列表表示合法）。

    An unknown series makes everything else unknowable, so only that is reported.
    Otherwise level, title and specialty are each checked against the series; the
    title is checked against the level only when the level itself is valid, so a
    bad level is not reported a second time through the title.
    """
    catalog = tuple(_resolve(catalog))
    series = find_series(series_code, catalog)
    if series is None:
        return [RuleViolation(ErrorCode.UNKNOWN_SERIES, "所选职称系列不存在", SERIES_FIELD)]

    violations: list[RuleViolation] = []

    parsed = parse_level(level)
    chosen_level = series.find_level(parsed) if parsed is not None else None
    if parsed is None:
        violations.append(RuleViolation(ErrorCode.LEVEL_NOT_IN_SERIES, "申报级别无效", LEVEL_FIELD))
    elif chosen_level is None:
        violations.append(RuleViolation(
            ErrorCode.LEVEL_NOT_IN_SERIES, f"所选职称系列（{series.name}）未设置{LEVEL_NAMES[parsed]}职称", LEVEL_FIELD
        ))

    found_title = find_title(title_code, catalog)
    title_ok = False
    if found_title is None:
        violations.append(RuleViolation(ErrorCode.UNKNOWN_TITLE, "所选申报职称不存在", TITLE_FIELD))
    else:
        title_series, title_level, _ = found_title
        if title_series.code != series.code:
            violations.append(RuleViolation(ErrorCode.TITLE_NOT_IN_LEVEL, "申报职称不属于所选职称系列", TITLE_FIELD))
        elif chosen_level is not None and title_level.level is not chosen_level.level:
            violations.append(RuleViolation(ErrorCode.TITLE_NOT_IN_LEVEL, "申报职称不属于所选申报级别", TITLE_FIELD))
        else:
            title_ok = True

    found_specialty = find_specialty(specialty_code, catalog)
    if found_specialty is None:
        violations.append(RuleViolation(ErrorCode.UNKNOWN_SPECIALTY, "所选现从事专业不存在", SPECIALTY_FIELD))
    elif found_specialty[0].code != series.code:
        violations.append(
            RuleViolation(ErrorCode.SPECIALTY_NOT_IN_SERIES, "现从事专业不属于所选职称系列", SPECIALTY_FIELD)
        )
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
