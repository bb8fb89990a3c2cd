"""评审委员会: admins create and edit them within their region; the accepting unit must be permitted."""

from __future__ import annotations

from tests.support.units import create_committee, permitted_unit, table_snapshot, unit_with_token

UPDATE = """mutation($id: ID!, $input: CommitteeInput!) { updateCommittee(id: $id, input: $input) {
  committee { id name levels active } errors { code field message } } }"""
LIST = "{ committees { totalCount edges { node { id name seriesName levels acceptingUnit { name } } } } }"


def codes(payload):
    return sorted(e["code"] for e in payload["errors"])


async def test_create_list_and_update(api, province_admin):
    office = await permitted_unit(api, province_admin, name="山东省人社厅职称处")
    created = await create_committee(api, province_admin, office)
    assert created["errors"] == []
    committee = created["committee"]
    assert committee["levels"] == ["ASSOCIATE_SENIOR", "SENIOR"] and committee["active"] is True
    listed = (await api(LIST, token=office["token"]))["committees"]
    assert listed["totalCount"] == 1 and listed["edges"][0]["node"]["acceptingUnit"]["name"] == "山东省人社厅职称处"
    variables = {"id": committee["id"], "input": {
        "name": "山东省工程技术正高级职称评审委员会", "seriesCode": "ENGINEERING", "levels": ["SENIOR"],
        "regionCode": "370000", "acceptingUnitId": office["id"], "active": False}}
    updated = (await api(UPDATE, variables, province_admin))["updateCommittee"]
    assert updated["errors"] == [] and updated["committee"]["levels"] == ["SENIOR"]
    assert updated["committee"]["active"] is False


async def test_refusals(api, make_admin, province_admin, engine):
    qingdao = await make_admin("370200")
    office = await permitted_unit(api, province_admin, name="职称处")
    stranger = await unit_with_token(api, name="未获权限单位")
    before = await table_snapshot(engine, "committee")
    assert codes(await create_committee(api, province_admin, stranger)) == ["UNIT_NOT_PERMITTED"]
    assert codes(await create_committee(api, qingdao, office)) == ["NOT_YOUR_REGION"]
    bad = await create_committee(api, province_admin, office, seriesCode="NOPE", levels=[], name="")
    assert codes(bad) == ["FIELD_REQUIRED", "NAME_FORMAT", "UNKNOWN_SERIES"]
    assert codes(await create_committee(api, province_admin, office, seriesCode="HIGHER_EDUCATION",
                                        levels=["JUNIOR"])) == ["LEVEL_NOT_IN_SERIES"]
    assert await table_snapshot(engine, "committee") == before
    errors = await api.errors("""mutation($input: CommitteeInput!) { createCommittee(input: $input) { errors { code } } }""",
                              {"input": {"name": "x", "seriesCode": "ENGINEERING", "levels": ["SENIOR"],
                                         "regionCode": "370000", "acceptingUnitId": office["id"]}}, office["token"])
    assert errors[0]["extensions"]["code"] == "FORBIDDEN"


async def test_city_admin_cannot_edit_province_committee(api, province_admin, city_admin):
    office = await permitted_unit(api, province_admin, name="职称处")
    committee = (await create_committee(api, province_admin, office))["committee"]
    variables = {"id": committee["id"], "input": {
        "name": "改名", "seriesCode": "ENGINEERING", "levels": ["SENIOR"], "regionCode": "370100",
        "acceptingUnitId": office["id"]}}
    assert codes((await api(UPDATE, variables, city_admin))["updateCommittee"]) == ["NOT_FOUND"]
