"""Every object with an id is a Node: node(id:) and nodes(ids:) answer it through the same
visibility rule as the rest of the API, null where the caller may not see it."""

from __future__ import annotations

import pytest

from tests.support.declarations import WITHDRAW
from tests.support.review import ReviewWorld

NODES = "query($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }"
QUEUE = "{ reviewQueue { nodes { id declaration { id } } edges { node { id } } } }"
DETAILS = "query($id: ID!) { declaration(id: $id) { records { id } materials { id } } }"


@pytest.fixture
async def world(api, engine, services):
    return await ReviewWorld(api, engine, services).setup()


async def test_records_materials_and_queue_items_are_nodes(world):
    d = await world.confirmed()
    details = (await world.api(DETAILS, {"id": d["id"]}, d["token"]))["declaration"]
    queue = (await world.api(QUEUE, token=world.base["token"]))["reviewQueue"]
    item = queue["nodes"][0]
    assert item["declaration"]["id"] == d["id"] and queue["edges"][0]["node"]["id"] == item["id"]
    ids = [d["id"], details["records"][0]["id"], details["materials"][0]["id"], item["id"]]

    unit = (await world.api(NODES, {"ids": ids}, world.base["token"]))["nodes"]
    assert [n["__typename"] for n in unit] == ["Declaration", "Qualification", "Material", "QueueItem"]
    assert [n["id"] for n in unit] == ids
    # The applicant sees their declaration, its record and material, not the unit's queue item.
    own = (await world.api(NODES, {"ids": ids}, d["token"]))["nodes"]
    assert [n and n["__typename"] for n in own] == ["Declaration", "Qualification", "Material", None]
    # A unit the declaration has not reached, and another applicant, see nothing.
    assert (await world.api(NODES, {"ids": ids}, world.dept["token"]))["nodes"] == [None] * 4
    other = await world.other_applicant()
    assert (await world.api(NODES, {"ids": ids}, other))["nodes"] == [None] * 4
    # One at a time, node(id:) answers the same.
    node = await world.api("query($id: ID!) { node(id: $id) { ... on QueueItem { state } } }",
                           {"id": item["id"]}, world.base["token"])
    assert node["node"] == {"state": "PENDING"}


async def test_nodes_keeps_order_and_duplicates_and_is_bounded(world):
    d = await world.confirmed()
    ids = [d["id"], world.base["id"], d["id"]]
    got = (await world.api(NODES, {"ids": ids}, world.base["token"]))["nodes"]
    assert [n["id"] for n in got] == ids and [n["__typename"] for n in got] == ["Declaration", "Unit", "Declaration"]
    errors = await world.api.errors(NODES, {"ids": [d["id"]] * 101}, world.base["token"])
    assert errors[0]["extensions"]["code"] == "BAD_USER_INPUT"
    errors = await world.api.errors(NODES, {"ids": [d["id"], "garbage"]}, world.base["token"])
    assert errors[0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_a_queue_item_the_applicant_withdrew_from_is_no_node(world):
    d = await world.confirmed()
    item = (await world.api(QUEUE, token=world.base["token"]))["reviewQueue"]["nodes"][0]
    withdrawn = (await world.api(WITHDRAW, {"id": d["id"]}, d["token"]))["withdrawDeclaration"]
    assert withdrawn["errors"] == []
    # The unit may still hold the id from its queue page: it answers null, not an error.
    assert (await world.api(NODES, {"ids": [item["id"]]}, world.base["token"]))["nodes"] == [None]
