"""评委会办事机构 accounts: created by the title office of the committee's region, bound to
one committee, a one-time password changed at the first login; `me` shows them."""

from __future__ import annotations

import pytest

from tests.support.admin import change_password
from tests.support.committee import CREATE_OFFICE, CommitteeWorld, seed_tallied_session
from tests.support.review import codes, rows

ME = "{ me { kind loginName capabilities mustChangePassword committeeOffice { name committeeId } } }"


@pytest.fixture
async def world(api, engine, services) -> CommitteeWorld:
    return await CommitteeWorld(api, engine, services).setup()


async def create(world, token: str, **overrides) -> dict:
    variables = {"committeeId": world.committee["id"], "loginName": "office_new", "name": "评委会办公室",
                 **overrides}
    return (await world.api(CREATE_OFFICE, {"input": variables}, token))["createCommitteeOffice"]


async def test_an_office_is_bound_to_its_committee_and_must_change_its_password(world):
    created = await create(world, world.admin)
    assert created["errors"] == []
    assert created["office"]["committeeId"] == world.committee["id"]
    assert created["office"]["mustChangePassword"] is True
    token = await world.api.login("office_new", created["initialPassword"])
    me = (await world.api(ME, None, token))["me"]
    assert me["kind"] == "COMMITTEE_OFFICE" and me["mustChangePassword"] and me["capabilities"] == []
    assert (await change_password(world.api, token, created["initialPassword"]))["errors"] == []
    me = (await world.api(ME, None, token))["me"]
    assert me["capabilities"] == ["RUN_COMMITTEE"]
    assert me["committeeOffice"] == {"name": "评委会办公室", "committeeId": world.committee["id"]}


async def test_only_an_admin_of_the_committees_region_creates_offices(world, make_admin, engine):
    other_city = await make_admin("370200")  # the committee serves the province
    refused = await create(world, other_city)
    assert codes(refused) == ["NOT_FOUND"] and refused["office"] is None
    assert await rows(engine, "SELECT id FROM committee_office WHERE name = '评委会办公室'") == []
    taken = await create(world, world.admin, loginName="committee_office1")
    assert codes(taken) == ["LOGIN_NAME_TAKEN"]


async def test_the_office_sees_its_committees_declarations_but_cannot_act_as_a_unit(world):
    d = await world.accepted()
    seen = (await world.api("query($id: ID!) { declaration(id: $id) { status } }", {"id": d["id"]}, world.office))
    assert seen["declaration"] == {"status": "ACCEPTED"}
    errors = await world.api.errors("{ reviewQueue { totalCount } }", None, world.office)
    assert [e["extensions"]["code"] for e in errors] == ["FORBIDDEN"]


async def test_the_tallied_session_seeder_leaves_what_the_close_does(world, engine):
    passed, failed = await world.accepted(), await world.accepted()
    await seed_tallied_session(engine, world.committee["id"], {passed["id"]: (25, 17, 8, 0),
                                                                failed["id"]: (25, 16, 9, 0)},
                               now=world.services.clock.now())
    states = await rows(engine, "SELECT d.status, c.passed FROM declaration d JOIN session_candidate c "
                                "ON c.declaration_id = d.id ORDER BY d.id")
    assert [tuple(r) for r in states] == [("PASSED", True), ("NOT_PASSED", False)]
    timeline = (await world.api("query($id: ID!) { declaration(id: $id) { timeline { action toStatus } } }",
                                {"id": passed["id"]}, passed["token"]))["declaration"]["timeline"]
    assert [e["action"] for e in timeline][-3:] == ["CHECK", "SCHEDULE", "PASS"]


RESET = """mutation($id: ID!) { resetPassword(accountId: $id) { loginName temporaryPassword errors { code } } }"""


async def test_the_committees_region_admin_resets_an_offices_password(world, make_admin):
    office = (await world.api(ME, None, world.office))["me"]
    created = await create(world, world.admin)
    other_city = await make_admin("370200")
    refused = (await world.api(RESET, {"id": created["office"]["id"]}, other_city))["resetPassword"]
    assert codes(refused) == ["NOT_FOUND"]
    reset = (await world.api(RESET, {"id": created["office"]["id"]}, world.admin))["resetPassword"]
    assert reset["errors"] == [] and reset["loginName"] == "office_new"
    token = await world.api.login("office_new", reset["temporaryPassword"])
    assert (await world.api(ME, None, token))["me"]["mustChangePassword"] is True
    assert office["kind"] == "COMMITTEE_OFFICE"
