"""Tests for the title catalogue (rules.catalog, rules.catalog_data) and Shandong regions."""

from __future__ import annotations

import re

import pytest

from rules.catalog import (
    LEVEL_NAMES,
    LEVEL_RANK_HIGHEST_FIRST,
    SERIES_WIDE,
    Level,
    Series,
    Specialty,
    Title,
    TitleLevel,
    find_exceptional_condition,
    find_series,
    find_specialty,
    find_title,
    lowest_level,
    parse_level,
    title_specialties,
    validate_combination,
    validate_exceptional_conditions,
)
from rules.catalog_data import CATALOG, EXCEPTIONAL_CONDITIONS
from rules.errors import ErrorCode, RuleViolation
from rules.regions import PROVINCE_CODE, REGIONS, find_region, is_city, region_covers

UNKNOWN_SERIES, LEVEL_NOT_IN_SERIES = ErrorCode.UNKNOWN_SERIES, ErrorCode.LEVEL_NOT_IN_SERIES
UNKNOWN_TITLE, TITLE_NOT_IN_LEVEL = ErrorCode.UNKNOWN_TITLE, ErrorCode.TITLE_NOT_IN_LEVEL
UNKNOWN_SPECIALTY, SPECIALTY_NOT_IN_SERIES = ErrorCode.UNKNOWN_SPECIALTY, ErrorCode.SPECIALTY_NOT_IN_SERIES
CHINESE = re.compile(r"[\u4e00-\u9fff]")
SERIES_CODE = re.compile(r"^[A-Z][A-Z0-9_]*$")

# A known-good combination: 工程 / 副高级 / 高级工程师 / 土木建筑.
VALID = (
    "ENGINEERING",
    TitleLevel.ASSOCIATE_SENIOR,
    "ENGINEERING.SENIOR_ENGINEER",
    "ENGINEERING.CIVIL",
)


def _all_titles() -> list[tuple[Series, Level, Title]]:
    return [(s, lv, t) for s in CATALOG for lv in s.levels for t in lv.titles]


def _codes(violations: list[RuleViolation]) -> list[tuple[str, str]]:
    return [(v.field, v.code) for v in violations]


# --------------------------------------------------------------------------- level enum


def test_level_names_and_ranks_cover_every_level() -> None:
    assert set(LEVEL_NAMES) == set(TitleLevel) == set(LEVEL_RANK_HIGHEST_FIRST)
    assert LEVEL_NAMES[TitleLevel.SENIOR] == "正高级"
    assert LEVEL_NAMES[TitleLevel.JUNIOR] == "员级"
    assert sorted(LEVEL_RANK_HIGHEST_FIRST.values()) == [1, 2, 3, 4, 5]
    assert LEVEL_RANK_HIGHEST_FIRST[TitleLevel.SENIOR] == 1 and LEVEL_RANK_HIGHEST_FIRST[TitleLevel.JUNIOR] == 5


def test_parse_level_accepts_enum_and_string() -> None:
    assert parse_level(TitleLevel.INTERMEDIATE) is TitleLevel.INTERMEDIATE
    assert parse_level("INTERMEDIATE") is TitleLevel.INTERMEDIATE
    assert parse_level("中级") is None
    assert parse_level(None) is None


# --------------------------------------------------------------------------- catalogue shape


def test_catalog_has_national_series_count() -> None:
    assert 27 <= len(CATALOG) <= 30


def test_series_codes_are_unique_slugs_with_chinese_names() -> None:
    codes = [s.code for s in CATALOG]
    assert len(codes) == len(set(codes))
    for series in CATALOG:
        assert SERIES_CODE.match(series.code), series.code
        assert CHINESE.search(series.name), series.code


def test_title_codes_unique_and_prefixed_by_series() -> None:
    codes = [t.code for _, _, t in _all_titles()]
    assert len(codes) == len(set(codes))
    for series, _, title in _all_titles():
        # Codes go to the database: ASCII SERIES.SLUG, never positional numbers.
        assert re.fullmatch(rf"{series.code}\.[A-Z][A-Z0-9_]*", title.code), title.code
        assert CHINESE.search(title.name), title.code


def test_specialty_codes_unique_and_prefixed_by_series() -> None:
    codes = [sp.code for s in CATALOG for sp in s.specialties]
    assert len(codes) == len(set(codes))
    for series in CATALOG:
        for sp in series.specialties:
            assert re.fullmatch(rf"{series.code}\.[A-Z][A-Z0-9_]*", sp.code), sp.code
            assert CHINESE.search(sp.name), sp.code


def test_every_series_is_complete_and_levels_ordered_high_to_low() -> None:
    for series in CATALOG:
        assert series.levels, series.code
        assert series.specialties, f"{series.code}: the cascade must never dead-end"
        ranks = [LEVEL_RANK_HIGHEST_FIRST[lv.level] for lv in series.levels]
        assert ranks == sorted(set(ranks)), series.code
        for lv in series.levels:
            assert lv.titles, f"{series.code}/{lv.level}"
        # Title names are unique within a series (the UI shows names, not codes).
        names = [t.name for lv in series.levels for t in lv.titles]
        assert len(names) == len(set(names)), series.code


@pytest.mark.parametrize(
    "code",
    [
        "ENGINEERING",
        "HEALTH",
        "HIGHER_EDUCATION",
        "PRIMARY_SECONDARY_EDUCATION",
        "ECONOMICS",
        "ACCOUNTING",
        "AGRICULTURE",
    ],
)
def test_required_series_have_real_specialty_lists(code: str) -> None:
    series = find_series(code)
    assert series is not None
    assert len(series.specialties) >= 10
    # A menu a person scrolls: each title's own list stays short (卫生 has 36 over four tracks).
    assert all(len(series.specialties_of(t)) <= 30 for lv in series.levels for t in lv.titles)


def test_well_known_titles_sit_at_the_right_level() -> None:
    expected = {
        "ENGINEERING.FULL_SENIOR_ENGINEER": ("正高级工程师", TitleLevel.SENIOR),
        "ENGINEERING.TECHNICIAN": ("技术员", TitleLevel.JUNIOR),
        "HEALTH.CHIEF_PHYSICIAN": ("主任医师", TitleLevel.SENIOR),
        "HEALTH.CHIEF_NURSE": ("主任护师", TitleLevel.SENIOR),
        "HEALTH.ATTENDING_PHYSICIAN": ("主治医师", TitleLevel.INTERMEDIATE),
        "HEALTH.JUNIOR_NURSE": ("护士", TitleLevel.JUNIOR),
        "HIGHER_EDUCATION.TEACHING_ASSISTANT": ("助教", TitleLevel.ASSISTANT),
        "PRIMARY_SECONDARY_EDUCATION.FIRST_CLASS_TEACHER": ("一级教师", TitleLevel.INTERMEDIATE),
        "PRIMARY_SECONDARY_EDUCATION.THIRD_CLASS_TEACHER": ("三级教师", TitleLevel.JUNIOR),
        "ACCOUNTING.SENIOR_ACCOUNTANT": ("高级会计师", TitleLevel.ASSOCIATE_SENIOR),
    }
    for code, (name, level) in expected.items():
        found = find_title(code)
        assert found is not None, code
        _, lv, title = found
        assert (title.name, lv.level) == (name, level), code


def test_health_has_four_tracks_per_level() -> None:
    health = find_series("HEALTH")
    assert health is not None
    assert [lv.level for lv in health.levels] == list(TitleLevel)  # 正高级 … 员级
    assert all(len(lv.titles) == 4 for lv in health.levels)  # 医、药、护、技


def test_lowest_level() -> None:
    assert lowest_level(find_series("HIGHER_EDUCATION")) is TitleLevel.ASSISTANT  # 助教, no 员级
    assert lowest_level(find_series("ENGINEERING")) is TitleLevel.JUNIOR  # 技术员
    assert lowest_level(find_series("PRIMARY_SECONDARY_EDUCATION")) is TitleLevel.JUNIOR


def test_lookups_return_owner_and_none_for_unknown() -> None:
    found = find_specialty("HEALTH.NURSING")
    assert found is not None and found[0].code == "HEALTH" and found[1].name == "护理学"
    assert find_series("NOPE") is None
    assert find_title("ENGINEERING.NOPE") is None
    assert find_specialty("ENGINEERING.NOPE") is None


def test_lookups_use_an_explicit_catalog() -> None:
    # Functions take the catalogue as an argument so callers can test with a tiny one.
    tiny = (
        Series(
            "X",
            "测试系列",
            (Level(TitleLevel.INTERMEDIATE, (Title("X.T", "测试职称", SERIES_WIDE),)),),
            (Specialty("X.S", "测试专业"),),
        ),
    )
    assert find_series("ENGINEERING", tiny) is None
    assert validate_combination("X", "INTERMEDIATE", "X.T", "X.S", catalog=tiny) == []
    assert _codes(validate_combination(*VALID, catalog=tiny)) == [("seriesCode", UNKNOWN_SERIES)]


# --------------------------------------------------------------------------- validate_combination


def test_valid_combination() -> None:
    assert validate_combination(*VALID) == []


def test_level_may_be_given_as_string() -> None:
    series, _, title, specialty = VALID
    assert validate_combination(series, "ASSOCIATE_SENIOR", title, specialty) == []


def test_unknown_series_reports_only_the_series() -> None:
    # Nothing else can be judged without a series, so no cascade of errors.
    violations = validate_combination("NOPE", "NOT_A_LEVEL", "X.Y", "X.Z")
    assert _codes(violations) == [("seriesCode", UNKNOWN_SERIES)]


def test_level_the_series_lacks() -> None:
    violations = validate_combination(
        "HIGHER_EDUCATION",
        TitleLevel.JUNIOR,
        "HIGHER_EDUCATION.TEACHING_ASSISTANT",
        "HIGHER_EDUCATION.LAW",
    )
    # Only the level: the title is not re-reported against a level that does not exist.
    assert _codes(violations) == [("level", LEVEL_NOT_IN_SERIES)]
    assert "员级" in violations[0].message


def test_unknown_level_string() -> None:
    series, _, title, specialty = VALID
    assert _codes(validate_combination(series, "GRAND_MASTER", title, specialty)) == [
        ("level", LEVEL_NOT_IN_SERIES)
    ]


def test_title_of_another_level() -> None:
    series, level, _, specialty = VALID
    violations = validate_combination(series, level, "ENGINEERING.FULL_SENIOR_ENGINEER", specialty)
    assert _codes(violations) == [("titleCode", TITLE_NOT_IN_LEVEL)]
    assert violations[0].message == "申报职称不属于所选申报级别"


def test_title_of_another_series() -> None:
    series, level, _, specialty = VALID
    violations = validate_combination(series, level, "HEALTH.ASSOCIATE_CHIEF_PHYSICIAN", specialty)
    assert _codes(violations) == [("titleCode", TITLE_NOT_IN_LEVEL)]


def test_unknown_title() -> None:
    series, level, _, specialty = VALID
    assert _codes(validate_combination(series, level, "ENGINEERING.NOPE", specialty)) == [
        ("titleCode", UNKNOWN_TITLE)
    ]


def test_specialty_of_another_series() -> None:
    series, level, title, _ = VALID
    assert _codes(validate_combination(series, level, title, "HEALTH.SURGERY")) == [
        ("specialtyCode", SPECIALTY_NOT_IN_SERIES)
    ]


def test_unknown_specialty() -> None:
    series, level, title, _ = VALID
    assert _codes(validate_combination(series, level, title, "ENGINEERING.NOPE")) == [
        ("specialtyCode", UNKNOWN_SPECIALTY)
    ]


def test_reports_every_independent_violation() -> None:
    violations = validate_combination(
        "HIGHER_EDUCATION", TitleLevel.JUNIOR, "ENGINEERING.ENGINEER", "HEALTH.SURGERY"
    )
    assert _codes(violations) == [
        ("level", LEVEL_NOT_IN_SERIES),
        ("titleCode", TITLE_NOT_IN_LEVEL),
        ("specialtyCode", SPECIALTY_NOT_IN_SERIES),
    ]


def test_every_violation_has_a_chinese_message() -> None:
    cases = [
        validate_combination("NOPE", "SENIOR", "X", "Y"),
        validate_combination("HIGHER_EDUCATION", "JUNIOR", "NOPE", "NOPE"),
        validate_combination("HIGHER_EDUCATION", "BOGUS", "ENGINEERING.ENGINEER", "HEALTH.SURGERY"),
        validate_combination(*VALID[:2], "ENGINEERING.ENGINEER", VALID[3]),
    ]
    violations = [v for case in cases for v in case]
    assert {v.code for v in violations} == {
        UNKNOWN_SERIES,
        LEVEL_NOT_IN_SERIES,
        UNKNOWN_TITLE,
        TITLE_NOT_IN_LEVEL,
        UNKNOWN_SPECIALTY,
        SPECIALTY_NOT_IN_SERIES,
    }
    for v in violations:
        assert v.field in {"seriesCode", "level", "titleCode", "specialtyCode"}
        assert CHINESE.search(v.message), v


def test_every_catalogue_title_validates_with_its_own_series() -> None:
    # Guards the data: each title is reachable through the cascade 系列 → 级别 → 职称 → 专业.
    for series, lv, title in _all_titles():
        specialty = series.specialties_of(title)[0].code
        assert validate_combination(series.code, lv.level, title.code, specialty) == []


# --------------------------------------------------------------------------- title → specialties


def test_every_title_offers_specialties_of_its_own_series() -> None:
    for series, _, title in _all_titles():
        offered = series.specialties_of(title)
        assert offered, title.code
        assert set(offered) <= set(series.specialties)
        assert title.series_wide == (offered == series.specialties) or not title.series_wide
        if title.series_wide:
            assert offered == series.specialties


def test_every_specialty_is_offered_by_some_title() -> None:
    for series in CATALOG:
        offered = {sp for lv in series.levels for t in lv.titles for sp in series.specialties_of(t)}
        assert offered == set(series.specialties), series.code


def test_one_title_per_level_series_are_series_wide_and_say_so() -> None:
    # Where a level has a single title there is nothing to narrow: the data marks it, not implies it.
    for series in CATALOG:
        if all(len(lv.titles) == 1 for lv in series.levels):
            assert all(t.specialty_codes is SERIES_WIDE for lv in series.levels for t in lv.titles), series.code


def test_health_titles_offer_their_track() -> None:
    names = {code: {sp.name for sp in title_specialties(f"HEALTH.{code}")}
             for code in ("ASSOCIATE_CHIEF_PHYSICIAN", "ASSOCIATE_CHIEF_PHARMACIST", "ASSOCIATE_CHIEF_NURSE",
                          "ASSOCIATE_CHIEF_TECHNOLOGIST")}
    assert "外科学" in names["ASSOCIATE_CHIEF_PHYSICIAN"]
    assert names["ASSOCIATE_CHIEF_PHARMACIST"] == {"药学", "中药学", "临床药学"}
    assert "护理学" in names["ASSOCIATE_CHIEF_NURSE"] and "外科学" not in names["ASSOCIATE_CHIEF_NURSE"]
    assert "医学检验" in names["ASSOCIATE_CHIEF_TECHNOLOGIST"]
    assert title_specialties("NOPE") == ()


def test_specialty_the_title_does_not_offer() -> None:
    violations = validate_combination(
        "HEALTH", TitleLevel.ASSOCIATE_SENIOR, "HEALTH.ASSOCIATE_CHIEF_NURSE", "HEALTH.SURGERY"
    )
    assert _codes(violations) == [("specialtyCode", ErrorCode.SPECIALTY_NOT_FOR_TITLE)]
    assert "副主任护师" in violations[0].message and "外科学" in violations[0].message
    assert validate_combination(
        "HEALTH", TitleLevel.ASSOCIATE_SENIOR, "HEALTH.ASSOCIATE_CHIEF_NURSE", "HEALTH.NURSING"
    ) == []


def test_specialty_is_not_judged_against_a_refused_title() -> None:
    # A title of another series is reported once, as the title's error.
    violations = validate_combination(
        "ENGINEERING", TitleLevel.ASSOCIATE_SENIOR, "HEALTH.ASSOCIATE_CHIEF_NURSE", "ENGINEERING.CIVIL"
    )
    assert _codes(violations) == [("titleCode", TITLE_NOT_IN_LEVEL)]


def test_the_data_builder_refuses_anything_implicit() -> None:
    from rules.catalog_data import _series, _Tracks

    levels = {TitleLevel.INTERMEDIATE: [("A_NURSE", "甲"), ("A_PHYSICIAN", "乙")]}
    specialties = [("N", "护理"), ("S", "外科")]
    ok = _series("X", "测试", levels, specialties, _Tracks({"NURSE": ("N",), "PHYSICIAN": ("S",)}))
    assert [t.specialty_codes for t in ok.levels[0].titles] == [("X.N",), ("X.S",)]
    with pytest.raises(ValueError, match="matches no track"):  # a title left out
        _series("X", "测试", levels, specialties, _Tracks({"NURSE": ("N", "S")}))
    with pytest.raises(ValueError, match="unknown specialties"):
        _series("X", "测试", levels, specialties, _Tracks({"NURSE": ("N",), "PHYSICIAN": ("S", "Z")}))
    with pytest.raises(ValueError, match="no title offers"):
        _series("X", "测试", levels, specialties, _Tracks({"NURSE": ("N",), "PHYSICIAN": ("N",)}))


# --------------------------------------------------------------------------- 破格条件


def test_exceptional_conditions_data() -> None:
    assert len(EXCEPTIONAL_CONDITIONS) >= 8
    assert len({c.code for c in EXCEPTIONAL_CONDITIONS}) == len(EXCEPTIONAL_CONDITIONS)
    for c in EXCEPTIONAL_CONDITIONS:
        assert SERIES_CODE.match(c.code) and CHINESE.search(c.name)
    assert find_exceptional_condition("MAJOR_ACHIEVEMENT") is EXCEPTIONAL_CONDITIONS[0]
    assert find_exceptional_condition("NOPE") is None and find_exceptional_condition(None) is None


def test_exceptional_conditions_rule() -> None:
    ok = validate_exceptional_conditions([" KEY_PROJECT ", "PROVINCIAL_AWARD", "KEY_PROJECT"], True)
    assert ok == (("KEY_PROJECT", "PROVINCIAL_AWARD"), [])
    assert validate_exceptional_conditions(None, False) == ((), [])

    def codes(chosen, exceptional):
        return [v.code for v in validate_exceptional_conditions(chosen, exceptional)[1]]

    assert codes([], True) == codes(None, True) == codes([""], True) == [ErrorCode.EXCEPTIONAL_CONDITION_REQUIRED]
    assert codes(["KEY_PROJECT"], False) == [ErrorCode.EXCEPTIONAL_CONDITION_NOT_ALLOWED]
    assert codes(["KEY_PROJECT", "NOPE"], True) == [ErrorCode.UNKNOWN_EXCEPTIONAL_CONDITION]
    # Never more than the catalogue holds: refused before any lookup, in one violation.
    assert codes(["X"] * (len(EXCEPTIONAL_CONDITIONS) + 1), True) == [ErrorCode.INVALID_INPUT]
    many_unknown = validate_exceptional_conditions([f"U{i}" for i in range(6)], True)[1]
    assert len(many_unknown) == 1 and many_unknown[0].message.endswith("等")


# --------------------------------------------------------------------------- regions


def test_shandong_has_16_cities_and_no_laiwu() -> None:
    cities = [r for r in REGIONS if r.parent == PROVINCE_CODE]
    assert len(cities) == 16
    assert len({r.code for r in REGIONS}) == len(REGIONS)
    assert find_region("371200") is None  # 莱芜市 merged into 济南市 in 2019
    assert find_region("370100").name == "济南市"
    assert find_region("371700").name == "菏泽市"
    assert find_region(PROVINCE_CODE).parent is None


def test_is_city() -> None:
    assert is_city("370200")
    assert not is_city(PROVINCE_CODE)
    assert not is_city("371200")
    assert not is_city(None)


def test_province_covers_itself_and_every_city() -> None:
    assert all(region_covers(PROVINCE_CODE, r.code) for r in REGIONS)


def test_city_covers_only_itself() -> None:
    assert region_covers("370100", "370100")
    assert not region_covers("370100", "370200")
    assert not region_covers("370100", PROVINCE_CODE)


def test_unknown_regions_cover_nothing() -> None:
    assert not region_covers("371200", "371200")
    assert not region_covers(PROVINCE_CODE, "371200")
    assert not region_covers(None, "370100")


# --------------------------------------------------------------------------- the catalogue as data (issue 12)

def _with_retired(*, series: str | None = None, title: str | None = None, specialty: str | None = None):
    """The built-in catalogue with one entry retired, as the database would give it."""
    from dataclasses import replace

    from rules.catalog import Catalog, Level, default_catalog

    def one(s):
        levels = tuple(Level(lv.level, tuple(replace(t, retired=t.code == title) for t in lv.titles))
                       for lv in s.levels)
        specialties = tuple(replace(sp, retired=sp.code == specialty) for sp in s.specialties)
        return replace(s, levels=levels, specialties=specialties, retired=s.code == series)

    return Catalog([one(s) for s in default_catalog()])


ENG = ("ENGINEERING", "ASSOCIATE_SENIOR", "ENGINEERING.SENIOR_ENGINEER", "ENGINEERING.CIVIL")


def _codes_of(violations) -> list[tuple[str, str]]:
    return [(v.code.value, v.field) for v in violations]


def test_a_retired_title_is_refused_unless_the_declaration_already_holds_it():
    from rules.catalog import validate_combination

    catalog = _with_retired(title="ENGINEERING.SENIOR_ENGINEER")
    assert _codes_of(validate_combination(*ENG, catalog)) == [("CATALOG_ENTRY_RETIRED", "titleCode")]
    assert validate_combination(*ENG, catalog, kept=("ENGINEERING.SENIOR_ENGINEER",)) == []


def test_a_retired_series_is_reported_alone_and_retires_what_it_holds():
    from rules.catalog import validate_combination

    catalog = _with_retired(series="ENGINEERING")
    assert _codes_of(validate_combination(*ENG, catalog)) == [("CATALOG_ENTRY_RETIRED", "seriesCode")]
    # Keeping the series does not open its other titles to a new choice.
    assert _codes_of(validate_combination(*ENG, catalog, kept=("ENGINEERING",))) == [
        ("CATALOG_ENTRY_RETIRED", "titleCode"), ("CATALOG_ENTRY_RETIRED", "specialtyCode")]
    assert validate_combination(*ENG, catalog, kept=ENG[:1] + ENG[2:]) == []


def test_a_retired_specialty_is_refused():
    from rules.catalog import validate_combination

    catalog = _with_retired(specialty="ENGINEERING.CIVIL")
    assert _codes_of(validate_combination(*ENG, catalog)) == [("CATALOG_ENTRY_RETIRED", "specialtyCode")]


def test_retired_entries_still_resolve_but_leave_the_active_view():
    from rules.catalog import find_series, find_title, install, title_name

    catalog = _with_retired(title="ENGINEERING.SENIOR_ENGINEER", specialty="ENGINEERING.CIVIL")
    install(catalog)
    try:
        assert title_name("ENGINEERING.SENIOR_ENGINEER") == "高级工程师"
        assert find_title("ENGINEERING.SENIOR_ENGINEER")[2].retired  # type: ignore[index]
        active = {s.code: s for s in catalog.active()}["ENGINEERING"]
        assert "ENGINEERING.SENIOR_ENGINEER" not in {t.code for lv in active.levels for t in lv.titles}
        assert "ENGINEERING.CIVIL" not in {sp.code for sp in active.specialties}
        series = find_series("ENGINEERING")
        assert series is not None
        title = find_title("ENGINEERING.ENGINEER")[2]  # type: ignore[index]
        assert "ENGINEERING.CIVIL" in {sp.code for sp in series.specialties_of(title)}
        assert "ENGINEERING.CIVIL" not in {sp.code for sp in series.specialties_of(title, active_only=True)}
    finally:
        install(None)


def test_a_retired_series_leaves_the_active_view_whole():
    catalog = _with_retired(series="HEALTH")
    assert "HEALTH" not in {s.code for s in catalog.active()}
    assert "HEALTH" in {s.code for s in catalog.series}


def test_rows_build_the_catalogue_levels_highest_first_and_lists_in_order():
    from types import SimpleNamespace as Row

    from resolvers.catalog import build
    from rules.catalog import TitleLevel

    series = [Row(code="S", name="系列", retired_at=None)]
    titles = [Row(code="S.B", series_code="S", level=TitleLevel.INTERMEDIATE, name="乙", series_wide=True,
                  retired_at=None),
              Row(code="S.A", series_code="S", level=TitleLevel.SENIOR, name="甲", series_wide=False,
                  retired_at="2026-01-01")]
    specialties = [Row(code="S.X", series_code="S", name="专业X", retired_at=None),
                   Row(code="S.Y", series_code="S", name="专业Y", retired_at=None)]
    catalog = build(series, titles, specialties, {"S.A": ["S.Y"]}, version=7)
    (s,) = catalog.series
    assert [lv.level for lv in s.levels] == [TitleLevel.SENIOR, TitleLevel.INTERMEDIATE]
    a, b = s.levels[0].titles[0], s.levels[1].titles[0]
    assert (a.retired, a.specialty_codes, b.series_wide) == (True, ("S.Y",), True)
    assert [sp.code for sp in s.specialties_of(b)] == ["S.X", "S.Y"]
    assert catalog.version == 7 and catalog.titles_by_code["S.A"][2] is a
