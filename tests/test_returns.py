"""按原报送渠道退回 (issue 13): a superior unit or the committee's accepting unit returns a
declaration to the unit that reported it (not to the applicant), with a reason; that unit
has it back in its queue and may report it again, reject it, or return it further down."""

from __future__ import annotations

import asyncio

import pytest

from tests.support.corrections import item, request, return_down, state
from tests.support.review import REVIEW, REVIEW_QUEUE, ReviewWorld, codes, rows


@pytest.fixture
async def world(api, engine, services):
    return await ReviewWorld(api, engine, services).setup()


async def pending(world, unit: dict) -> list[str]:
    data = await world.api(REVIEW_QUEUE, None, unit["token"])
    return [e["node"]["declaration"]["id"] for e in data["reviewQueue"]["edges"]]


async def at_accepting(world) -> dict:
    d = await world.at_dept()
    assert (await world.review(world.dept, d["id"]))["errors"] == []
    assert (await world.report(world.dept, [d["id"]]))["errors"] == []
    return d


async def test_return_down_two_levels_then_up_again_to_acceptance(world):
    d = await at_accepting(world)
    first = await return_down(world, world.accepting, d["id"], "主管部门审核意见缺失")
    assert first["errors"] == []
    assert first["returnedTo"]["id"] == world.dept["id"]
    assert first["declaration"]["status"] == "PENDING_REVIEW" and first["declaration"]["currentUnit"]["id"] == world.dept["id"]
    assert await pending(world, world.dept) == [d["id"]] and await pending(world, world.accepting) == []
    second = await return_down(world, world.dept, d["id"], "单位推荐意见未盖章")
    assert second["errors"] == [] and second["returnedTo"]["id"] == world.base["id"]
    assert await pending(world, world.base) == [d["id"]] and await pending(world, world.dept) == []
    # The work unit has nothing below it: it rejects or sends a notice instead.
    bottom = await return_down(world, world.base, d["id"])
    assert codes(bottom) == ["CANNOT_RETURN_DOWN"]
    # Fixed and reported again, all the way up.
    assert (await world.review(world.base, d["id"]))["errors"] == []
    await world.publicised(world.base, [d["id"]])
    assert (await world.report(world.base, [d["id"]]))["errors"] == []
    assert (await world.review(world.dept, d["id"]))["errors"] == []
    assert (await world.report(world.dept, [d["id"]]))["errors"] == []
    assert (await world.review(world.accepting, d["id"]))["declaration"]["status"] == "ACCEPTED"
    seen = await state(world, d)
    returns = [e for e in seen["timeline"] if e["action"] == "RETURN_DOWN"]
    assert [(e["unit"]["id"], e["actorName"], e["fromStatus"], e["toStatus"]) for e in returns] == [
        (world.accepting["id"], world.accepting["name"], "PENDING_REVIEW", "PENDING_REVIEW"),
        (world.dept["id"], world.dept["name"], "PENDING_REVIEW", "PENDING_REVIEW")]
    assert returns[0]["reason"] == f"退回{world.dept['name']}：主管部门审核意见缺失"
    assert [r["decision"] for r in seen["reviews"]].count("RETURNED_DOWN") == 2
    assert {r["round"] for r in seen["reviews"]} == {1}  # not a new round: the applicant never had it
    returned = await world.api(REVIEW_QUEUE, {"filter": {"state": "RETURNED_DOWN"}}, world.accepting["token"])
    assert [e["node"]["review"]["reason"] for e in returned["reviewQueue"]["edges"]] == ["主管部门审核意见缺失"]
    audit = await rows(world.engine, "SELECT object_id, reason, success FROM audit_entry "
                       "WHERE action = 'declaration.return' ORDER BY id")
    assert [(a.reason, a.success) for a in audit] == [
        ("RETURN_DOWN: 主管部门审核意见缺失", True), ("RETURN_DOWN: 单位推荐意见未盖章", True),
        ("CANNOT_RETURN_DOWN", False)]


async def test_the_lower_unit_can_send_a_notice_and_the_resubmission_comes_back_to_it(world):
    d = await world.at_dept()
    assert (await return_down(world, world.dept, d["id"]))["errors"] == []
    assert (await request(world, world.base, d["id"], [item("PHONE")]))["errors"] == []
    confirmed = await world.api("mutation($id: ID!) { confirmDeclaration(id: $id) { errors { code } } }",
                                {"id": d["id"]}, d["token"])
    assert confirmed["confirmDeclaration"]["errors"] == []
    assert await pending(world, world.base) == [d["id"]]
    # Its route is kept: the work unit reports it up again.
    assert (await world.review(world.base, d["id"]))["errors"] == []
    await world.publicised(world.base, [d["id"]])
    assert (await world.report(world.base, [d["id"]]))["errors"] == []
    assert await pending(world, world.dept) == [d["id"]]


async def test_return_needs_a_reason_and_a_declaration_waiting_here(world, count_rows):
    d = await world.at_dept()
    before = await count_rows("declaration_event")
    assert codes(await return_down(world, world.dept, d["id"], "  ")) == ["REASON_REQUIRED"]
    assert codes(await return_down(world, world.accepting, d["id"])) == ["NOT_FOUND"]  # never reached it
    assert codes(await return_down(world, world.base, d["id"])) == ["INVALID_STATE"]  # passed on already
    assert await count_rows("declaration_event") == before


async def test_return_races_an_approval_one_wins(world):
    d = await world.at_dept()
    second = await world.api.login(world.dept["loginName"])
    returned, reviewed = await asyncio.gather(
        return_down(world, world.dept, d["id"]),
        world.api(REVIEW, {"id": d["id"], "decision": "APPROVE"}, second))
    outcomes = sorted(["OK" if not returned["errors"] else codes(returned)[0],
                       "OK" if not reviewed["reviewDeclaration"]["errors"] else
                       codes(reviewed["reviewDeclaration"])[0]])
    assert outcomes == ["INVALID_STATE", "OK"]
    open_steps = await rows(world.engine, "SELECT count(*) AS n FROM review_step WHERE decision IS NULL")
    decided_here = await rows(world.engine, "SELECT count(*) AS n FROM review_step s JOIN unit u ON u.id = s.unit_id "
                              "WHERE s.decision IS NOT NULL AND u.name = :name", name=world.dept["name"])
    assert decided_here[0].n == 1 and open_steps[0].n == (1 if returned["errors"] == [] else 0)
