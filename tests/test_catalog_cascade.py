"""The manual's cascade to the end (1.2 图1-8): each title offers its own specialties, the API
refuses one the title does not offer, and 破格情况 are chosen from the catalogue's 破格条件."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from tests.support.declarations import CONFIRM, CREATE, UPDATE, World, snapshot

CATALOG = """{ catalog { code specialties { code }
  levels { level titles { code name seriesCode level specialtiesSeriesWide specialties { code name } } } } }"""
CASCADE = """{ declarationCascade { level name
  titles { code name seriesCode seriesName level specialtiesSeriesWide specialties { code name } } } }"""
CONDITIONS = "{ exceptionalConditions { code name } }"
FIELDS = "id method exceptionalReason exceptionalConditions { code name } specialtyCode specialtyName"
CREATE_SMALL = ("mutation($input: DeclarationInput!) { createDeclaration(input: $input) { declaration { "
                + FIELDS + " } errors { code field message } } }")
UPDATE_SMALL = ("mutation($id: ID!, $input: DeclarationInput!) { updateDeclaration(id: $id, input: $input) { "
                "declaration { " + FIELDS + " } errors { code field message } } }")

NURSE = {"seriesCode": "HEALTH", "level": "ASSOCIATE_SENIOR", "titleCode": "HEALTH.ASSOCIATE_CHIEF_NURSE",
         "specialtyCode": "HEALTH.NURSING", "currentTitle": "主管护师"}
EXCEPTIONAL = {"method": "EXCEPTIONAL", "exceptionalReason": "2024年获山东省科学技术进步奖二等奖（排名第一）",
               "exceptionalConditionCodes": ["PROVINCIAL_AWARD"]}


@pytest.fixture
async def world(api, engine, services) -> World:
    return await World(api, engine, services).setup()


def _titles(catalog: list[dict]) -> dict[str, dict]:
    return {t["code"]: t for s in catalog for lv in s["levels"] for t in lv["titles"]}


async def _refused(world: World, variables: dict, mutation: str = CREATE_SMALL) -> list[tuple[str, str]]:
    before = await snapshot(world.engine)
    payload = next(iter((await world.api(mutation, variables, world.token)).values()))
    assert payload["declaration"] is None
    assert await snapshot(world.engine) == before
    return sorted((e["code"], e["field"]) for e in payload["errors"])


# --------------------------------------------------------------------------- serving the cascade


async def test_each_health_title_offers_its_own_specialties(api):
    titles = _titles((await api(CATALOG))["catalog"])
    offered = {code: {s["name"] for s in titles[f"HEALTH.{code}"]["specialties"]}
               for code in ("ASSOCIATE_CHIEF_PHYSICIAN", "ASSOCIATE_CHIEF_PHARMACIST", "ASSOCIATE_CHIEF_NURSE",
                            "ASSOCIATE_CHIEF_TECHNOLOGIST")}
    assert "外科学" in offered["ASSOCIATE_CHIEF_PHYSICIAN"] and "护理学" not in offered["ASSOCIATE_CHIEF_PHYSICIAN"]
    assert offered["ASSOCIATE_CHIEF_PHARMACIST"] == {"药学", "中药学", "临床药学"}
    assert "护理学" in offered["ASSOCIATE_CHIEF_NURSE"] and "外科学" not in offered["ASSOCIATE_CHIEF_NURSE"]
    assert "医学检验" in offered["ASSOCIATE_CHIEF_TECHNOLOGIST"]
    # Four titles of one level, four disjoint lists: the series' list is no longer everyone's.
    lists = list(offered.values())
    assert all(not (a & b) for i, a in enumerate(lists) for b in lists[i + 1:])
    assert not any(titles[f"HEALTH.{c}"]["specialtiesSeriesWide"] for c in offered)
    # 护士 offers only 护理学; 主管护师 and above the specialist nursing too.
    assert [s["name"] for s in titles["HEALTH.JUNIOR_NURSE"]["specialties"]] == ["护理学"]


async def test_a_title_without_a_narrower_list_says_so(api):
    catalog = (await api(CATALOG))["catalog"]
    titles = _titles(catalog)
    engineering = next(s for s in catalog if s["code"] == "ENGINEERING")
    senior = titles["ENGINEERING.SENIOR_ENGINEER"]
    assert senior["specialtiesSeriesWide"] is True
    assert [s["code"] for s in senior["specialties"]] == [s["code"] for s in engineering["specialties"]]
    assert senior["seriesCode"] == "ENGINEERING" and senior["level"] == "ASSOCIATE_SENIOR"
    # 农业's 技术员 serves the three tracks: series-wide inside a series of narrower titles.
    assert titles["AGRICULTURE.TECHNICIAN"]["specialtiesSeriesWide"] is True
    assert titles["AGRICULTURE.SENIOR_VETERINARIAN"]["specialtiesSeriesWide"] is False


async def test_every_specialty_is_offered_by_some_title(api):
    for series in (await api(CATALOG))["catalog"]:
        offered = {s["code"] for lv in series["levels"] for t in lv["titles"] for s in t["specialties"]}
        assert offered == {s["code"] for s in series["specialties"]}, series["code"]


async def test_declaration_cascade_is_in_the_manuals_order(api):
    cascade = (await api(CASCADE))["declarationCascade"]
    # 申报级别 first, highest to lowest …
    assert [lv["name"] for lv in cascade] == ["正高级", "副高级", "中级", "助理级", "员级"]
    # … then every title of that level with the series it belongs to …
    associate = {t["name"]: t for t in cascade[1]["titles"]}
    assert {"高级工程师", "副主任护师", "副教授", "高级船长"} <= set(associate)
    nurse = associate["副主任护师"]
    assert (nurse["code"], nurse["seriesCode"], nurse["seriesName"], nurse["level"]) == (
        "HEALTH.ASSOCIATE_CHIEF_NURSE", "HEALTH", "卫生技术人员", "ASSOCIATE_SENIOR")
    # … then the title's own specialties.
    assert "外科学" not in {s["name"] for s in nurse["specialties"]}
    # The two views are one catalogue.
    titles = _titles((await api(CATALOG))["catalog"])
    assert {t["code"] for lv in cascade for t in lv["titles"]} == set(titles)
    for lv in cascade:
        for t in lv["titles"]:
            assert {k: t[k] for k in titles[t["code"]]} == titles[t["code"]]


# A series-wide title is a flag (it offers specialties added later too); the others are rows.
STORED_CASCADE = """
SELECT title_code, specialty_code FROM catalog_title_specialty
UNION SELECT t.code, s.code FROM catalog_title t JOIN catalog_specialty s ON s.series_code = t.series_code
WHERE t.series_wide
"""


async def test_database_links_match_the_cascade(api, engine):
    titles = _titles((await api(CATALOG))["catalog"])
    expected = {(code, s["code"]) for code, t in titles.items() for s in t["specialties"]}
    async with engine.connect() as conn:
        stored = set((await conn.execute(text(STORED_CASCADE))).all())
        wide = set((await conn.execute(text("SELECT code FROM catalog_title WHERE series_wide"))).scalars())
        explicit = set((await conn.execute(text("SELECT title_code FROM catalog_title_specialty"))).scalars())
    assert stored == expected
    assert wide and not wide & explicit


# --------------------------------------------------------------------------- refusing a specialty


async def test_create_refuses_a_specialty_the_title_does_not_offer(world):
    codes = await _refused(world, {"input": world.input(**{**NURSE, "specialtyCode": "HEALTH.SURGERY"})})
    assert codes == [("SPECIALTY_NOT_FOR_TITLE", "specialtyCode")]
    payload = (await world.api(CREATE_SMALL, {"input": world.input(**{**NURSE, "specialtyCode": "HEALTH.SURGERY"})},
                               world.token))["createDeclaration"]
    assert "副主任护师" in payload["errors"][0]["message"] and "外科学" in payload["errors"][0]["message"]
    ok = (await world.api(CREATE_SMALL, {"input": world.input(**NURSE)}, world.token))["createDeclaration"]
    assert ok["errors"] == [] and ok["declaration"]["specialtyName"] == "护理学"


async def test_update_refuses_it_too(world):
    d = (await world.api(CREATE_SMALL, {"input": world.input(**NURSE)}, world.token))["createDeclaration"]
    codes = await _refused(world, {"id": d["declaration"]["id"],
                                   "input": world.input(**{**NURSE, "specialtyCode": "HEALTH.PHARMACY"})}, UPDATE_SMALL)
    assert codes == [("SPECIALTY_NOT_FOR_TITLE", "specialtyCode")]


async def test_a_title_already_refused_is_not_reported_again_through_its_specialty(world):
    # 主任护师 is 正高级: the title is wrong for the level, the specialty is not judged against it.
    codes = await _refused(world, {"input": world.input(**{**NURSE, "titleCode": "HEALTH.CHIEF_NURSE",
                                                                "specialtyCode": "HEALTH.SURGERY"})})
    assert codes == [("TITLE_NOT_IN_LEVEL", "titleCode")]


async def test_confirm_holds_an_old_draft_to_the_cascade(world):
    """A draft saved before the cascade reached the title (副主任护师 with 外科学) cannot be
    confirmed until fixed."""
    d = await world.complete(**NURSE)
    async with world.engine.begin() as conn:
        await conn.execute(text("UPDATE declaration SET specialty_code = 'HEALTH.SURGERY'"))
    payload = (await world.api(CONFIRM, {"id": d["id"]}, world.token))["confirmDeclaration"]
    assert [(e["code"], e["field"]) for e in payload["errors"]] == [("SPECIALTY_NOT_FOR_TITLE", "specialtyCode")]
    fixed = (await world.api(UPDATE, {"id": d["id"], "input": world.input(**NURSE)}, world.token))
    assert fixed["updateDeclaration"]["errors"] == []
    assert (await world.api(CONFIRM, {"id": d["id"]}, world.token))["confirmDeclaration"]["errors"] == []


# --------------------------------------------------------------------------- 破格条件


async def test_exceptional_conditions_are_served(api):
    conditions = (await api(CONDITIONS))["exceptionalConditions"]
    assert len(conditions) >= 8
    names = {c["name"] for c in conditions}
    assert any("重大业绩成果" in n for n in names) and any("基层一线" in n for n in names)
    assert len({c["code"] for c in conditions}) == len(conditions)


async def test_exceptional_declaration_stores_its_conditions(world):
    payload = (await world.api(CREATE_SMALL, {"input": world.input(**{
        **EXCEPTIONAL, "exceptionalConditionCodes": [" PROVINCIAL_AWARD", "KEY_PROJECT", "PROVINCIAL_AWARD"]})},
        world.token))["createDeclaration"]
    assert payload["errors"] == []
    d = payload["declaration"]
    assert [c["code"] for c in d["exceptionalConditions"]] == ["PROVINCIAL_AWARD", "KEY_PROJECT"]
    assert all(c["name"] for c in d["exceptionalConditions"])
    read = await world.api("query($id: ID!) { declaration(id: $id) { exceptionalConditions { code } } }",
                           {"id": d["id"]}, world.token)
    assert read["declaration"]["exceptionalConditions"] == [{"code": "PROVINCIAL_AWARD"}, {"code": "KEY_PROJECT"}]
    # Changing the method to 正常晋升 takes the conditions away with the reason.
    normal = (await world.api(UPDATE_SMALL, {"id": d["id"], "input": world.input()}, world.token))["updateDeclaration"]
    assert normal["errors"] == [] and normal["declaration"]["exceptionalConditions"] == []


async def test_exceptional_needs_at_least_one_condition(world):
    for missing in ({}, {"exceptionalConditionCodes": []}, {"exceptionalConditionCodes": ["  "]}):
        variables = {"input": world.input(**{**EXCEPTIONAL, "exceptionalConditionCodes": None, **missing})}
        assert await _refused(world, variables) == [("EXCEPTIONAL_CONDITION_REQUIRED", "exceptionalConditionCodes")]


async def test_conditions_only_with_exceptional(world):
    for method in ({"method": "NORMAL"}, {"method": "SERIES_CHANGE", "formerSeriesCode": "HEALTH"}):
        variables = {"input": world.input(**method, exceptionalConditionCodes=["MAJOR_ACHIEVEMENT"])}
        assert await _refused(world, variables) == [
            ("EXCEPTIONAL_CONDITION_NOT_ALLOWED", "exceptionalConditionCodes")]


async def test_unknown_conditions_are_refused_in_one_error(world):
    variables = {"input": world.input(**{**EXCEPTIONAL, "exceptionalConditionCodes": ["PROVINCIAL_AWARD", "NOPE",
                                                                                      "ALSO_NOPE"]})}
    assert await _refused(world, variables) == [("UNKNOWN_EXCEPTIONAL_CONDITION", "exceptionalConditionCodes")]
    payload = (await world.api(CREATE_SMALL, variables, world.token))["createDeclaration"]
    assert "NOPE" in payload["errors"][0]["message"]


async def test_more_conditions_than_the_catalogue_has_are_refused(world, api):
    count = len((await api(CONDITIONS))["exceptionalConditions"])
    variables = {"input": world.input(**{**EXCEPTIONAL, "exceptionalConditionCodes": ["PROVINCIAL_AWARD"] * (count + 1)})}
    assert await _refused(world, variables) == [("INVALID_INPUT", "exceptionalConditionCodes")]


async def test_confirm_holds_an_old_exceptional_draft_to_the_conditions(world):
    """破格 drafts saved before the conditions existed have none: confirmation asks for them."""
    d = await world.complete(**EXCEPTIONAL)
    async with world.engine.begin() as conn:
        await conn.execute(text("UPDATE declaration SET exceptional_condition_codes = '{}'"))
    payload = (await world.api(CONFIRM, {"id": d["id"]}, world.token))["confirmDeclaration"]
    assert [(e["code"], e["field"]) for e in payload["errors"]] == [
        ("EXCEPTIONAL_CONDITION_REQUIRED", "exceptionalConditionCodes")]


async def test_the_database_refuses_conditions_without_exceptional(world):
    from sqlalchemy.exc import IntegrityError

    await world.create()
    with pytest.raises(IntegrityError, match="exceptional_conditions_with_method"):
        async with world.engine.begin() as conn:
            await conn.execute(text("UPDATE declaration SET exceptional_condition_codes = '{MAJOR_ACHIEVEMENT}'"))


async def test_create_mutation_shape_is_unchanged_for_normal_declarations(world):
    data = await world.api(CREATE, {"input": world.input()}, world.token)
    assert data["createDeclaration"]["errors"] == []
