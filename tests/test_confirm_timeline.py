"""确认申报, locking, 撤回 and 状态跟踪."""

import pytest
from sqlalchemy import text

from tests.support.declarations import (
    ADD_RECORD,
    CLOSE_YEAR,
    CONFIRM,
    DELETE_RECORD,
    GET,
    QUALIFICATION,
    UPDATE,
    UPDATE_RECORD,
    WITHDRAW,
    World,
    snapshot,
)

REJECT = """mutation($id: ID!, $reason: String) { reviewDeclaration(id: $id, decision: REJECT, reason: $reason) {
  declaration { status } errors { code field message } } }"""


@pytest.fixture
async def world(api, engine, services):
    return await World(api, engine, services).setup()


async def test_confirm_with_gaps_lists_them_all(world):
    d = await world.create(educationLevel=None, phone=None, currentTitle=None)
    before = await snapshot(world.engine)
    payload = (await world.api(CONFIRM, {"id": d["id"]}, world.token))["confirmDeclaration"]
    assert payload["declaration"] is None
    assert sorted((e["code"], e["field"]) for e in payload["errors"]) == [
        ("FIELD_REQUIRED", "currentTitle"), ("FIELD_REQUIRED", "educationLevel"), ("FIELD_REQUIRED", "phone"),
        ("MATERIAL_REQUIRED", "materials"), ("QUALIFICATION_REQUIRED", "records")]
    assert await snapshot(world.engine) == before


async def test_lowest_level_needs_no_qualification(world):
    d = await world.create(level="JUNIOR", titleCode="ENGINEERING.TECHNICIAN", currentTitle=None,
                           currentTitleObtainedOn=None)
    await world.upload_ok(d["id"])
    payload = (await world.api(CONFIRM, {"id": d["id"]}, world.token))["confirmDeclaration"]
    assert payload["errors"] == [] and payload["declaration"]["status"] == "PENDING_REVIEW"


async def test_confirm_locks_everything(world):
    d = await world.complete()
    record_id = (await world.api(GET, {"id": d["id"]}, world.token))["declaration"]["records"][0]["id"]
    confirmed = (await world.api(CONFIRM, {"id": d["id"]}, world.token))["confirmDeclaration"]["declaration"]
    assert confirmed["status"] == "PENDING_REVIEW" and not confirmed["isEditable"]
    assert confirmed["currentUnit"]["id"] == world.unit["id"]
    before = await snapshot(world.engine)
    attempts = [
        (UPDATE, {"id": d["id"], "input": world.input()}),
        (ADD_RECORD, {"d": d["id"], "input": QUALIFICATION}),
        (UPDATE_RECORD, {"id": record_id, "input": QUALIFICATION}),
        (DELETE_RECORD, {"id": record_id}),
        (CONFIRM, {"id": d["id"]}),
    ]
    for mutation, variables in attempts:
        payload = next(iter((await world.api(mutation, variables, world.token)).values()))
        assert [e["code"] for e in payload["errors"]] == ["DECLARATION_LOCKED"], mutation
    assert await snapshot(world.engine) == before
    # The work unit now sees it, with the applicant's ID number masked.
    seen = await world.api("query($id: ID!) { declaration(id: $id) { status applicant { idNumber } } }",
                           {"id": d["id"]}, world.unit_token)
    assert seen["declaration"]["status"] == "PENDING_REVIEW" and "*" in seen["declaration"]["applicant"]["idNumber"]


async def test_confirm_refused_when_unit_lost_permission_or_year_closed(world):
    d = await world.complete()
    async with world.engine.begin() as conn:
        await conn.execute(text("UPDATE unit SET permission_status = 'REJECTED'"))
    await world.api(CLOSE_YEAR, {"y": 2026}, world.admin)
    payload = (await world.api(CONFIRM, {"id": d["id"]}, world.token))["confirmDeclaration"]
    assert sorted(e["code"] for e in payload["errors"]) == ["UNIT_NOT_PERMITTED", "YEAR_NOT_OPEN"]


async def test_withdraw_and_timeline(world, clock):
    d = await world.complete()
    clock.advance(minutes=10)
    await world.api(CONFIRM, {"id": d["id"]}, world.token)
    clock.advance(minutes=10)
    payload = (await world.api(WITHDRAW, {"id": d["id"], "reason": "补充材料"}, world.token))["withdrawDeclaration"]
    assert payload["errors"] == []
    withdrawn = payload["declaration"]
    assert withdrawn["status"] == "DRAFT" and withdrawn["currentUnit"] is None and withdrawn["isEditable"]
    steps = [(e["action"], e["fromStatus"], e["toStatus"], e["reason"], (e["unit"] or {}).get("id"))
             for e in withdrawn["timeline"]]
    assert steps == [
        ("CREATE", None, "DRAFT", None, None),
        ("CONFIRM", "DRAFT", "PENDING_REVIEW", None, world.unit["id"]),
        ("WITHDRAW", "PENDING_REVIEW", "DRAFT", "补充材料", world.unit["id"]),
    ]
    assert len({e["at"] for e in withdrawn["timeline"]}) == 3
    assert {e["actorName"] for e in withdrawn["timeline"]} == {world.person["name"]}
    # A draft cannot be withdrawn; after editing it is confirmed again.
    again = (await world.api(WITHDRAW, {"id": d["id"]}, world.token))["withdrawDeclaration"]
    assert again["errors"][0]["code"] == "INVALID_STATE"
    assert (await world.api(CONFIRM, {"id": d["id"]}, world.token))["confirmDeclaration"]["errors"] == []


async def test_no_withdraw_once_a_unit_acted(world):
    d = await world.complete()
    await world.api(CONFIRM, {"id": d["id"]}, world.token)
    approved = (await world.api(REJECT.replace("REJECT", "APPROVE"), {"id": d["id"], "reason": None},
                                world.unit_token))["reviewDeclaration"]
    assert approved["errors"] == []
    payload = (await world.api(WITHDRAW, {"id": d["id"]}, world.token))["withdrawDeclaration"]
    assert payload["errors"][0]["code"] == "INVALID_STATE"
    async with world.engine.begin() as conn:  # still pending review but acted on (e.g. reported on)
        await conn.execute(text("UPDATE declaration SET status = 'PENDING_REVIEW'"))
    payload = (await world.api(WITHDRAW, {"id": d["id"]}, world.token))["withdrawDeclaration"]
    assert payload["errors"][0]["code"] == "CANNOT_WITHDRAW"


async def test_returned_declaration_is_editable_and_shows_reason(world):
    d = await world.complete()
    await world.api(CONFIRM, {"id": d["id"]}, world.token)
    rejected = (await world.api(REJECT, {"id": d["id"], "reason": "继续教育学时不足"},
                                world.unit_token))["reviewDeclaration"]
    assert rejected["errors"] == []
    got = (await world.api(GET, {"id": d["id"]}, world.token))["declaration"]
    assert got["status"] == "RETURNED" and got["returnReason"] == "继续教育学时不足" and got["isEditable"]
    payload = (await world.api(UPDATE, {"id": d["id"], "input": world.input(phone="13800138001")},
                               world.token))["updateDeclaration"]
    assert payload["errors"] == [] and payload["declaration"]["status"] == "RETURNED"
    confirmed = (await world.api(CONFIRM, {"id": d["id"]}, world.token))["confirmDeclaration"]["declaration"]
    assert confirmed["status"] == "PENDING_REVIEW" and confirmed["returnReason"] is None
    assert [e["action"] for e in confirmed["timeline"]] == ["CREATE", "CONFIRM", "REJECT", "CONFIRM"]
