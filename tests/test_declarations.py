"""Declarations: the cascade, 申报方式, one per year, open years, work units, visibility."""

import pytest

from tests.support.declarations import (
    CLOSE_YEAR,
    CREATE,
    GET,
    MINE,
    QUALIFICATION,
    UPDATE,
    World,
    snapshot,
)


@pytest.fixture
async def world(api, engine, services):
    return await World(api, engine, services).setup()


async def refused(world, variables, mutation=CREATE, token=None) -> list[tuple[str, str]]:
    """Run a mutation that must be refused; assert nothing changed; return (code, field)s."""
    before = await snapshot(world.engine)
    data = await world.api(mutation, variables, token or world.token)
    payload = next(iter(data.values()))
    assert payload["declaration"] is None
    assert await snapshot(world.engine) == before
    return sorted((e["code"], e["field"]) for e in payload["errors"])


async def test_create_draft(world):
    d = await world.create()
    assert d["status"] == "DRAFT" and d["isEditable"] and d["titleName"] == "高级工程师"
    assert d["workUnit"]["id"] == world.unit["id"] and d["currentUnit"] is None
    assert [(e["action"], e["toStatus"]) for e in d["timeline"]] == [("CREATE", "DRAFT")]


@pytest.mark.parametrize("overrides, expected", [
    ({"titleCode": "ENGINEERING.ENGINEER"}, [("TITLE_NOT_IN_LEVEL", "titleCode")]),  # a title of another level
    ({"titleCode": "HEALTH.CHIEF_PHYSICIAN"}, [("TITLE_NOT_IN_LEVEL", "titleCode")]),  # of another series
    ({"specialtyCode": "HEALTH.SURGERY"}, [("SPECIALTY_NOT_IN_SERIES", "specialtyCode")]),
    # 副主任护师 offers the nursing specialties only (the cascade's third step).
    ({"seriesCode": "HEALTH", "titleCode": "HEALTH.ASSOCIATE_CHIEF_NURSE", "specialtyCode": "HEALTH.SURGERY"},
     [("SPECIALTY_NOT_FOR_TITLE", "specialtyCode")]),
    ({"specialtyCode": "NOPE"}, [("UNKNOWN_SPECIALTY", "specialtyCode")]),
    ({"titleCode": "NOPE"}, [("UNKNOWN_TITLE", "titleCode")]),
    ({"seriesCode": "NOPE"}, [("UNKNOWN_SERIES", "seriesCode")]),
    ({"seriesCode": "HIGHER_EDUCATION", "level": "JUNIOR", "titleCode": "HIGHER_EDUCATION.TEACHING_ASSISTANT",
      "specialtyCode": "HIGHER_EDUCATION.LAW"}, [("LEVEL_NOT_IN_SERIES", "level")]),  # no 员级 for teachers
])
async def test_cascade_violations(world, overrides, expected):
    assert await refused(world, {"input": world.input(**overrides)}) == expected


async def test_exceptional_reason_only_with_exceptional(world):
    conditions = ["PROVINCIAL_AWARD"]
    assert await refused(world, {"input": world.input(method="EXCEPTIONAL", exceptionalConditionCodes=conditions)}) == [
        ("EXCEPTIONAL_REASON_REQUIRED", "exceptionalReason")]
    assert await refused(world, {"input": world.input(exceptionalReason="业绩突出")}) == [
        ("EXCEPTIONAL_REASON_NOT_ALLOWED", "exceptionalReason")]
    d = await world.create(method="EXCEPTIONAL", exceptionalReason="获省部级科技进步一等奖",
                           exceptionalConditionCodes=conditions)
    assert d["method"] == "EXCEPTIONAL" and d["exceptionalReason"] == "获省部级科技进步一等奖"


async def test_series_change_needs_the_former_series(world):
    assert await refused(world, {"input": world.input(method="SERIES_CHANGE")}) == [
        ("FORMER_SERIES_REQUIRED", "formerSeriesCode")]
    assert await refused(world, {"input": world.input(formerSeriesCode="HEALTH")}) == [
        ("INVALID_INPUT", "formerSeriesCode")]
    d = await world.create(method="SERIES_CHANGE", formerSeriesCode="HEALTH")
    assert d["formerSeriesCode"] == "HEALTH"


async def test_one_declaration_per_year(world):
    await world.create()
    assert await refused(world, {"input": world.input()}) == [("DECLARATION_EXISTS", "year")]


async def test_closed_or_unknown_year(world):
    assert await refused(world, {"input": world.input(year=2030)}) == [("YEAR_NOT_OPEN", "year")]
    await world.api(CLOSE_YEAR, {"y": 2026}, world.admin)
    assert await refused(world, {"input": world.input()}) == [("YEAR_NOT_OPEN", "year")]


async def test_work_unit_must_be_permitted(world):
    other = await world.api.register_unit()
    assert await refused(world, {"input": world.input(workUnitId=other["id"])}) == [
        ("UNIT_NOT_PERMITTED", "workUnitId")]


async def test_malformed_ids_are_typed(world):
    assert await refused(world, {"input": world.input(workUnitId="garbage")}) == [("INVALID_ID", "workUnitId")]
    assert await refused(world, {"input": world.input(workUnitId=world.person["id"])}) == [
        ("INVALID_ID", "workUnitId")]  # a Person's ID where a Unit's is expected
    assert await refused(world, {"id": "bm9wZQ==", "input": world.input()}, UPDATE) == [("INVALID_ID", "id")]


async def test_many_errors_at_once_and_details_validated(world):
    codes = await refused(world, {"input": world.input(
        titleCode="ENGINEERING.ENGINEER", method="EXCEPTIONAL", currentTitleObtainedOn="2030-01-01",
        yearsInSpecialty=99, phone="abc")})
    assert codes == [("DATE_IN_FUTURE", "currentTitleObtainedOn"),
                     ("EXCEPTIONAL_CONDITION_REQUIRED", "exceptionalConditionCodes"),
                     ("EXCEPTIONAL_REASON_REQUIRED", "exceptionalReason"),
                     ("INVALID_INPUT", "phone"), ("INVALID_INPUT", "yearsInSpecialty"),
                     ("TITLE_NOT_IN_LEVEL", "titleCode")]


async def test_update_draft(world):
    d = await world.create()
    data = await world.api(UPDATE, {"id": d["id"], "input": world.input(
        level="INTERMEDIATE", titleCode="ENGINEERING.ENGINEER", currentTitle="助理工程师")}, world.token)
    assert data["updateDeclaration"]["errors"] == []
    assert data["updateDeclaration"]["declaration"]["titleName"] == "工程师"
    assert await refused(world, {"id": d["id"], "input": world.input(titleCode="ENGINEERING.ENGINEER")},
                         UPDATE) == [("TITLE_NOT_IN_LEVEL", "titleCode")]


async def test_another_applicant_sees_and_changes_nothing(world):
    d = await world.create()
    other = await world.other_applicant()
    assert (await world.api(GET, {"id": d["id"]}, other))["declaration"] is None
    assert (await world.api(MINE, token=other))["myDeclarations"]["totalCount"] == 0
    assert await refused(world, {"id": d["id"], "input": world.input()}, UPDATE, token=other) == [
        ("NOT_FOUND", "id")]
    node = await world.api("query($id: ID!) { node(id: $id) { id } }", {"id": d["id"]}, other)
    assert node["node"] is None
    # A unit sees nothing of a draft, even as its work unit.
    assert (await world.api(GET, {"id": d["id"]}, world.unit_token))["declaration"] is None


async def test_units_cannot_declare(world):
    errors = await world.api.errors(CREATE, {"input": world.input()}, world.unit_token)
    assert errors[0]["extensions"]["code"] == "FORBIDDEN"
    errors = await world.api.errors(MINE, token=world.unit_token)
    assert errors[0]["extensions"]["code"] == "FORBIDDEN"


async def test_my_declarations_constant_statements(world, statement_counter):
    async def measure() -> int:
        statement_counter.count, statement_counter.active = 0, True
        try:
            data = await world.api(MINE, token=world.token)
        finally:
            statement_counter.active = False
        return data["myDeclarations"]["totalCount"], statement_counter.count

    d = await world.complete()
    one = await measure()
    for year in (2024, 2025):
        await world.api("mutation($y: Int!) { openDeclarationYear(year: $y) { errors { code } } }", {"y": year},
                        world.admin)
        more = await world.complete(year=year)
        await world.add_record(more["id"], QUALIFICATION)
        await world.upload_ok(more["id"], name="b.pdf")
    three = await measure()
    assert one[0] == 1 and three[0] == 3
    assert three[1] == one[1], (one, three)
    assert d["id"]
