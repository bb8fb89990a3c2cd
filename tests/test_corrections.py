"""一次性告知补正 (issue 13): a unit returns a declaration with every item to correct and a
deadline; the applicant may change only what it names (and materials); re-confirmation goes
back to the same unit; a notice not answered by its deadline is 视为放弃 without anyone acting."""

from __future__ import annotations

import asyncio

import pytest

from schema.ids import encode_id
from tests.support.corrections import CONFIRM, confirm, confirmed, item, relogin, request, state
from tests.support.declarations import DELETE_RECORD, PDF, QUALIFICATION, UPDATE
from tests.support.review import REVIEW, REVIEW_QUEUE, ReviewWorld, codes, rows

EDUCATION = {"education": {"educationLevel": "BACHELOR", "school": "山东大学", "major": "土木工程",
                           "startDate": "2005-09-01", "endDate": "2009-07-01"}}


@pytest.fixture
async def world(api, engine, services):
    return await ReviewWorld(api, engine, services).setup()


async def queue(world, unit: dict, state_: str = "PENDING") -> list[dict]:
    data = await world.api(REVIEW_QUEUE, {"filter": {"state": state_}}, unit["token"])
    return [e["node"] for e in data["reviewQueue"]["edges"]]


async def test_notice_returns_to_the_applicant_with_every_item_and_the_deadline(world):
    d = await world.confirmed()
    payload = await request(world, world.base, d["id"],
                            [item("EDUCATION", "缺少学位证书"), item("PHONE", "电话无法接通"), item("MATERIALS")])
    assert payload["errors"] == []
    assert payload["declaration"]["status"] == "RETURNED" and payload["declaration"]["currentUnit"] is None
    notice = payload["correctionNotice"]
    assert [(i["target"], i["label"]) for i in notice["items"]] == [
        ("EDUCATION", "学历"), ("PHONE", "联系电话"), ("MATERIALS", "证明材料")]
    assert notice["deadline"] == "2026-03-15" and notice["state"] == "OPEN"
    assert notice["expiresAt"] == "2026-03-15T16:00:00+00:00"  # 2026-03-16 00:00, Beijing
    seen = await state(world, d)
    assert seen["status"] == "RETURNED" and seen["isEditable"] and seen["correctionNotice"]["items"][0]["message"] == "缺少学位证书"
    assert "缺少学位证书" in seen["returnReason"] and "2026-03-15" in seen["returnReason"]
    last = seen["timeline"][-1]
    assert last["action"] == "REQUEST_CORRECTION" and last["unit"]["id"] == world.base["id"]
    assert "学历：缺少学位证书" in last["reason"] and last["actorName"] == world.base["name"]
    assert seen["reviews"][-1]["decision"] == "CORRECTION_REQUESTED"
    assert [n["state"] for n in await queue(world, world.base, "CORRECTION_REQUESTED")] == ["CORRECTION_REQUESTED"]
    assert await queue(world, world.base) == []
    audit = await rows(world.engine, "SELECT success, reason FROM audit_entry WHERE action = 'declaration.request_correction'")
    assert [(a.success, a.reason) for a in audit] == [(True, "REQUEST_CORRECTION: 一次性告知补正（3项，期限2026-03-15）")]


async def test_a_notice_is_refused_without_items_or_with_a_bad_deadline(world, count_rows):
    d = await world.confirmed()
    before = await count_rows("declaration_event")
    assert codes(await request(world, world.base, d["id"], [])) == ["CORRECTION_ITEMS_REQUIRED"]
    assert codes(await request(world, world.base, d["id"], [item("PHONE", "  ")])) == ["FIELD_REQUIRED"]
    twice = await request(world, world.base, d["id"], [item("PHONE"), item("PHONE", "另一说明")])
    assert codes(twice) == ["INVALID_INPUT"] and twice["errors"][0]["field"] == "items.1.target"
    assert codes(await request(world, world.base, d["id"], [item("PHONE")], "2026-03-01")) == [
        "CORRECTION_DEADLINE_INVALID"]  # today (Beijing) is not after today
    too_far = await request(world, world.base, d["id"], [item("PHONE")], "2026-04-01")
    assert codes(too_far) == ["CORRECTION_DEADLINE_INVALID"] and "2026-03-31" in too_far["errors"][0]["message"]
    assert (await request(world, world.base, d["id"], [item("PHONE")], "2026-03-31"))["errors"] == []  # 30 days
    assert await count_rows("declaration_event") == before + 1
    # Once returned it no longer waits at the unit; another unit never had it.
    assert codes(await request(world, world.base, d["id"], [item("PHONE")])) == ["INVALID_STATE"]
    other = await world.confirmed()
    assert codes(await request(world, world.dept, other["id"], [item("PHONE")])) == ["NOT_FOUND"]
    refused = await rows(world.engine, "SELECT count(*) AS n FROM audit_entry "
                         "WHERE action = 'declaration.request_correction' AND NOT success")
    assert refused[0].n == 7


async def test_under_a_notice_only_what_it_names_can_change_and_materials_always(world):
    d = await world.confirmed()
    token = d["token"]
    assert (await request(world, world.base, d["id"], [item("EDUCATION", "补学历"), item("PHONE", "改电话")]))[
        "errors"] == []
    # Basic information: a field not named is refused, every one at once; the named ones pass.
    refused = (await world.api(UPDATE, {"id": d["id"], "input": world.input(
        phone="0531-12345678", currentTitle="高级工程师", yearsInSpecialty=13)}, token))["updateDeclaration"]
    assert sorted((e["code"], e["field"]) for e in refused["errors"]) == [
        ("NOT_IN_CORRECTION_NOTICE", "currentTitle"), ("NOT_IN_CORRECTION_NOTICE", "yearsInSpecialty")]
    assert "现职称" in {e["field"]: e["message"] for e in refused["errors"]}["currentTitle"]
    changed = (await world.api(UPDATE, {"id": d["id"], "input": world.input(phone="0531-12345678")}, token))
    assert changed["updateDeclaration"]["errors"] == [] and changed["updateDeclaration"]["declaration"]["phone"] == "0531-12345678"
    # Records: only of a category it names.
    assert codes(await world.add_record(d["id"], QUALIFICATION, token=token)) == ["NOT_IN_CORRECTION_NOTICE"]
    assert (await world.add_record(d["id"], EDUCATION, token=token))["errors"] == []
    record_ids = await rows(world.engine, "SELECT id, category FROM declaration_record ORDER BY id")
    qualification_gid = encode_id("Record", next(r.id for r in record_ids if r.category == "QUALIFICATION"))
    deleted = (await world.api(DELETE_RECORD, {"id": qualification_gid}, token))["deleteRecord"]
    assert codes(deleted) == ["NOT_IN_CORRECTION_NOTICE"]
    # Materials are always open.
    assert (await world.upload_ok(d["id"], PDF, token=token))["id"]


async def test_resubmitted_in_time_it_goes_back_to_the_same_unit_in_the_same_round(world, clock):
    d = await confirmed(world)
    assert (await world.review(world.base, d["id"]))["errors"] == []
    await world.publicised(world.base, [d["id"]])
    assert (await world.report(world.base, [d["id"]]))["errors"] == []
    assert (await request(world, world.dept, d["id"], [item("PHONE", "改电话")]))["errors"] == []
    clock.advance(days=14, hours=14, minutes=59)  # 2026-03-15 23:59, Beijing: the last minute
    await relogin(world, d, world.base, world.dept, world.accepting)
    payload = await confirm(world, d)
    assert payload["errors"] == []
    assert payload["declaration"]["status"] == "PENDING_REVIEW"
    assert payload["declaration"]["currentUnit"]["id"] == world.dept["id"]  # not the work unit
    assert [n["declaration"]["id"] for n in await queue(world, world.dept)] == [d["id"]]
    assert await queue(world, world.base) == []
    seen = await state(world, d)
    assert seen["correctionNotice"]["state"] == "RESUBMITTED" and seen["correctionNotice"]["resolvedAt"]
    assert seen["timeline"][-1]["action"] == "RESUBMIT" and seen["timeline"][-1]["unit"]["id"] == world.dept["id"]
    assert not seen["isEditable"]
    steps = await rows(world.engine, "SELECT unit_id, round, decision FROM review_step ORDER BY id")
    assert {s.round for s in steps} == {1}
    # A resubmission cannot be withdrawn (units acted in this round); the 主管部门 goes on reviewing it.
    withdraw = await world.api("mutation($id: ID!) { withdrawDeclaration(id: $id) { errors { code } } }",
                               {"id": d["id"]}, d["token"])
    assert codes(withdraw["withdrawDeclaration"]) == ["CANNOT_WITHDRAW"]
    assert (await world.review(world.dept, d["id"]))["errors"] == []
    assert (await world.report(world.dept, [d["id"]]))["errors"] == []
    assert (await world.review(world.accepting, d["id"]))["declaration"]["status"] == "ACCEPTED"


async def test_a_notice_not_answered_by_its_deadline_is_abandoned_without_anyone_acting(world, clock, count_rows):
    d = await confirmed(world)
    assert (await request(world, world.base, d["id"], [item("PHONE")]))["errors"] == []
    clock.advance(days=14, hours=15)  # 2026-03-16 00:00, Beijing
    await relogin(world, d)
    # Read: abandoned already, with the step the timeline will keep, though nothing wrote it.
    seen = await state(world, d)
    assert seen["status"] == "ABANDONED" and not seen["isEditable"] and not seen["canWithdraw"]
    assert seen["correctionNotice"]["state"] == "ABANDONED"
    last = seen["timeline"][-1]
    assert (last["action"], last["fromStatus"], last["toStatus"], last["actorName"]) == (
        "ABANDON", "RETURNED", "ABANDONED", "系统")
    assert last["at"] == "2026-03-15T16:00:00+00:00"  # when the deadline passed, not when it was noticed
    stored = await rows(world.engine, "SELECT status FROM declaration")
    assert [s.status for s in stored] == ["RETURNED"]
    # Write: refused, and the abandonment is stored once, exactly as it was read.
    refused = await confirm(world, d)
    assert codes(refused) == ["CORRECTION_DEADLINE_PASSED"] and "2026-03-15" in refused["errors"][0]["message"]
    assert [s.status for s in await rows(world.engine, "SELECT status FROM declaration")] == ["ABANDONED"]
    events = await count_rows("declaration_event")
    again = await world.api(UPDATE, {"id": d["id"], "input": world.input(phone="0531-12345678")}, d["token"])
    assert codes(again["updateDeclaration"]) == ["CORRECTION_DEADLINE_PASSED"]
    assert codes(await world.add_record(d["id"], QUALIFICATION, token=d["token"])) == ["CORRECTION_DEADLINE_PASSED"]
    assert await count_rows("declaration_event") == events
    after = await state(world, d)
    assert [e["action"] for e in after["timeline"]].count("ABANDON") == 1
    assert after["timeline"][-1] == last  # what was read before is what was stored
    # Final for the year: no other declaration that year, and the refusal says why.
    created = (await world.api(
        "mutation($input: DeclarationInput!) { createDeclaration(input: $input) { errors { code field message } } }",
        {"input": world.input(seriesCode="ENGINEERING")}, d["token"]))["createDeclaration"]
    assert codes(created) == ["DECLARATION_EXISTS"] and "视为放弃" in created["errors"][0]["message"]


async def test_deadline_and_resubmission_race_has_one_outcome(world, clock):
    """Two confirmations and an edit at once, just after the deadline: the abandonment is
    stored exactly once and every step is refused."""
    d = await confirmed(world)
    assert (await request(world, world.base, d["id"], [item("PHONE")]))["errors"] == []
    clock.advance(days=14, hours=15)
    await relogin(world, d)
    results = await asyncio.gather(
        world.api(CONFIRM, {"id": d["id"]}, d["token"]), world.api(CONFIRM, {"id": d["id"]}, d["token"]),
        world.api(UPDATE, {"id": d["id"], "input": world.input(phone="0531-12345678")}, d["token"]))
    assert [codes(next(iter(r.values()))) for r in results] == [["CORRECTION_DEADLINE_PASSED"]] * 3
    abandon = await rows(world.engine, "SELECT count(*) AS n FROM declaration_event WHERE action = 'ABANDON'")
    assert abandon[0].n == 1


async def test_two_resubmissions_in_time_one_wins(world):
    d = await world.confirmed()
    assert (await request(world, world.base, d["id"], [item("PHONE")]))["errors"] == []
    results = await asyncio.gather(*[world.api(CONFIRM, {"id": d["id"]}, d["token"]) for _ in range(3)])
    outcomes = sorted(codes(r["confirmDeclaration"])[0] if codes(r["confirmDeclaration"]) else "OK"
                      for r in results)
    assert outcomes == ["DECLARATION_LOCKED", "DECLARATION_LOCKED", "OK"]
    open_steps = await rows(world.engine, "SELECT count(*) AS n FROM review_step WHERE decision IS NULL")
    assert open_steps[0].n == 1


async def test_a_notice_races_an_approval_one_wins(world):
    d = await world.confirmed()
    second = await world.api.login(world.base["loginName"])
    notice, review = await asyncio.gather(
        request(world, world.base, d["id"], [item("PHONE")]),
        world.api(REVIEW, {"id": d["id"], "decision": "APPROVE"}, second))
    outcomes = sorted(["OK" if not notice["errors"] else codes(notice)[0],
                       "OK" if not review["reviewDeclaration"]["errors"] else codes(review["reviewDeclaration"])[0]])
    assert outcomes == ["INVALID_STATE", "OK"]
    decided = await rows(world.engine, "SELECT count(*) AS n FROM review_step WHERE decision IS NOT NULL")
    assert decided[0].n == 1


async def test_a_plain_rejection_stays_and_restarts_at_the_work_unit(world):
    d = await world.at_dept()
    assert (await world.review(world.dept, d["id"], "REJECT", "不符合条件"))["errors"] == []
    seen = await state(world, d)
    assert seen["correctionNotice"] is None and seen["status"] == "RETURNED"
    # Without a notice everything is editable again.
    changed = await world.api(UPDATE, {"id": d["id"], "input": world.input(currentTitle="工程师（中级）")}, d["token"])
    assert changed["updateDeclaration"]["errors"] == []
    assert (await confirm(world, d))["declaration"]["currentUnit"]["id"] == world.base["id"]


async def test_resubmission_is_accepted_after_the_year_closed(world):
    """The notice answers a review under way: closing the year meanwhile does not cut it off."""
    d = await world.confirmed()
    assert (await request(world, world.base, d["id"], [item("PHONE")]))["errors"] == []
    closed = await world.api("mutation { closeDeclarationYear(year: 2026) { errors { code } } }", None, world.admin)
    assert closed["closeDeclarationYear"]["errors"] == []
    assert (await confirm(world, d))["errors"] == []


async def test_records_of_the_named_category_can_be_edited_and_deleted(world):
    d = await world.confirmed()
    assert (await request(world, world.base, d["id"], [item("QUALIFICATION", "证书编号有误")]))["errors"] == []
    record = (await rows(world.engine, "SELECT id FROM declaration_record"))[0]
    gid = encode_id("Record", record.id)
    assert (await world.add_record(d["id"], EDUCATION, token=d["token"]))["errors"][0]["code"] == \
        "NOT_IN_CORRECTION_NOTICE"
    assert (await world.api(DELETE_RECORD, {"id": gid}, d["token"]))["deleteRecord"]["errors"] == []
    assert (await world.add_record(d["id"], QUALIFICATION, token=d["token"]))["errors"] == []
