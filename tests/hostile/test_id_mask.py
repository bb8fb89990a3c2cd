"""Item 8: `370102********0195` plus `birthDate 1970-04-14` was the full ID number, in
every unit and admin view.

Staff now get the mask (first 6, last 4) and `birthYear`, never the birth date; only the
person sees the whole number and date. This gathers every person field each staff role is
served — queue items, the declaration, `node`, `nodes` — and checks that nothing served
holds the number or the birth date, and that all of it together still leaves about 33
numbers (rules.identity.mask_candidates)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from core.clock import FakeClock
from rules.identity import mask_candidates
from tests.support.declarations import make_admin
from tests.support.review import ReviewWorld

PERSON = "id name idNumber birthDate birthYear sex mobile"
QUEUE = """query($state: ReviewState) { reviewQueue(filter: {state: $state}) { nodes {
  applicant { %s } declaration { applicant { %s } } } } }""" % (PERSON, PERSON)
DECLARATION = "query($id: ID!) { declaration(id: $id) { applicant { %s } } }" % PERSON
NODE = "query($id: ID!) { node(id: $id) { ... on Person { %s } } nodes(ids: [$id]) { ... on Person { %s } } }" % (
    PERSON, PERSON)
ME = "{ me { person { %s } } }" % PERSON


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime.now(UTC))


def people_in(value) -> list[dict]:
    """Every Person object (anything with an idNumber) in a response."""
    if isinstance(value, dict):
        found = [value] if "idNumber" in value else []
        return found + [p for v in value.values() for p in people_in(v)]
    if isinstance(value, list):
        return [p for v in value for p in people_in(v)]
    return []


async def test_no_combination_of_served_fields_rebuilds_the_id_number(live_server, api, engine, services):
    world = await ReviewWorld(api, engine, services).setup()
    declared = await world.at_dept()
    owner = live_server.graphql(ME, token=declared["token"]).json()["data"]["me"]["person"]
    number, birth = owner["idNumber"], owner["birthDate"]
    assert len(number) == 18 and birth == f"{number[6:10]}-{number[10:12]}-{number[12:14]}"  # the owner sees all

    city_admin = await make_admin(api, services, "370100")
    views = {
        "work unit": [(QUEUE, {"state": "APPROVED"}, world.base["token"])],
        "主管部门": [(QUEUE, {"state": "PENDING"}, world.dept["token"])],
        "city admin": [],
        "province admin": [],
    }
    for role, token in (("work unit", world.base["token"]), ("主管部门", world.dept["token"]),
                        ("city admin", city_admin), ("province admin", world.admin)):
        views[role] += [(DECLARATION, {"id": declared["id"]}, token), (NODE, {"id": owner["id"]}, token)]

    for role, requests in views.items():
        served = [live_server.graphql(q, v, t).json() for q, v, t in requests]
        text = json.dumps(served, ensure_ascii=False)
        people = people_in(served)
        assert len(people) >= 2, (role, served)
        for secret in (number, number[:17], number[6:14], birth):
            assert secret not in text, (role, secret)
        for person in people:
            assert person["birthDate"] is None and person["idNumber"][6:14] == "********", role
            candidates = mask_candidates(person["idNumber"], person["birthYear"])
            assert number in candidates and len(candidates) >= 30, role
