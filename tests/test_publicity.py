"""单位公示 (issue 13): the work unit publicises what it approved for at least 5 working days
(China's official calendar), people of the unit see the list and may object while it runs,
the unit resolves each objection, and reportDeclarations refuses what has not been
publicised long enough or still has an open objection.

The FakeClock starts on Sunday 2026-03-01 09:00 (Beijing): 5 working days after it are
Mar 2–6, so a publicity started then ends on Friday 2026-03-06 and has ended from Mar 7 00:00
Beijing (Mar 6 16:00 UTC)."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

from schema.ids import decode_id, encode_id
from tests.support.db import count_statements
from tests.support.review import DECLARATION, ReviewWorld, codes, pass_time, rows

ENDS_AT = datetime(2026, 3, 6, 16, 0, tzinfo=UTC)  # 2026-03-07 00:00 Beijing
LIST = """query($unit: ID, $all: Boolean, $first: Int, $after: String) {
  unitPublicity(unitId: $unit, includeEnded: $all, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    nodes { declarationId applicantName idNumber year level titleName specialtyName startedAt endsOn ended returned
            openObjectionCount } } }"""
RAISE = """mutation($d: ID!, $r: String!) { raiseObjection(declarationId: $d, reason: $r) {
  raisedAt errors { code field message } } }"""
OBJECTIONS = """query($open: Boolean) { publicityObjections(openOnly: $open) { totalCount nodes {
  id reason raisedByName raisedAt outcome resolution resolvedByName applicantName titleName
  declaration { id status } } } }"""
RESOLVE = """mutation($o: ID!, $upheld: Boolean!, $r: String!) {
  resolveObjection(objectionId: $o, upheld: $upheld, reason: $r) {
    objection { id outcome resolution resolvedByName applicantName }
    declaration { id status returnReason currentUnit { id } }
    errors { code field message } } }"""
TIMELINE = "query($id: ID!) { declaration(id: $id) { status timeline { action toStatus actorName reason unit { name } } } }"


@pytest.fixture
async def world(api, engine, services):
    return await ReviewWorld(api, engine, services).setup()


async def approved(world, n: int = 1) -> list[dict]:
    """`n` declarations confirmed by new applicants and approved by their work unit."""
    out = []
    for _ in range(n):
        d = await world.confirmed()
        assert (await world.review(world.base, d["id"]))["errors"] == []
        out.append(d)
    return out


async def publicity_list(world, token: str, **variables) -> dict:
    return (await world.api(LIST, variables, token))["unitPublicity"]


async def raise_(world, d: dict, token: str, reason: str = "论文为他人代写") -> dict:
    return (await world.api(RAISE, {"d": d["id"], "r": reason}, token))["raiseObjection"]


async def objections(world, open_only: bool = True) -> list[dict]:
    return (await world.api(OBJECTIONS, {"open": open_only}, world.base["token"]))["publicityObjections"]["nodes"]


async def resolve(world, objection_id: str, upheld: bool, reason: str = "经核实") -> dict:
    return (await world.api(RESOLVE, {"o": objection_id, "upheld": upheld, "r": reason},
                            world.base["token"]))["resolveObjection"]


async def test_start_publicity_and_the_list_people_of_the_unit_see(world, make_admin):
    a, b = await approved(world, 2)
    started = await world.publicise(world.base, [a["id"], b["id"]])
    assert started["errors"] == []
    assert started["publicity"] | {"startedAt": None} == {
        "startedAt": None, "workingDays": 5, "endsOn": "2026-03-06", "declarationCount": 2,
        "createdByName": world.base["name"]}

    as_unit = await publicity_list(world, world.base["token"])
    assert as_unit["totalCount"] == 2
    first = as_unit["nodes"][0]
    assert first["declarationId"] == a["id"] and first["titleName"] == "高级工程师"
    assert first["specialtyName"] and first["level"] == "ASSOCIATE_SENIOR" and first["year"] == 2026
    assert first["idNumber"].startswith("370102") and "*" in first["idNumber"]
    assert first | {"startedAt": None} == first | {"startedAt": None, "endsOn": "2026-03-06", "ended": False,
                                                  "returned": False, "openObjectionCount": 0}
    # A person of the unit (declared with it as work unit) sees the same list, by default and by id.
    assert await publicity_list(world, a["token"]) == as_unit
    assert await publicity_list(world, b["token"], unit=world.base["id"]) == as_unit
    # Nobody else: another unit, a person who never declared with it, an admin.
    outsider = await world.other_applicant()
    for token, variables in ((world.dept["token"], {"unit": world.base["id"]}), (outsider, {}),
                             (outsider, {"unit": world.base["id"]}), (await make_admin("370100"), {})):
        errors = await world.api.errors(LIST, variables, token)
        assert [e["extensions"]["code"] for e in errors] == ["FORBIDDEN"]
    # The applicant's timeline shows the start, by the unit, with the end date.
    timeline = (await world.api(TIMELINE, {"id": a["id"]}, a["token"]))["declaration"]["timeline"]
    assert timeline[-1] == {"action": "START_PUBLICITY", "toStatus": "APPROVED", "actorName": world.base["name"],
                            "reason": "单位公示5个工作日，至2026年3月6日（含）", "unit": {"name": world.base["name"]}}
    audit = await rows(world.engine, "SELECT object_type, success FROM audit_entry WHERE action = 'publicity.start'")
    assert [(r.object_type, r.success) for r in audit] == [("UnitPublicity", True)]


async def test_the_list_pages_and_hides_what_ended_by_default(world, engine, services):
    ds = await approved(world, 3)
    assert (await world.publicise(world.base, [d["id"] for d in ds[:2]]))["errors"] == []
    await pass_time(engine, services.clock, days=1)
    assert (await world.publicise(world.base, [ds[2]["id"]]))["errors"] == []
    page = await publicity_list(world, world.base["token"], first=2)
    assert page["totalCount"] == 3 and page["pageInfo"]["hasNextPage"]
    rest = await publicity_list(world, world.base["token"], first=2, after=page["pageInfo"]["endCursor"])
    assert [n["declarationId"] for n in page["nodes"] + rest["nodes"]] == [d["id"] for d in ds]
    assert rest["nodes"][0]["endsOn"] == "2026-03-09"  # started Monday Mar 2: Mar 3–6 and Monday Mar 9
    await pass_time(engine, services.clock, days=5)  # Mar 7 09:00: the first batch ended
    running = await publicity_list(world, world.base["token"])
    assert [n["declarationId"] for n in running["nodes"]] == [ds[2]["id"]]
    everything = await publicity_list(world, world.base["token"], all=True)
    assert [n["ended"] for n in everything["nodes"]] == [True, True, False]


async def test_start_refusals_change_nothing(world, services, count_rows):
    good, other = await approved(world, 2)
    pending = await world.confirmed()
    elsewhere = await world.permitted_unit("别的单位")
    foreign = await world.confirmed(workUnitId=elsewhere["id"])
    started = await world.publicise(world.base, [good["id"], pending["id"], foreign["id"],
                                                 encode_id("Declaration", 999999)])
    got = sorted((e["declarationId"], e["code"]) for e in started["errors"])
    assert got == sorted([(pending["id"], "INVALID_STATE"), (foreign["id"], "NOT_FOUND"),
                          (encode_id("Declaration", 999999), "NOT_FOUND")])
    assert started["publicity"] is None and await count_rows("unit_publicity") == 0
    assert await count_rows("unit_publicity_entry") == 0
    # Fewer working days than the setting, or absurdly many.
    for days, code in ((4, "PUBLICITY_TOO_SHORT"), (31, "INVALID_INPUT")):
        refused = await world.publicise(world.base, [good["id"]], days)
        assert [(e["code"], e["field"]) for e in refused["errors"]] == [(code, "workingDays")]
    assert codes(await world.publicise(world.base, [])) == ["FIELD_REQUIRED"]
    malformed = await world.publicise(world.base, [good["id"], "not-an-id"])
    assert [(e["declarationId"], e["code"], e["field"]) for e in malformed["errors"]] == [
        (None, "INVALID_ID", "declarationIds")]
    # The setting is the default and the minimum.
    services.settings = dataclasses.replace(services.settings, unit_publicity_working_days=7)
    assert codes(await world.publicise(world.base, [good["id"]], 5)) == ["PUBLICITY_TOO_SHORT"]
    seven = await world.publicise(world.base, [good["id"]])
    assert seven["publicity"]["workingDays"] == 7 and seven["publicity"]["endsOn"] == "2026-03-10"
    # Once is enough; the same declaration again is refused with the batch it came in.
    again = await world.publicise(world.base, [other["id"], good["id"]])
    assert [(e["declarationId"], e["code"]) for e in again["errors"]] == [(good["id"], "PUBLICITY_ALREADY_STARTED")]
    audit = await rows(world.engine, "SELECT success, reason FROM audit_entry WHERE action = 'publicity.start' "
                                     "ORDER BY id")
    assert [r.success for r in audit] == [False, False, False, False, False, False, True, False]


async def test_superiors_report_without_publicity(world):
    """Publicity is the work unit's (人社部令第40号 puts it on the employer): the 主管部门 cannot
    start one and reports straight away."""
    d = await world.at_dept()
    assert (await world.review(world.dept, d["id"]))["errors"] == []
    refused = await world.publicise(world.dept, [d["id"]])
    assert codes(refused) == ["INVALID_STATE"] and "工作单位" in refused["errors"][0]["message"]
    assert (await world.report(world.dept, [d["id"]]))["reportedCount"] == 1


async def test_report_waits_for_the_end_of_publicity(world, engine, services):
    never, running = await approved(world, 2)
    assert (await world.publicise(world.base, [running["id"]]))["errors"] == []
    payload = await world.report(world.base, [never["id"], running["id"]])
    assert payload["reportedCount"] == 0
    errors = {e["declarationId"]: e for e in payload["errors"]}
    assert errors[never["id"]]["code"] == "PUBLICITY_NOT_ENDED" and "尚未" in errors[never["id"]]["message"]
    assert errors[running["id"]]["code"] == "PUBLICITY_NOT_ENDED"
    assert "2026年3月6日" in errors[running["id"]]["message"]
    await pass_time(engine, services.clock, days=5)  # Friday Mar 6 09:00: the last day still runs
    assert codes(await world.report(world.base, [running["id"]])) == ["PUBLICITY_NOT_ENDED"]
    await pass_time(engine, services.clock, hours=15)  # Saturday 00:00 Beijing: over
    assert services.clock.now() == ENDS_AT
    reported = await world.report(world.base, [running["id"], never["id"]])
    assert reported["reportedCount"] == 1 and codes(reported) == ["PUBLICITY_NOT_ENDED"]


async def test_objections_while_it_runs_and_who_may_raise_them(world, engine, services, make_admin):
    d, neighbour = await approved(world, 2)
    not_publicised = (await approved(world))[0]
    assert (await world.publicise(world.base, [d["id"], neighbour["id"]]))["errors"] == []
    outsider = await world.other_applicant()
    # A person of the unit (the neighbour declared with it) and the unit itself may object.
    assert (await raise_(world, d, neighbour["token"]))["errors"] == []
    assert (await raise_(world, d, world.base["token"], "学历证书存疑"))["errors"] == []
    # Not: an outsider, another unit, the applicant on their own, an admin; nor without a reason.
    assert codes(await raise_(world, d, outsider)) == ["NOT_FOUND"]
    assert codes(await raise_(world, d, world.dept["token"])) == ["NOT_FOUND"]
    assert codes(await raise_(world, d, d["token"])) == ["INVALID_STATE"]
    errors = await world.api.errors(RAISE, {"d": d["id"], "r": "x"}, await make_admin("370100"))
    assert [e["extensions"]["code"] for e in errors] == ["FORBIDDEN"]
    assert codes(await raise_(world, d, neighbour["token"], "  ")) == ["REASON_REQUIRED"]
    assert codes(await raise_(world, not_publicised, world.base["token"])) == ["NOT_IN_PUBLICITY"]

    listed = await objections(world)
    assert [(o["reason"], o["raisedByName"]) for o in listed] == [
        ("论文为他人代写", (await world.api("{ me { person { name } } }", token=neighbour["token"]))["me"]["person"]["name"]),
        ("学历证书存疑", world.base["name"])]
    entry = (await publicity_list(world, world.base["token"]))["nodes"][0]
    assert entry["declarationId"] == d["id"] and entry["openObjectionCount"] == 2
    # The applicant sees that objections came, not who raised them nor their words.
    timeline = (await world.api(TIMELINE, {"id": d["id"]}, d["token"]))["declaration"]["timeline"]
    raised = [e for e in timeline if e["action"] == "RAISE_OBJECTION"]
    assert len(raised) == 2 and {e["actorName"] for e in raised} == {"公示异议人（不公开）"}
    assert not any("代写" in (e["reason"] or "") or e["actorName"] == listed[0]["raisedByName"] for e in timeline)
    # The objection is a node for the unit only.
    node = "query($id: ID!) { node(id: $id) { ... on PublicityObjection { reason } } }"
    assert (await world.api(node, {"id": listed[0]["id"]}, world.base["token"]))["node"] == {"reason": "论文为他人代写"}
    assert (await world.api(node, {"id": listed[0]["id"]}, d["token"]))["node"] is None
    # Once it has ended (Saturday 00:00 Beijing), no more objections; the open ones block the report.
    await pass_time(engine, services.clock, days=5, hours=15)
    late = await raise_(world, neighbour, d["token"])
    assert codes(late) == ["NOT_IN_PUBLICITY"] and "2026年3月6日" in late["errors"][0]["message"]
    payload = await world.report(world.base, [d["id"], neighbour["id"]])
    assert payload["reportedCount"] == 1 and [(e["declarationId"], e["code"]) for e in payload["errors"]] == [
        (d["id"], "OPEN_OBJECTION")]
    audit = await rows(world.engine, "SELECT account_kind, success FROM audit_entry "
                                     "WHERE action = 'publicity.objection' ORDER BY id")
    assert [(r.account_kind, r.success) for r in audit][:2] == [("PERSON", True), ("UNIT", True)]


async def test_objection_at_the_very_end(world, engine, services):
    """The end is a moment: an objection a microsecond before it is taken, at it refused, and
    the report goes from that moment on."""
    d, other = await approved(world, 2)
    assert (await world.publicise(world.base, [d["id"], other["id"]]))["errors"] == []
    await pass_time(engine, services.clock, seconds=(ENDS_AT - services.clock.now()).total_seconds() - 1e-6)
    assert (await raise_(world, d, world.base["token"]))["errors"] == []
    await pass_time(engine, services.clock, seconds=1e-6)
    assert codes(await raise_(world, other, world.base["token"])) == ["NOT_IN_PUBLICITY"]
    assert (await world.report(world.base, [other["id"]]))["reportedCount"] == 1


async def test_dismissed_is_recorded_and_the_report_may_go(world, engine, services):
    (d,) = await approved(world)
    assert (await world.publicise(world.base, [d["id"]]))["errors"] == []
    assert (await raise_(world, d, world.base["token"]))["errors"] == []
    (objection,) = await objections(world)
    dismissed = await resolve(world, objection["id"], False, "论文系本人独立完成，有原始数据为证")
    assert dismissed["errors"] == []
    assert dismissed["objection"] == {"id": objection["id"], "outcome": "DISMISSED",
                                      "resolution": "论文系本人独立完成，有原始数据为证",
                                      "resolvedByName": world.base["name"], "applicantName": objection["applicantName"]}
    assert dismissed["declaration"]["status"] == "APPROVED"
    assert codes(await resolve(world, objection["id"], True)) == ["INVALID_STATE"]  # decided once
    assert await objections(world) == []
    assert [o["outcome"] for o in await objections(world, open_only=False)] == ["DISMISSED"]
    timeline = (await world.api(TIMELINE, {"id": d["id"]}, d["token"]))["declaration"]["timeline"]
    assert timeline[-1]["action"] == "DISMISS_OBJECTION"
    assert timeline[-1]["reason"] == "异议不成立：论文系本人独立完成，有原始数据为证"
    await pass_time(engine, services.clock, days=6)
    assert (await world.report(world.base, [d["id"]]))["reportedCount"] == 1
    audit = await rows(world.engine, "SELECT reason FROM audit_entry WHERE action = 'publicity.resolve' AND success")
    assert [r.reason for r in audit] == ["DISMISSED: 论文系本人独立完成，有原始数据为证"]


async def test_upheld_returns_to_the_applicant_and_the_round_restarts(world, engine, services):
    d, neighbour = await approved(world, 2)
    assert (await world.publicise(world.base, [d["id"]]))["errors"] == []
    assert (await raise_(world, d, neighbour["token"]))["errors"] == []
    assert (await raise_(world, d, world.base["token"], "另一条"))["errors"] == []
    first, second = await objections(world)
    upheld = await resolve(world, first["id"], True, "论文确系他人代写")
    assert upheld["errors"] == []
    assert upheld["declaration"] == {"id": d["id"], "status": "RETURNED", "currentUnit": None,
                                     "returnReason": "单位公示异议成立：论文确系他人代写"}
    # The other open objection is closed with it; the entry leaves the running list.
    assert [(o["id"], o["outcome"]) for o in await objections(world, open_only=False)] == [
        (first["id"], "UPHELD"), (second["id"], "SUPERSEDED")]
    assert (await publicity_list(world, world.base["token"]))["totalCount"] == 0
    assert (await publicity_list(world, world.base["token"], all=True))["nodes"][0]["returned"] is True
    assert codes(await world.report(world.base, [d["id"]])) == ["INVALID_STATE"]
    assert codes(await raise_(world, d, neighbour["token"])) == ["NOT_IN_PUBLICITY"]
    seen = (await world.api(DECLARATION, {"id": d["id"]}, d["token"]))["declaration"]
    assert seen["isEditable"] and [t["action"] for t in seen["timeline"]][-4:] == [
        "START_PUBLICITY", "RAISE_OBJECTION", "RAISE_OBJECTION", "UPHOLD_OBJECTION"]
    assert seen["timeline"][-1]["reason"] == "异议成立：论文确系他人代写"
    # The applicant confirms again: a new round at the work unit, which must publicise again.
    confirm = "mutation($id: ID!) { confirmDeclaration(id: $id) { declaration { status } errors { code } } }"
    assert (await world.api(confirm, {"id": d["id"]}, d["token"]))["confirmDeclaration"]["errors"] == []
    assert (await world.review(world.base, d["id"]))["errors"] == []
    assert codes(await world.report(world.base, [d["id"]])) == ["PUBLICITY_NOT_ENDED"]
    assert (await world.publicise(world.base, [d["id"]]))["errors"] == []
    await pass_time(engine, services.clock, days=8)
    assert (await world.report(world.base, [d["id"]]))["reportedCount"] == 1
    reviews = (await world.api(DECLARATION, {"id": d["id"]}, d["token"]))["declaration"]["reviews"]
    assert [(r["round"], r["decision"]) for r in reviews] == [(1, "APPROVED"), (2, "APPROVED")]


async def test_resolve_refusals(world, permitted_unit):
    (d,) = await approved(world)
    assert (await world.publicise(world.base, [d["id"]]))["errors"] == []
    assert (await raise_(world, d, world.base["token"]))["errors"] == []
    (objection,) = await objections(world)
    other = (await world.api(RESOLVE, {"o": objection["id"], "upheld": True, "r": "x"}, world.dept["token"]))
    assert codes(other["resolveObjection"]) == ["NOT_FOUND"]
    assert codes(await resolve(world, objection["id"], True, " ")) == ["REASON_REQUIRED"]
    bad = await resolve(world, encode_id("Declaration", 1), True)
    assert [(e["code"], e["field"]) for e in bad["errors"]] == [("INVALID_ID", "objectionId")]


# --- races ----------------------------------------------------------------------------------


async def test_two_objections_at_once_are_both_recorded(world):
    d, a, b = await approved(world, 3)
    assert (await world.publicise(world.base, [d["id"]]))["errors"] == []
    results = await asyncio.gather(raise_(world, d, a["token"], "甲的异议"), raise_(world, d, b["token"], "乙的异议"))
    assert [r["errors"] for r in results] == [[], []]
    assert sorted(o["reason"] for o in await objections(world)) == ["乙的异议", "甲的异议"]
    events = await rows(world.engine, "SELECT count(*) AS n FROM declaration_event WHERE action = 'RAISE_OBJECTION'")
    assert events[0].n == 2


async def test_two_starts_at_once(world):
    (d,) = await approved(world)
    results = await asyncio.gather(*[world.publicise(world.base, [d["id"]]) for _ in range(3)])
    assert sorted(codes(r)[0] if r["errors"] else "OK" for r in results) == [
        "OK", "PUBLICITY_ALREADY_STARTED", "PUBLICITY_ALREADY_STARTED"]
    assert len(await rows(world.engine, "SELECT id FROM unit_publicity_entry")) == 1
    events = await rows(world.engine, "SELECT count(*) AS n FROM declaration_event WHERE action = 'START_PUBLICITY'")
    assert events[0].n == 1


@pytest.mark.parametrize("upheld", [False, True])
async def test_resolve_races_report(world, engine, services, upheld):
    """Exactly one order wins: the report either sees the objection still open, or the
    resolution already committed — never a report of a returned declaration."""
    (d,) = await approved(world)
    assert (await world.publicise(world.base, [d["id"]]))["errors"] == []
    assert (await raise_(world, d, world.base["token"]))["errors"] == []
    (objection,) = await objections(world)
    await pass_time(engine, services.clock, days=6)
    report, resolved = await asyncio.gather(world.report(world.base, [d["id"]]),
                                            resolve(world, objection["id"], upheld, "核实"))
    assert resolved["errors"] == []
    status = (await rows(world.engine, "SELECT status FROM declaration"))[0].status
    if upheld:
        assert report["reportedCount"] == 0 and codes(report)[0] in ("OPEN_OBJECTION", "INVALID_STATE")
        assert status == "RETURNED"
    elif report["reportedCount"] == 1:
        assert status == "PENDING_REVIEW"
    else:
        assert codes(report) == ["OPEN_OBJECTION"] and status == "APPROVED"
    reports = await rows(world.engine, "SELECT count(*) AS n FROM declaration_event WHERE action = 'REPORT'")
    assert reports[0].n == report["reportedCount"]


async def test_an_objection_committed_while_the_report_waits_is_seen(world, engine, services):
    """Deterministic: another transaction holds the declaration's lock while it records an
    objection; the report waits for the lock and must then see that objection."""
    from sqlalchemy import text
    (d,) = await approved(world)
    assert (await world.publicise(world.base, [d["id"]]))["errors"] == []
    await pass_time(engine, services.clock, days=6)
    row_id = decode_id(d["id"], "Declaration", "id")
    async with engine.connect() as conn:
        tx = await conn.begin()
        await conn.execute(text("SELECT id FROM declaration WHERE id = :id FOR UPDATE"), {"id": row_id})
        await conn.execute(text("""
            INSERT INTO publicity_objection (entry_id, declaration_id, unit_id, raised_by_account_id, raised_by_name,
                                             reason, raised_at)
            SELECT e.id, e.declaration_id, e.unit_id, u.account_id, u.name, '锁等待期间提出', now()
            FROM unit_publicity_entry e JOIN unit u ON u.id = e.unit_id WHERE e.declaration_id = :id"""),
                           {"id": row_id})
        report = asyncio.create_task(world.report(world.base, [d["id"]]))
        for _ in range(200):  # until the report waits on the row lock
            waiting = await rows(engine, "SELECT count(*) AS n FROM pg_stat_activity "
                                         "WHERE wait_event_type = 'Lock' AND datname = current_database()")
            if waiting[0].n:
                break
            await asyncio.sleep(0.02)
        assert waiting[0].n == 1
        await tx.commit()
    payload = await report
    assert payload["reportedCount"] == 0 and codes(payload) == ["OPEN_OBJECTION"]


# --- set-based, constant statements -----------------------------------------------------------


async def test_start_and_list_run_a_constant_number_of_statements(world, statement_counter):
    start = """mutation($ids: [ID!]!) { startUnitPublicity(declarationIds: $ids) { publicity { declarationCount }
      errors { code } } }"""
    few = await approved(world, 2)
    _, n_few = await count_statements(world.api, statement_counter, start, world.base["token"],
                                      {"ids": [d["id"] for d in few]})
    many = await approved(world, 8)
    data, n_many = await count_statements(world.api, statement_counter, start, world.base["token"],
                                          {"ids": [d["id"] for d in many]})
    assert data["startUnitPublicity"]["publicity"]["declarationCount"] == 8
    assert n_few == n_many, (n_few, n_many)
    _, list_statements = await count_statements(world.api, statement_counter, LIST, world.base["token"], {})
    assert list_statements <= 2, list_statements
    print(f"startUnitPublicity: {n_many} statements; unitPublicity page: {list_statements}")


async def test_report_of_many_after_publicity_ended(world, statement_counter):
    from tests.support.review import seed_approved, seed_publicity
    T0 = datetime(2026, 2, 1, tzinfo=UTC)
    await seed_approved(world.engine, world.base["id"], [
        {"name": f"申报人{i}", "work_unit": world.base["id"], "confirmed_at": T0 + timedelta(seconds=i)}
        for i in range(300)], tag="many")
    found = await rows(world.engine, "SELECT declaration_id FROM review_step WHERE awaiting_report ORDER BY 1")
    ids = [encode_id("Declaration", r.declaration_id) for r in found]
    payload = await world.report(world.base, ids)
    assert payload["reportedCount"] == 0 and set(codes(payload)) == {"PUBLICITY_NOT_ENDED"}
    await seed_publicity(world.engine, world.base["id"], ends_at=world.services.clock.now())
    listed = await publicity_list(world, world.base["token"], all=True, first=100)
    assert listed["totalCount"] == 300 and all(n["ended"] for n in listed["nodes"])
    assert (await world.report(world.base, ids))["reportedCount"] == 300
