"""The catalogue as data (issue 12): the province admin adds and retires entries; what is
retired stays readable on old declarations and cannot be chosen by new ones.

Catalogue tables survive the harness's truncation (they are reference data), so every test
here puts them back as they were (`restore_catalog`)."""

from __future__ import annotations

import pytest
from sqlalchemy import text

import models
from core import db
from resolvers import catalog as catalog_steps
from rules import catalog as rules
from tests.support.db import REFERENCE_TABLES, count_statements
from tests.support.declarations import GET, UPDATE, World

ENTRY = "entry { kind code name seriesCode level retired } errors { code field message }"
ADD_SERIES = "mutation($i: CatalogSeriesInput!) { addCatalogSeries(input: $i) { " + ENTRY + " } }"
ADD_TITLE = "mutation($i: CatalogTitleInput!) { addCatalogTitle(input: $i) { " + ENTRY + " } }"
ADD_SPECIALTY = "mutation($i: CatalogSpecialtyInput!) { addCatalogSpecialty(input: $i) { " + ENTRY + " } }"
RETIRE = ("mutation($k: CatalogEntryKind!, $c: String!) { retireCatalogEntry(kind: $k, code: $c) { "
          + ENTRY + " } }")
RESTORE = ("mutation($k: CatalogEntryKind!, $c: String!) { restoreCatalogEntry(kind: $k, code: $c) { "
           + ENTRY + " } }")
CATALOG = """query($r: Boolean! = false) { catalog(includeRetired: $r) { code name retired
  levels { level titles { code name retired specialtiesSeriesWide specialties { code name retired } } }
  specialties { code name retired } } }"""
CASCADE = "{ declarationCascade { level titles { code seriesCode specialties { code } } } }"
CREATE_SMALL = ("mutation($input: DeclarationInput!) { createDeclaration(input: $input) { declaration { id titleCode "
                "titleName specialtyName seriesName } errors { code field message } } }")
AUDIT = "{ auditLog(first: 50) { edges { node { action success objectType reason } } } }"

CATALOG_TABLES = ("catalog_title_specialty", "catalog_title", "catalog_specialty", "catalog_series")


@pytest.fixture(autouse=True)
async def restore_catalog(engine):
    """Put the catalogue back: delete what a test added, un-retire what it retired. Autouse, so
    it is set up before (and torn down after) the harness's truncation of declarations."""
    async with engine.connect() as conn:
        before = {t: set((await conn.execute(text(f"SELECT * FROM {t}"))).all()) for t in CATALOG_TABLES}
    yield
    tables = [t.name for t in models.Base.metadata.sorted_tables if t.name not in REFERENCE_TABLES]
    async with engine.begin() as conn:
        await conn.execute(text("SET LOCAL zhicheng.allow_truncate = 'on'"))
        await conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        await conn.execute(text("DELETE FROM catalog_title_specialty"))
        for table in CATALOG_TABLES[1:]:
            codes = [row[0] for row in before[table]]
            await conn.execute(text(f"DELETE FROM {table} WHERE code <> ALL(:codes)"), {"codes": codes})
            await conn.execute(text(f"UPDATE {table} SET retired_at = NULL"))
            retired = [row[0] for row in before[table] if row._mapping["retired_at"] is not None]
            assert not retired  # the loaded list has nothing retired
        await conn.execute(text("INSERT INTO catalog_title_specialty VALUES (:t, :s)"),
                           [{"t": t, "s": s} for t, s in before["catalog_title_specialty"]])
        await conn.execute(text("UPDATE catalog_version SET version = version + 1"))
    await catalog_steps.reload(db.create_session_factory(engine))


@pytest.fixture
async def world(api, engine, services) -> World:
    return await World(api, engine, services).setup()


def _payload(data: dict) -> dict:
    return next(iter(data.values()))


def _ok(data: dict) -> dict:
    payload = _payload(data)
    assert payload["errors"] == [], payload["errors"]
    return payload["entry"]


def _codes(payload: dict) -> list[tuple[str, str]]:
    return [(e["code"], e["field"]) for e in payload["errors"]]


def _titles(catalog: list[dict]) -> dict[str, dict]:
    return {t["code"]: t for s in catalog for lv in s["levels"] for t in lv["titles"]}


# --------------------------------------------------------------------------- adding

async def test_a_new_series_gets_specialties_then_titles_and_is_served_at_once(api, province_admin):
    entry = _ok(await api(ADD_SERIES, {"i": {"code": "DATA_SCIENCE", "name": "数据科学专业人员"}}, province_admin))
    assert entry == {"kind": "SERIES", "code": "DATA_SCIENCE", "name": "数据科学专业人员", "seriesCode": "DATA_SCIENCE",
                     "level": None, "retired": False}
    for code, name in (("DATA_SCIENCE.ANALYTICS", "数据分析"), ("DATA_SCIENCE.GOVERNANCE", "数据治理")):
        _ok(await api(ADD_SPECIALTY, {"i": {"seriesCode": "DATA_SCIENCE", "code": code, "name": name}}, province_admin))
    wide = _ok(await api(ADD_TITLE, {"i": {"seriesCode": "DATA_SCIENCE", "level": "INTERMEDIATE",
                                           "code": "DATA_SCIENCE.DATA_ENGINEER", "name": "数据工程师",
                                           "specialtiesSeriesWide": True}}, province_admin))
    assert (wide["level"], wide["seriesCode"]) == ("INTERMEDIATE", "DATA_SCIENCE")
    _ok(await api(ADD_TITLE, {"i": {"seriesCode": "DATA_SCIENCE", "level": "ASSOCIATE_SENIOR",
                                    "code": "DATA_SCIENCE.SENIOR_DATA_ENGINEER", "name": "高级数据工程师",
                                    "specialtyCodes": ["DATA_SCIENCE.ANALYTICS"]}}, province_admin))
    # A specialty added later reaches the series-wide title, and the listed title.
    _ok(await api(ADD_SPECIALTY, {"i": {"seriesCode": "DATA_SCIENCE", "code": "DATA_SCIENCE.SECURITY",
                                        "name": "数据安全", "titleCodes": ["DATA_SCIENCE.SENIOR_DATA_ENGINEER"]}},
                  province_admin))

    series = next(s for s in (await api(CATALOG))["catalog"] if s["code"] == "DATA_SCIENCE")
    assert [lv["level"] for lv in series["levels"]] == ["ASSOCIATE_SENIOR", "INTERMEDIATE"]  # highest first
    titles = _titles([series])
    assert [s["code"] for s in titles["DATA_SCIENCE.DATA_ENGINEER"]["specialties"]] == [
        "DATA_SCIENCE.ANALYTICS", "DATA_SCIENCE.GOVERNANCE", "DATA_SCIENCE.SECURITY"]
    assert [s["code"] for s in titles["DATA_SCIENCE.SENIOR_DATA_ENGINEER"]["specialties"]] == [
        "DATA_SCIENCE.ANALYTICS", "DATA_SCIENCE.SECURITY"]
    cascade = {lv["level"]: lv["titles"] for lv in (await api(CASCADE))["declarationCascade"]}
    assert "DATA_SCIENCE.DATA_ENGINEER" in {t["code"] for t in cascade["INTERMEDIATE"]}


async def test_a_declaration_can_choose_an_added_title(world, province_admin):
    _ok(await world.api(ADD_TITLE, {"i": {"seriesCode": "ENGINEERING", "level": "ASSOCIATE_SENIOR",
                                          "code": "ENGINEERING.SENIOR_DATA_ENGINEER", "name": "高级数据工程师",
                                          "specialtyCodes": ["ENGINEERING.CIVIL"]}}, province_admin))
    data = await world.api(CREATE_SMALL, {"input": world.input(titleCode="ENGINEERING.SENIOR_DATA_ENGINEER")},
                           world.token)
    assert data["createDeclaration"]["errors"] == []
    assert data["createDeclaration"]["declaration"]["titleName"] == "高级数据工程师"


async def test_codes_and_names_are_checked_and_never_reused(api, province_admin):
    taken = await api(ADD_SERIES, {"i": {"code": "ENGINEERING", "name": "工程技术人员"}}, province_admin)
    assert _codes(_payload(taken)) == [("CATALOG_CODE_TAKEN", "code"), ("CATALOG_NAME_TAKEN", "name")]
    bad = await api(ADD_SERIES, {"i": {"code": "data-science", "name": " "}}, province_admin)
    assert _codes(_payload(bad)) == [("INVALID_INPUT", "code"), ("FIELD_REQUIRED", "name")]
    long = await api(ADD_SERIES, {"i": {"code": "LONG", "name": "名" * 65}}, province_admin)
    assert _codes(_payload(long)) == [("FIELD_TOO_LONG", "name")]
    wrong_prefix = await api(ADD_TITLE, {"i": {"seriesCode": "ENGINEERING", "level": "SENIOR",
                                               "code": "HEALTH.X", "name": "某工程师", "specialtiesSeriesWide": True}},
                             province_admin)
    assert _codes(_payload(wrong_prefix)) == [("INVALID_INPUT", "code")]
    same_name = await api(ADD_TITLE, {"i": {"seriesCode": "ENGINEERING", "level": "SENIOR",
                                            "code": "ENGINEERING.ANOTHER", "name": "高级工程师",
                                            "specialtiesSeriesWide": True}}, province_admin)
    assert _codes(_payload(same_name)) == [("CATALOG_NAME_TAKEN", "name")]
    no_specialty = await api(ADD_TITLE, {"i": {"seriesCode": "ENGINEERING", "level": "SENIOR",
                                               "code": "ENGINEERING.ANOTHER", "name": "另一工程师"}}, province_admin)
    assert _codes(_payload(no_specialty)) == [("FIELD_REQUIRED", "specialtyCodes")]
    foreign = await api(ADD_TITLE, {"i": {"seriesCode": "ENGINEERING", "level": "SENIOR",
                                          "code": "ENGINEERING.ANOTHER", "name": "另一工程师",
                                          "specialtyCodes": ["HEALTH.NURSING"]}}, province_admin)
    assert _codes(_payload(foreign)) == [("UNKNOWN_SPECIALTY", "specialtyCodes")]
    unknown = await api(ADD_SPECIALTY, {"i": {"seriesCode": "NOPE", "code": "NOPE.X", "name": "某"}}, province_admin)
    assert _codes(_payload(unknown)) == [("UNKNOWN_SERIES", "seriesCode")]


async def test_a_retired_code_stays_taken(api, province_admin):
    _ok(await api(RETIRE, {"k": "SPECIALTY", "c": "ENGINEERING.CIVIL"}, province_admin))
    again = await api(ADD_SPECIALTY, {"i": {"seriesCode": "ENGINEERING", "code": "ENGINEERING.CIVIL",
                                            "name": "土木建筑"}}, province_admin)
    assert _codes(_payload(again)) == [("CATALOG_CODE_TAKEN", "code"), ("CATALOG_NAME_TAKEN", "name")]


async def test_only_the_province_office_changes_the_catalogue(api, city_admin, engine):
    before = await catalog_rows(engine)
    for query, variables in ((ADD_SERIES, {"i": {"code": "CITY", "name": "市级系列"}}),
                             (RETIRE, {"k": "TITLE", "c": "ENGINEERING.ENGINEER"})):
        assert _codes(_payload(await api(query, variables, city_admin))) == [("NOT_PERMITTED", None)]
    assert await catalog_rows(engine) == before


async def catalog_rows(engine) -> dict:
    async with engine.connect() as conn:
        return {t: set((await conn.execute(text(f"SELECT * FROM {t}"))).all()) for t in CATALOG_TABLES}


async def test_changes_are_audited(api, province_admin):
    _ok(await api(ADD_SERIES, {"i": {"code": "AUDITED", "name": "审计测试系列"}}, province_admin))
    await api(ADD_SERIES, {"i": {"code": "AUDITED", "name": "审计测试系列二"}}, province_admin)
    _ok(await api(RETIRE, {"k": "SERIES", "c": "AUDITED"}, province_admin))
    _ok(await api(RESTORE, {"k": "SERIES", "c": "AUDITED"}, province_admin))
    rows = [e["node"] for e in (await api(AUDIT, token=province_admin))["auditLog"]["edges"]]
    catalog_rows_ = [(r["action"], r["success"], r["objectType"], r["reason"]) for r in rows
                     if r["action"].startswith("catalog.")]
    assert sorted(catalog_rows_) == sorted([
        ("catalog.add", True, "CatalogSeries", "AUDITED 审计测试系列"),
        ("catalog.add", False, "CatalogSeries", "CATALOG_CODE_TAKEN"),
        ("catalog.retire", True, "CatalogSeries", "AUDITED 审计测试系列"),
        ("catalog.restore", True, "CatalogSeries", "AUDITED 审计测试系列"),
    ])


# --------------------------------------------------------------------------- retiring

async def test_a_retired_title_stays_on_old_declarations_and_is_refused_to_new_ones(world, province_admin):
    code = "ENGINEERING.SENIOR_ENGINEER"
    old = await world.create()
    entry = _ok(await world.api(RETIRE, {"k": "TITLE", "c": code}, province_admin))
    assert (entry["retired"], entry["name"]) == (True, "高级工程师")

    # Gone from what new declarations are offered, still listed when asked for.
    assert code not in _titles((await world.api(CATALOG))["catalog"])
    assert _titles((await world.api(CATALOG, {"r": True}))["catalog"])[code]["retired"] is True
    cascade = (await world.api(CASCADE))["declarationCascade"]
    assert code not in {t["code"] for lv in cascade for t in lv["titles"]}

    # The old declaration still shows it, and can still be saved with it.
    shown = (await world.api(GET, {"id": old["id"]}, world.token))["declaration"]
    assert (shown["titleCode"], shown["titleName"]) == (code, "高级工程师")
    saved = (await world.api(UPDATE, {"id": old["id"], "input": world.input(phone="0531-12345678")},
                             world.token))["updateDeclaration"]
    assert saved["errors"] == []

    # A new declaration cannot choose it.
    refused = (await world.api(CREATE_SMALL, {"input": world.input()}, await world.other_applicant()))
    assert _codes(refused["createDeclaration"]) == [("CATALOG_ENTRY_RETIRED", "titleCode")]

    # Restored, it can be chosen again.
    _ok(await world.api(RESTORE, {"k": "TITLE", "c": code}, province_admin))
    again = (await world.api(CREATE_SMALL, {"input": world.input()}, await world.other_applicant()))
    assert again["createDeclaration"]["errors"] == []


async def test_a_retired_series_takes_its_titles_and_specialties_with_it(world, province_admin):
    old = await world.create()
    _ok(await world.api(RETIRE, {"k": "SERIES", "c": "ENGINEERING"}, province_admin))
    assert "ENGINEERING" not in {s["code"] for s in (await world.api(CATALOG))["catalog"]}
    listed = next(s for s in (await world.api(CATALOG, {"r": True}))["catalog"] if s["code"] == "ENGINEERING")
    assert listed["retired"] and all(t["retired"] for t in _titles([listed]).values())
    assert all(sp["retired"] for sp in listed["specialties"])
    cascade = (await world.api(CASCADE))["declarationCascade"]
    assert not [t for lv in cascade for t in lv["titles"] if t["seriesCode"] == "ENGINEERING"]

    refused = (await world.api(CREATE_SMALL, {"input": world.input()}, await world.other_applicant()))
    assert _codes(refused["createDeclaration"]) == [("CATALOG_ENTRY_RETIRED", "seriesCode")]
    # Nothing new may be added under it either.
    added = await world.api(ADD_SPECIALTY, {"i": {"seriesCode": "ENGINEERING", "code": "ENGINEERING.NEW",
                                                  "name": "新专业"}}, province_admin)
    assert _codes(_payload(added)) == [("CATALOG_ENTRY_RETIRED", "seriesCode")]
    shown = (await world.api(GET, {"id": old["id"]}, world.token))["declaration"]
    assert shown["titleName"] == "高级工程师"


async def test_a_retired_specialty_is_refused_to_new_declarations(world, province_admin):
    _ok(await world.api(RETIRE, {"k": "SPECIALTY", "c": "ENGINEERING.CIVIL"}, province_admin))
    refused = (await world.api(CREATE_SMALL, {"input": world.input()}, world.token))
    assert _codes(refused["createDeclaration"]) == [("CATALOG_ENTRY_RETIRED", "specialtyCode")]
    titles = _titles((await world.api(CATALOG))["catalog"])
    assert "ENGINEERING.CIVIL" not in {s["code"] for s in titles["ENGINEERING.SENIOR_ENGINEER"]["specialties"]}


async def test_retiring_twice_or_an_unknown_code_is_refused(api, province_admin):
    _ok(await api(RETIRE, {"k": "TITLE", "c": "ENGINEERING.ENGINEER"}, province_admin))
    twice = await api(RETIRE, {"k": "TITLE", "c": "ENGINEERING.ENGINEER"}, province_admin)
    assert _codes(_payload(twice)) == [("INVALID_STATE", "code")]
    unknown = await api(RETIRE, {"k": "TITLE", "c": "ENGINEERING.NOPE"}, province_admin)
    assert _codes(_payload(unknown)) == [("NOT_FOUND", "code")]
    active = await api(RESTORE, {"k": "SERIES", "c": "HEALTH"}, province_admin)
    assert _codes(_payload(active)) == [("INVALID_STATE", "code")]


# --------------------------------------------------------------------------- serving

async def test_reading_the_catalogue_costs_no_statement(api, applicant, statement_counter):
    _, statements = await count_statements(api, statement_counter, CATALOG, applicant["token"])
    assert statements == 0


async def test_a_worker_follows_another_workers_change(engine, services):
    """What `watch` does every ZHICHENG_CATALOG_REFRESH_SECONDS: nothing while the version
    stands; a reload when it moved."""
    factory = services.session_factory
    assert await catalog_steps.refresh_if_changed(factory) is False
    async with engine.begin() as conn:  # another worker retires a title
        await conn.execute(text("UPDATE catalog_title SET retired_at = now() WHERE code = 'ENGINEERING.ENGINEER'"))
        await conn.execute(text("UPDATE catalog_version SET version = version + 1"))
    assert rules.find_title("ENGINEERING.ENGINEER")[2].retired is False  # type: ignore[index]
    assert await catalog_steps.refresh_if_changed(factory) is True
    assert rules.find_title("ENGINEERING.ENGINEER")[2].retired is True  # type: ignore[index]
    assert await catalog_steps.refresh_if_changed(factory) is False


async def test_the_migration_loaded_the_whole_list(engine):
    """The suite migrates an empty database: 0012 loaded what rules.catalog_data holds."""
    from rules.catalog_data import CATALOG as SNAPSHOT

    async with db.create_session_factory(engine)() as session:
        loaded = await catalog_steps.load(session)

    def shape(catalog) -> list:
        return [(s.code, s.name, s.specialties, [
            (lv.level, [(t.code, t.name, t.series_wide, t.retired, s.specialties_of(t)) for t in lv.titles])
            for lv in s.levels]) for s in catalog]

    assert shape(loaded.series) == shape(SNAPSHOT)
