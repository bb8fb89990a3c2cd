"""Who may call what in review and reporting: each query and mutation of the issue for
each kind of caller."""

from __future__ import annotations

import pytest

from tests.support.declarations import make_admin
from tests.support.review import DECLARATION, REPORT, REPORT_QUEUE, REVIEW, REVIEW_QUEUE, ReviewWorld, codes


@pytest.fixture
async def world(api, engine, services):
    world = await ReviewWorld(api, engine, services).setup()
    world.d = await world.confirmed()
    world.approved = await world.ready_to_report()  # approved and publicised at the work unit
    world.other_unit = await world.permitted_unit("另一家已获权限单位")
    unpermitted = await api.register_unit(name="未获权限单位")
    world.unpermitted = {**unpermitted, "token": await api.login(unpermitted["loginName"])}
    world.city_admin_other = await make_admin(api, services, region="370200")  # 青岛: not the unit's region
    return world


def callers(world) -> dict[str, str | None]:
    return {"anonymous": None, "applicant": world.token, "admin": world.admin}


def top_level_code(errors: list) -> str:
    return errors[0]["extensions"]["code"]


@pytest.mark.parametrize("query,name", [(REVIEW_QUEUE, "reviewQueue"), (REPORT_QUEUE, "reportQueue")])
async def test_queues(world, query, name):
    expected = {"anonymous": "UNAUTHENTICATED", "applicant": "FORBIDDEN", "admin": "FORBIDDEN"}
    for caller, token in callers(world).items():
        assert top_level_code(await world.api.errors(query, {}, token)) == expected[caller], caller
    assert top_level_code(await world.api.errors(query, {}, world.unpermitted["token"])) == "UNIT_NOT_PERMITTED"
    assert (await world.api(query, {}, world.other_unit["token"]))[name]["totalCount"] == 0
    assert (await world.api(query, {}, world.base["token"]))[name]["totalCount"] == 1


async def test_review_declaration(world):
    variables = {"id": world.d["id"], "decision": "APPROVE"}
    expected = {"anonymous": "UNAUTHENTICATED", "applicant": "FORBIDDEN", "admin": "FORBIDDEN"}
    for caller, token in callers(world).items():
        assert top_level_code(await world.api.errors(REVIEW, variables, token)) == expected[caller], caller
    assert codes((await world.api(REVIEW, variables, world.other_unit["token"]))["reviewDeclaration"]) == ["NOT_FOUND"]
    assert codes((await world.api(REVIEW, variables, world.unpermitted["token"]))["reviewDeclaration"]) == \
        ["UNIT_NOT_PERMITTED"]
    bad = {"id": "RGVjbGFyYXRpb246eA==", "decision": "APPROVE"}
    assert codes((await world.api(REVIEW, bad, world.base["token"]))["reviewDeclaration"]) == ["INVALID_ID"]
    assert (await world.api(REVIEW, variables, world.base["token"]))["reviewDeclaration"]["errors"] == []


async def test_report_declarations(world):
    variables = {"ids": [world.approved["id"]]}
    expected = {"anonymous": "UNAUTHENTICATED", "applicant": "FORBIDDEN", "admin": "FORBIDDEN"}
    for caller, token in callers(world).items():
        assert top_level_code(await world.api.errors(REPORT, variables, token)) == expected[caller], caller
    assert codes((await world.api(REPORT, variables, world.other_unit["token"]))["reportDeclarations"]) == \
        ["NOT_FOUND"]
    assert codes((await world.api(REPORT, variables, world.unpermitted["token"]))["reportDeclarations"]) == \
        ["UNIT_NOT_PERMITTED"]
    assert (await world.api(REPORT, variables, world.base["token"]))["reportDeclarations"]["reportedCount"] == 1


async def test_declaration_visibility(world):
    """The applicant, units it was routed through, admins of the work unit's region."""
    def seen(token):
        return world.api(DECLARATION, {"id": world.d["id"]}, token)

    assert (await seen(None))["declaration"] is None
    assert (await seen(world.token))["declaration"] is None  # the World's applicant is someone else
    assert (await seen(world.d["token"]))["declaration"]["id"] == world.d["id"]
    assert (await seen(world.admin))["declaration"]["id"] == world.d["id"]  # the province
    assert (await seen(world.city_admin_other))["declaration"] is None
    assert (await seen(world.base["token"]))["declaration"]["id"] == world.d["id"]
    for unit in (world.dept, world.other_unit, world.unpermitted):
        assert (await seen(unit["token"]))["declaration"] is None
