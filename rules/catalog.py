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
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Iterable
from dataclasses import dataclass

from rules.errors import ErrorCode, RuleViolation

__all__ = [
    "LEVEL_NAMES",
    "LEVEL_RANK_HIGHEST_FIRST",
    "Level",
    "Series",
    "Specialty",
    "Title",
    "TitleLevel",
    "default_catalog",
    "find_series",
    "find_specialty",
    "find_title",
    "lowest_level",
    "parse_level",
    "series_name",
    "specialty_name",
    "title_name",
    "validate_combination",
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


@dataclass(frozen=True)
class Title:
    """职称名称，例如 ``Title("ENGINEERING.SENIOR_ENGINEER", "高级工程师")``。"""

    code: str
    name: str


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

    def find_level(self, level: TitleLevel) -> Level | None:
        """该系列中的给定级别；系列未设置该级别时返回 None。"""
        for lv in self.levels:
            if lv.level is level:
                return lv
        return None


#: The API's input fields of a declaration's cascade, which the violations name.
SERIES_FIELD, LEVEL_FIELD, TITLE_FIELD, SPECIALTY_FIELD = "seriesCode", "level", "titleCode", "specialtyCode"


def default_catalog() -> tuple[Series, ...]:
    """The built-in national catalogue (imported lazily to avoid an import cycle)."""
    from rules.catalog_data import CATALOG

    return CATALOG


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
    if found_title is None:
        violations.append(RuleViolation(ErrorCode.UNKNOWN_TITLE, "所选申报职称不存在", TITLE_FIELD))
    else:
        title_series, title_level, _ = found_title
        if title_series.code != series.code:
            violations.append(RuleViolation(ErrorCode.TITLE_NOT_IN_LEVEL, "申报职称不属于所选职称系列", TITLE_FIELD))
        elif chosen_level is not None and title_level.level is not chosen_level.level:
            violations.append(RuleViolation(ErrorCode.TITLE_NOT_IN_LEVEL, "申报职称不属于所选申报级别", TITLE_FIELD))

    found_specialty = find_specialty(specialty_code, catalog)
    if found_specialty is None:
        violations.append(RuleViolation(ErrorCode.UNKNOWN_SPECIALTY, "所选现从事专业不存在", SPECIALTY_FIELD))
    elif found_specialty[0].code != series.code:
        violations.append(
            RuleViolation(ErrorCode.SPECIALTY_NOT_IN_SERIES, "现从事专业不属于所选职称系列", SPECIALTY_FIELD)
        )

    return violations
