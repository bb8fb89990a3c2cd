"""数据审核 (2.3): the review queue by state and filter, approve / reject with a reason,
acceptance at the committee's accepting unit, visibility along the route, N+1."""

from __future__ import annotations

from datetime import UTC

import pytest

from tests.support.db import count_statements
from tests.support.review import DECLARATION, REVIEW_QUEUE, ReviewWorld, codes, rows


@pytest.fixture
async def world(api, engine, services):
    return await ReviewWorld(api, engine, services).setup()


async def queue(world, unit, **filter_):
    data = await world.api(REVIEW_QUEUE, {"filter": filter_ or None}, unit["token"])
    return data["reviewQueue"]


async def test_pending_queue_approve_and_states(world):
    d = await world.confirmed()
    pending = await queue(world, world.base)
    assert pending["totalCount"] == 1
    node = pending["edges"][0]["node"]
    assert node["declaration"]["id"] == d["id"] and node["state"] == "PENDING" and node["review"] is None
    assert "*" in node["applicant"]["idNumber"]  # masked in lists
    payload = await world.review(world.base, d["id"])
    assert payload["errors"] == []
    assert payload["declaration"]["status"] == "APPROVED" and payload["review"]["decision"] == "APPROVED"
    assert payload["review"]["accepted"] is False
    assert (await queue(world, world.base))["totalCount"] == 0
    approved = await queue(world, world.base, state="APPROVED")
    assert [e["node"]["state"] for e in approved["edges"]] == ["APPROVED"]
    # Deciding twice: the step is no longer open.
    assert codes(await world.review(world.base, d["id"], "REJECT", "重复")) == ["INVALID_STATE"]


async def test_reject_needs_reason_and_returns_to_applicant(world, count_rows):
    d = await world.confirmed()
    before = await count_rows("declaration_event")
    assert codes(await world.review(world.base, d["id"], "REJECT", "  ")) == ["REASON_REQUIRED"]
    assert codes(await world.review(world.base, d["id"], "REJECT", "长" * 501)) == ["FIELD_TOO_LONG"]
    assert await count_rows("declaration_event") == before
    payload = await world.review(world.base, d["id"], "REJECT", "继续教育学时不足")
    assert payload["errors"] == [] and payload["declaration"]["status"] == "RETURNED"
    seen = (await world.api(DECLARATION, {"id": d["id"]}, d["token"]))["declaration"]
    assert seen["returnReason"] == "继续教育学时不足" and seen["isEditable"] and seen["currentUnit"] is None
    assert seen["timeline"][-1]["action"] == "REJECT" and seen["timeline"][-1]["reason"] == "继续教育学时不足"
    assert [(r["decision"], r["reason"], r["round"]) for r in seen["reviews"]] == [("REJECTED", "继续教育学时不足", 1)]
    rejected = await queue(world, world.base, state="REJECTED")
    assert rejected["edges"][0]["node"]["review"]["reason"] == "继续教育学时不足"
    # Confirmed again, the route starts over at the work unit in round 2.
    again = await world.api("mutation($id: ID!) { confirmDeclaration(id: $id) { errors { code } } }",
                            {"id": d["id"]}, d["token"])
    assert again["confirmDeclaration"]["errors"] == []
    assert (await queue(world, world.base))["totalCount"] == 1
    assert (await world.review(world.base, d["id"]))["errors"] == []
    seen = (await world.api(DECLARATION, {"id": d["id"]}, d["token"]))["declaration"]
    assert [(r["decision"], r["round"]) for r in seen["reviews"]] == [("REJECTED", 1), ("APPROVED", 2)]


async def test_route_to_acceptance_and_visibility(world):
    d = await world.at_dept()
    assert (await queue(world, world.dept))["totalCount"] == 1
    assert (await world.review(world.dept, d["id"]))["errors"] == []
    assert (await world.report(world.dept, [d["id"]]))["errors"] == []
    accepted = await world.review(world.accepting, d["id"])
    assert accepted["errors"] == [] and accepted["review"]["accepted"] is True
    assert accepted["declaration"]["status"] == "ACCEPTED"
    assert accepted["declaration"]["committee"]["name"] == world.committee["name"]
    # Acceptance ends the route: nothing to report at the accepting unit.
    from tests.support.review import REPORT_QUEUE
    assert (await world.api(REPORT_QUEUE, {}, world.accepting["token"]))["reportQueue"]["totalCount"] == 0
    seen = (await world.api(DECLARATION, {"id": d["id"]}, d["token"]))["declaration"]
    assert [e["action"] for e in seen["timeline"]] == [
        "CREATE", "CONFIRM", "APPROVE", "START_PUBLICITY", "REPORT", "APPROVE", "REPORT", "ACCEPT"]
    assert seen["acceptedAt"] and seen["committee"]["name"] == world.committee["name"]
    # Every unit it went through still sees it (past and present); a stranger does not.
    for unit in (world.base, world.dept, world.accepting):
        assert (await world.api(DECLARATION, {"id": d["id"]}, unit["token"]))["declaration"]["status"] == "ACCEPTED"
    stranger = await world.permitted_unit("无关单位")
    assert (await world.api(DECLARATION, {"id": d["id"]}, stranger["token"]))["declaration"] is None


async def test_superior_does_not_see_before_report(world):
    d = await world.confirmed()
    assert (await world.api(DECLARATION, {"id": d["id"]}, world.dept["token"]))["declaration"] is None
    assert codes(await world.review(world.dept, d["id"])) == ["NOT_FOUND"]


async def test_withdraw_closes_the_open_step(world):
    d = await world.confirmed()
    withdrawn = await world.api("mutation($id: ID!) { withdrawDeclaration(id: $id) { errors { code } } }",
                                {"id": d["id"]}, d["token"])
    assert withdrawn["withdrawDeclaration"]["errors"] == []
    assert (await queue(world, world.base))["totalCount"] == 0
    assert codes(await world.review(world.base, d["id"])) == ["INVALID_STATE"]
    found = await rows(world.engine, "SELECT decision FROM review_step")
    assert [r.decision for r in found] == ["WITHDRAWN"]


async def test_queue_filters_and_paging(world):
    await world.api("mutation { openDeclarationYear(year: 2025) { errors { code } } }", token=world.admin)
    a = await world.confirmed()
    b = await world.confirmed(year=2025)
    c = await world.confirmed(level="INTERMEDIATE", titleCode="ENGINEERING.ENGINEER", currentTitle="助理工程师")

    async def ids(**f):
        return [e["node"]["declaration"]["id"] for e in (await queue(world, world.base, **f))["edges"]]

    assert await ids() == [a["id"], b["id"], c["id"]]  # oldest first
    assert await ids(year=2025) == [b["id"]]
    assert await ids(level="INTERMEDIATE") == [c["id"]]
    assert await ids(titleCode="ENGINEERING.SENIOR_ENGINEER", year=2026) == [a["id"]]
    await world.review(world.base, a["id"])
    await world.review(world.base, b["id"], "REJECT", "材料不全")
    assert await ids(state="APPROVED") == [a["id"]]
    assert await ids(state="REJECTED") == [b["id"]]
    assert await ids(state="PENDING") == [c["id"]]
    # Keyset pages of one.
    await world.review(world.base, c["id"])
    first = (await world.api(REVIEW_QUEUE, {"filter": {"state": "APPROVED"}, "first": 1}, world.base["token"]))
    page = first["reviewQueue"]
    assert page["totalCount"] == 2 and page["pageInfo"]["hasNextPage"]
    second = (await world.api(REVIEW_QUEUE, {"filter": {"state": "APPROVED"}, "first": 1,
                                             "after": page["pageInfo"]["endCursor"]}, world.base["token"]))
    got = [page["edges"][0]["node"]["declaration"]["id"],
           second["reviewQueue"]["edges"][0]["node"]["declaration"]["id"]]
    assert got == [c["id"], a["id"]]  # decided ones newest first
    assert not second["reviewQueue"]["pageInfo"]["hasNextPage"]


QUEUE_DEEP = """{ reviewQueue(first: 50) { totalCount edges { node {
  applicant { name idNumber } workUnit { name } titleName
  declaration { status qualifications { titleName } reviews { decision } } } }
  nodes { id state declaration { id qualifications { id } } } } }"""


async def test_queue_statement_count_is_constant(world, statement_counter):
    """The page (with its count and qualifications) + the decisions: 2, for 1 item or 20."""
    async def measure() -> tuple[int, int]:
        data, n = await count_statements(world.api, statement_counter, QUEUE_DEEP, world.base["token"])
        return data["reviewQueue"]["totalCount"], n

    await world.confirmed()
    one = await measure()
    for _ in range(19):
        await world.confirmed()
    twenty = await measure()
    assert one[0] == 1 and twenty[0] == 20
    assert twenty[1] == one[1] == 2, (one, twenty)
    print(f"reviewQueue: {one[1]} statements")


QUALIFICATIONS = "qualifications { id createdAt updatedAt seriesCode seriesName level titleName obtainedOn " \
    "certificateNumber issuingAuthority }"


async def test_a_queue_page_lists_the_same_qualifications_as_the_declaration(world):
    """The page carries them as a JSON column; declaration(id) loads the records."""
    d = await world.confirmed()
    page = await world.api("{ reviewQueue(first: 5) { edges { node { declaration { id %s } } } } }" % QUALIFICATIONS,
                           None, world.base["token"])
    listed = page["reviewQueue"]["edges"][0]["node"]["declaration"]
    direct = await world.api("query($id: ID!) { declaration(id: $id) { id %s } }" % QUALIFICATIONS,
                             {"id": d["id"]}, world.base["token"])
    assert listed["qualifications"] and listed == direct["declaration"]


def test_listed_qualifications_read_times_in_utc_whatever_the_session_offset():
    from datetime import datetime

    from resolvers.records import listed_qualifications
    [record] = listed_qualifications(7, [{"id": 3, "created_at": "2026-11-26T08:00:00.5+08:00",
                                          "updated_at": "2026-11-26T00:00:01+00:00", "payload": {"a": 1}}])
    assert record.created_at == datetime(2026, 11, 26, 0, 0, 0, 500000, tzinfo=UTC)
    assert record.created_at.utcoffset().total_seconds() == 0
    assert (record.id, record.declaration_id, record.payload) == (3, 7, {"a": 1})
