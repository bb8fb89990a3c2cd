"""受理审查's two refusals: the one-time correction notice (the answer comes back to the
committee) and the return down the route (to the unit that reported it)."""

from __future__ import annotations

import pytest

from tests.support.committee import CommitteeWorld
from tests.support.corrections import NOTICE, item, state
from tests.support.review import ERRORS, codes, rows

CORRECT = """mutation($id: ID!, $items: [CorrectionItemInput!]!, $deadline: Date!) {
  requestCommitteeCorrection(id: $id, items: $items, deadline: $deadline) {
    declaration { id status returnReason isEditable } %s %s } }""" % (NOTICE, ERRORS)
RETURN = """mutation($id: ID!, $reason: String!) { returnFromCommittee(id: $id, reason: $reason) {
  declaration { id status } returnedTo { id name } %s } }""" % ERRORS
CONFIRM = "mutation($id: ID!) { confirmDeclaration(id: $id) { declaration { id status } %s } }" % ERRORS


@pytest.fixture
async def world(api, engine, services) -> CommitteeWorld:
    return await CommitteeWorld(api, engine, services).setup()


async def correct(world, d: dict, items: list[dict], deadline: str = "2026-03-15") -> dict:
    return (await world.api(CORRECT, {"id": d["id"], "items": items, "deadline": deadline},
                            world.office))["requestCommitteeCorrection"]


async def test_a_committee_notice_returns_to_the_applicant_and_the_answer_comes_back_to_the_committee(world, engine):
    d = await world.accepted()
    steps_before = (await rows(engine, "SELECT count(*) AS n FROM review_step"))[0].n
    sent = await correct(world, d, [item("PHONE", "电话无法接通"), item("MATERIALS", "请补充学历证明")])
    assert sent["errors"] == [] and sent["declaration"]["status"] == "RETURNED"
    assert sent["correctionNotice"]["state"] == "OPEN"
    assert codes(await world.check(d["id"])) == ["INVALID_STATE"]  # with the applicant now
    answered = (await world.api(CONFIRM, {"id": d["id"]}, d["token"]))["confirmDeclaration"]
    assert answered["errors"] == [] and answered["declaration"]["status"] == "ACCEPTED"
    seen = await state(world, d)
    assert [e["action"] for e in seen["timeline"]][-2:] == ["REQUEST_CORRECTION", "RESUBMIT_TO_COMMITTEE"]
    assert seen["correctionNotice"]["state"] == "RESUBMITTED"
    # No unit reviews it again: the committee's formal check takes it up where it left off.
    assert (await rows(engine, "SELECT count(*) AS n FROM review_step"))[0].n == steps_before
    assert (await world.check(d["id"]))["declaration"]["status"] == "CHECKED"
    assert codes(await correct(world, d, [item("PHONE")])) == ["INVALID_STATE"]  # checked: too late


async def test_the_notice_keeps_the_unit_stages_rules(world):
    d = await world.accepted()
    assert codes(await correct(world, d, [item("PHONE", " ")])) == ["FIELD_REQUIRED"]
    assert codes(await correct(world, d, [item("PHONE")], "2026-04-30")) == ["CORRECTION_DEADLINE_INVALID"]
    assert (await state(world, d))["status"] == "ACCEPTED"


async def test_a_return_sends_it_down_to_the_unit_that_reported_it(world):
    d = await world.accepted()
    returned = (await world.api(RETURN, {"id": d["id"], "reason": "不属本评审委员会评审范围"},
                                world.office))["returnFromCommittee"]
    assert returned["errors"] == [] and returned["declaration"]["status"] == "PENDING_REVIEW"
    assert returned["returnedTo"]["id"] == world.dept["id"]
    seen = await state(world, d)
    assert seen["currentUnit"]["id"] == world.dept["id"]
    assert seen["timeline"][-1]["action"] == "RETURN_DOWN" and "不属本评审委员会评审范围" in seen["timeline"][-1]["reason"]
    assert codes(await world.check(d["id"])) == ["NOT_FOUND"]  # it has left the committee
    # The 主管部门 reviews it again and reports it up; the committee accepts it afresh.
    assert (await world.review(world.dept, d["id"]))["errors"] == []
    assert (await world.report(world.dept, [d["id"]]))["errors"] == []
    assert (await world.review(world.accepting, d["id"]))["declaration"]["status"] == "ACCEPTED"
    assert (await world.check(d["id"]))["errors"] == []


async def test_a_return_needs_a_reason(world):
    d = await world.accepted()
    refused = (await world.api(RETURN, {"id": d["id"], "reason": "  "}, world.office))["returnFromCommittee"]
    assert codes(refused) == ["REASON_REQUIRED"] and (await state(world, d))["status"] == "ACCEPTED"
