"""分类录入: typed records added, edited, deleted; dates and numbers validated."""

import pytest

from tests.support.declarations import (
    ADD_RECORD,
    DELETE_RECORD,
    GET,
    QUALIFICATION,
    UPDATE_RECORD,
    World,
    snapshot,
)


@pytest.fixture
async def world(api, engine, services):
    return await World(api, engine, services).setup()


async def refused_add(world, declaration_id, record, token=None):
    before = await snapshot(world.engine)
    payload = await world.add_record(declaration_id, record, token)
    assert payload["record"] is None
    assert await snapshot(world.engine) == before
    return sorted((e["code"], e["field"]) for e in payload["errors"])


async def test_each_category(world):
    d = await world.create()
    records = [
        QUALIFICATION,
        {"education": {"school": "山东大学", "major": "土木工程", "educationLevel": "BACHELOR", "degree": "工学学士",
                       "startDate": "2003-09-01", "endDate": "2007-07-01"}},
        {"workExperience": {"employer": "济南第一机械厂", "position": "技术员", "startDate": "2007-07-15"}},
        {"continuingEducation": {"year": 2025, "hours": 96, "subject": "BIM 技术", "provider": "山东省建设培训中心"}},
        {"achievement": {"kind": "PAPER", "title": "大跨度钢结构施工监测", "date": "2024-05-01", "journal": "建筑结构",
                         "role": "第一作者"}},
        {"achievement": {"kind": "PATENT", "title": "一种模板支撑装置", "date": "2023-03-01", "patentNumber": "ZL202310000001.X"}},
    ]
    for record in records:
        assert (await world.add_record(d["id"], record))["errors"] == []
    got = (await world.api(GET, {"id": d["id"]}, world.token))["declaration"]
    assert [r["category"] for r in got["records"]] == [
        "QUALIFICATION", "EDUCATION", "WORK_EXPERIENCE", "CONTINUING_EDUCATION", "ACHIEVEMENT", "ACHIEVEMENT"]
    assert got["qualifications"][0] == {"id": got["records"][0]["id"], "titleName": "工程师", "obtainedOn": "2019-12-20"}
    assert [a["journal"] for a in got["achievements"]] == ["建筑结构", None]


@pytest.mark.parametrize("record, expected", [
    ({"education": {"school": "山东大学", "major": "土木", "educationLevel": "BACHELOR",
                    "startDate": "2007-09-01", "endDate": "2003-07-01"}}, [("DATE_ORDER", "education.endDate")]),
    ({"workExperience": {"employer": "厂", "position": "员", "startDate": "2027-01-01"}},
     [("DATE_IN_FUTURE", "workExperience.startDate")]),  # the test clock is 2026-03-01
    ({"continuingEducation": {"year": 2025, "hours": 0, "subject": "a", "provider": "b"}},
     [("INVALID_INPUT", "continuingEducation.hours")]),
    ({"continuingEducation": {"year": 2030, "hours": 10, "subject": "a", "provider": " "}},
     [("FIELD_REQUIRED", "continuingEducation.provider"), ("INVALID_INPUT", "continuingEducation.year")]),
    ({"qualification": {**QUALIFICATION["qualification"], "titleCode": "ENGINEERING.SENIOR_ENGINEER"}},
     [("TITLE_NOT_IN_LEVEL", "qualification.titleCode")]),
    ({"achievement": {"kind": "PAPER", "title": "论文", "date": "2024-01-01"}},
     [("FIELD_REQUIRED", "achievement.journal")]),
    ({"achievement": {"kind": "AWARD", "title": "奖", "date": "2024-01-01", "issuer": "省政府",
                      "awardGrade": "一等奖", "journal": "x"}}, [("INVALID_INPUT", "achievement.journal")]),
    ({"achievement": {"kind": "PROJECT", "title": "项", "date": "2024-01-01", "projectSource": "省科技厅",
                      "endDate": "2023-01-01"}}, [("DATE_ORDER", "achievement.endDate")]),
])
async def test_bad_records_refused(world, record, expected):
    d = await world.create()
    assert await refused_add(world, d["id"], record) == expected


async def test_exactly_one_category(world):
    d = await world.create()
    errors = await world.api.errors(ADD_RECORD, {"d": d["id"], "input": {**QUALIFICATION, "continuingEducation": {
        "year": 2025, "hours": 10, "subject": "a", "provider": "b"}}}, world.token)
    assert errors


async def test_update_and_delete(world):
    d = await world.create()
    record = (await world.add_record(d["id"], QUALIFICATION))["record"]
    changed = {"qualification": {**QUALIFICATION["qualification"], "certificateNumber": "新证书号"}}
    data = await world.api(UPDATE_RECORD, {"id": record["id"], "input": changed}, world.token)
    assert data["updateRecord"]["record"]["certificateNumber"] == "新证书号"
    other_category = {"continuingEducation": {"year": 2025, "hours": 10, "subject": "a", "provider": "b"}}
    data = await world.api(UPDATE_RECORD, {"id": record["id"], "input": other_category}, world.token)
    assert data["updateRecord"]["errors"][0]["code"] == "INVALID_INPUT"
    material = await world.upload_ok(d["id"], record_id=record["id"])
    assert material["record"] == {"id": record["id"]}
    data = await world.api(DELETE_RECORD, {"id": record["id"]}, world.token)
    assert data["deleteRecord"] == {"deletedRecordId": record["id"], "errors": []}
    got = (await world.api(GET, {"id": d["id"]}, world.token))["declaration"]
    assert got["records"] == [] and got["materials"] == []


async def test_another_applicant_cannot_touch_records(world):
    d = await world.create()
    record = (await world.add_record(d["id"], QUALIFICATION))["record"]
    other = await world.other_applicant()
    assert await refused_add(world, d["id"], QUALIFICATION, other) == [("NOT_FOUND", "declarationId")]
    before = await snapshot(world.engine)
    data = await world.api(DELETE_RECORD, {"id": record["id"]}, other)
    assert data["deleteRecord"]["errors"][0]["code"] == "NOT_FOUND"
    data = await world.api(UPDATE_RECORD, {"id": record["id"], "input": QUALIFICATION}, other)
    assert data["updateRecord"]["errors"][0]["code"] == "NOT_FOUND"
    assert await snapshot(world.engine) == before
