"""Item 9: an admin saw every person of the province through `node(id:)`.

A person is now visible to themself and to whoever their data reached through a submitted
declaration: a unit it was routed through; a city admin when its work unit is in the city;
the province admin for any submitted declaration. A draft — never submitted, or withdrawn —
reaches no one. Enumerating `nodes(ids:)` over every id, each role finds exactly that set."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from core.clock import FakeClock
from schema.ids import encode_id
from tests.support.declarations import WITHDRAW, make_admin, permit_unit
from tests.support.review import ReviewWorld

NODES = "query($ids: [ID!]!) { nodes(ids: $ids) { ... on Person { id } } }"
NODE = "query($id: ID!) { node(id: $id) { ... on Person { id name } } }"
ME = "{ me { person { id } } }"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime.now(UTC))


async def person_id(world, token: str) -> str:
    return (await world.api(ME, token=token))["me"]["person"]["id"]


async def test_each_role_finds_exactly_the_persons_that_reached_it(live_server, api, engine, services):
    world = await ReviewWorld(api, engine, services).setup()
    qingdao_unit = await api.register_unit(regionCode="370200")
    await permit_unit(engine, qingdao_unit["id"])
    qingdao_unit["token"] = await api.login(qingdao_unit["loginName"])

    at_base = await world.confirmed()                 # waiting at the 济南 work unit
    at_dept = await world.at_dept()                   # approved there, reported to the 主管部门
    at_qingdao = await world.confirmed(workUnitId=qingdao_unit["id"])
    withdrawn = await world.confirmed()
    back = (await api(WITHDRAW, {"id": withdrawn["id"]}, withdrawn["token"]))["withdrawDeclaration"]
    assert back["errors"] == []
    p = {name: await person_id(world, d["token"]) for name, d in
         (("base", at_base), ("dept", at_dept), ("qingdao", at_qingdao), ("withdrawn", withdrawn))}
    p["never_declared"] = world.person["id"]

    jinan_admin, qingdao_admin = await make_admin(api, services, "370100"), await make_admin(api, services, "370200")
    expected = {
        "the 济南 work unit": (world.base["token"], {p["base"], p["dept"]}),
        "the 主管部门": (world.dept["token"], {p["dept"]}),
        "the 青岛 unit": (qingdao_unit["token"], {p["qingdao"]}),
        "济南's admin": (jinan_admin, {p["base"], p["dept"]}),
        "青岛's admin": (qingdao_admin, {p["qingdao"]}),
        "the province's admin": (world.admin, {p["base"], p["dept"], p["qingdao"]}),
        "an applicant who never declared": (world.token, {p["never_declared"]}),
    }
    every_id = [encode_id("Person", i) for i in range(1, 61)]
    for role, (token, visible) in expected.items():
        body = live_server.graphql(NODES, {"ids": every_id}, token).json()
        found = {n["id"] for n in body["data"]["nodes"] if n}
        assert found == visible, role
        for person in p.values():
            single = live_server.graphql(NODE, {"id": person}, token).json()["data"]["node"]
            assert (single is not None) == (person in visible), (role, person)
    anonymous = live_server.graphql(NODES, {"ids": every_id}).json()["data"]["nodes"]
    assert not any(anonymous)
