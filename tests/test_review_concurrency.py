"""Races: every transition locks the declaration, so of concurrent steps on one declaration
exactly one wins, the rest get a typed conflict, and one timeline step and one audit row
are written. Real concurrent requests: the app serves each on its own session/connection."""

from __future__ import annotations

import asyncio

import pytest

from tests.support.review import REPORT, REVIEW, ReviewWorld, rows

WITHDRAW = "mutation($id: ID!) { withdrawDeclaration(id: $id) { declaration { status } errors { code } } }"


@pytest.fixture
async def world(api, engine, services):
    return await ReviewWorld(api, engine, services).setup()


async def events_and_audit(world, action: str) -> tuple[int, int]:
    events = await rows(world.engine, "SELECT count(*) AS n FROM declaration_event WHERE action = :a", a=action)
    # A decision is audited under its step (declaration.review), the decision in the reason.
    step = "declaration.report" if action == "REPORT" else "declaration.review"
    audit = await rows(world.engine, "SELECT count(*) AS n FROM audit_entry WHERE action = :s AND success "
                       "AND (:s = 'declaration.report' OR reason LIKE :a || '%')", s=step, a=action)
    return events[0].n, audit[0].n


def outcome(payload: dict) -> str:
    return payload["errors"][0]["code"] if payload["errors"] else "OK"


async def test_two_reviewers_decide_at_once(world):
    d = await world.confirmed()
    second_login = await world.api.login(world.base["loginName"])  # a second session of the unit
    results = await asyncio.gather(
        world.api(REVIEW, {"id": d["id"], "decision": "APPROVE"}, world.base["token"]),
        world.api(REVIEW, {"id": d["id"], "decision": "REJECT", "reason": "材料不全"}, second_login),
        world.api(REVIEW, {"id": d["id"], "decision": "APPROVE"}, second_login),
    )
    got = sorted(outcome(r["reviewDeclaration"]) for r in results)
    assert got == ["INVALID_STATE", "INVALID_STATE", "OK"]
    approvals, audit_a = await events_and_audit(world, "APPROVE")
    rejections, audit_r = await events_and_audit(world, "REJECT")
    assert approvals + rejections == 1 and audit_a + audit_r == 1
    decided = await rows(world.engine, "SELECT count(*) AS n FROM review_step WHERE decision IS NOT NULL")
    assert decided[0].n == 1


async def test_two_reports_race(world):
    d = await world.ready_to_report()
    results = await asyncio.gather(*[world.api(REPORT, {"ids": [d["id"]]}, world.base["token"]) for _ in range(3)])
    counts = sorted(r["reportDeclarations"]["reportedCount"] for r in results)
    assert counts == [0, 0, 1]
    assert await events_and_audit(world, "REPORT") == (1, 1)
    open_steps = await rows(world.engine, "SELECT unit_id FROM review_step WHERE decision IS NULL")
    assert len(open_steps) == 1


async def test_report_races_superior_review(world):
    """The base unit reports while the 主管部门 tries to review it: the review only succeeds
    if it runs after the report committed; never both on a stale state."""
    d = await world.ready_to_report()
    report, review = await asyncio.gather(
        world.api(REPORT, {"ids": [d["id"]]}, world.base["token"]),
        world.api(REVIEW, {"id": d["id"], "decision": "APPROVE"}, world.dept["token"]),
    )
    assert report["reportDeclarations"]["reportedCount"] == 1
    reviewed = outcome(review["reviewDeclaration"])
    assert reviewed in ("OK", "NOT_FOUND")  # before the report commits, the 主管部门 has never seen it
    assert await events_and_audit(world, "REPORT") == (1, 1)
    assert (await events_and_audit(world, "APPROVE"))[0] == (2 if reviewed == "OK" else 1)


async def test_withdraw_races_review(world):
    d = await world.confirmed()
    withdraw, review = await asyncio.gather(
        world.api(WITHDRAW, {"id": d["id"]}, d["token"]),
        world.api(REVIEW, {"id": d["id"], "decision": "APPROVE"}, world.base["token"]),
    )
    got = sorted([outcome(withdraw["withdrawDeclaration"]), outcome(review["reviewDeclaration"])])
    assert got in (["INVALID_STATE", "OK"], ["CANNOT_WITHDRAW", "OK"])
    events = await rows(world.engine, "SELECT action FROM declaration_event WHERE action IN ('WITHDRAW', 'APPROVE')")
    assert len(events) == 1
    status = (await rows(world.engine, "SELECT status FROM declaration"))[0].status
    assert status == ("DRAFT" if events[0].action == "WITHDRAW" else "APPROVED")
