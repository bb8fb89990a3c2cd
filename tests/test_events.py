"""The change feed (变更流) through GraphQL: what the workflow writes to it, who reads which
region, cursors, and the horizon (an open transaction holds the feed, never skips it).
Concurrent writers are in tests/test_events_concurrency.py."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest
from sqlalchemy import text
from strawberry import relay

from core import db
from resolvers.feed import LAG_COUNT_CAP
from schema.ids import decode_id
from tests.support import clients
from tests.support.feed import EVENTS, drain, drain_until, of_object, read_page
from tests.support.review import ReviewWorld, rows
from tests.support.units import REVIEW, REVIEW_PATH, REVOKE_PATH, SUBMIT, apply_path, save, unit_with_token


@pytest.fixture
async def world(api, engine, services):
    return await ReviewWorld(api, engine, services).setup()


async def timeline_matches_feed(engine) -> None:
    """Every timeline step but the applicant's drafting has exactly one feed row, and no feed
    row of a declaration lacks its step: whatever path wrote the step (one step, set-based)."""
    timeline = await rows(engine, "SELECT declaration_id, action::text AS action, count(*) AS n "
                                  "FROM declaration_event WHERE action NOT IN ('CREATE', 'EDIT') GROUP BY 1, 2")
    fed = await rows(engine, "SELECT object_id AS declaration_id, payload->>'action' AS action, count(*) AS n "
                             "FROM feed_event WHERE object_type = 'Declaration' GROUP BY 1, 2")
    assert sorted(map(tuple, timeline)) == sorted(map(tuple, fed))


async def test_a_declaration_route_is_in_the_feed_in_order(world):
    d = await world.at_dept()  # confirm, approve, publicise (set-based), report (set-based)
    assert (await world.review(world.dept, d["id"]))["errors"] == []
    assert (await world.report(world.dept, [d["id"]]))["errors"] == []
    assert (await world.review(world.accepting, d["id"]))["errors"] == []  # 受理

    expected = ["DECLARATION_CONFIRMED", "DECLARATION_APPROVED", "DECLARATION_PUBLICITY_STARTED",
                "DECLARATION_REPORTED", "DECLARATION_APPROVED", "DECLARATION_REPORTED", "DECLARATION_ACCEPTED"]
    events, _ = await drain_until(world.api, world.admin, lambda es: len(of_object(es, d["id"])) == 7)
    assert of_object(events, d["id"]) == expected
    assert [e["type"] for e in events[:2]] == ["PATH_APPROVED", "PATH_APPROVED"]  # the world's route
    accepted = events[-1]
    assert accepted["regionCode"] == "370100"  # the work unit's
    assert accepted["payload"] == {"action": "ACCEPT", "fromStatus": "PENDING_REVIEW", "toStatus": "ACCEPTED",
                                   "year": 2026, "seriesCode": "ENGINEERING", "level": "ASSOCIATE_SENIOR",
                                   "titleCode": "ENGINEERING.SENIOR_ENGINEER"}
    reported = next(e for e in events if e["type"] == "DECLARATION_REPORTED")
    assert reported["payload"]["fromStatus"] == "APPROVED" and reported["payload"]["toStatus"] == "PENDING_REVIEW"
    await timeline_matches_feed(world.engine)

    # The drafting before 确认申报 is the applicant's: no event.
    draft = await world.create(world.token)
    more, _ = await drain(world.api, world.admin)
    assert of_object(more, draft["id"]) == []


async def test_paging_resumes_from_a_stored_cursor(world):
    for _ in range(3):
        await world.confirmed()
    everything, end = await drain_until(world.api, world.admin, lambda es: len(es) >= 5)
    page_by_page, cursor = [], None
    while True:
        page = await read_page(world.api, world.admin, cursor, first=2)
        page_by_page += [e["node"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        assert page["totalCount"] == len(everything) - len(page_by_page) + len(page["edges"])
        cursor = page["pageInfo"]["endCursor"]
    assert page_by_page == everything and page["pageInfo"]["hasPreviousPage"]

    # Nothing new: an empty page that keeps the cursor; then a new event, and only it.
    empty = await read_page(world.api, world.admin, end)
    assert empty["edges"] == [] and empty["totalCount"] == 0 and empty["pageInfo"]["endCursor"] is None
    d = await world.confirmed()
    fresh, _ = await drain_until(world.api, world.admin, lambda es: len(es) >= 1, after=end)
    assert [(e["type"], e["objectId"]) for e in fresh] == [("DECLARATION_CONFIRMED", d["id"])]


async def test_types_filter(world):
    d = await world.confirmed()
    assert (await world.review(world.base, d["id"], "REJECT", "缺少学历证明"))["errors"] == []
    events, _ = await drain_until(world.api, world.admin, lambda es: len(es) >= 1,
                                  types=["DECLARATION_REJECTED"])
    assert [e["type"] for e in events] == ["DECLARATION_REJECTED"]
    assert events[0]["payload"]["toStatus"] == "RETURNED"


async def test_permission_and_path_decisions(api, city_admin, count_rows):
    approved = await unit_with_token(api)
    saved = await save(api, approved["token"], name=approved["name"], uscc=approved["uscc"])
    assert saved["errors"] == []
    app_id = saved["application"]["id"]
    assert (await api(SUBMIT, token=approved["token"]))["submitPermissionApplication"]["errors"] == []
    rejected = await api(REVIEW, {"id": app_id, "decision": "REJECT", "reason": "名称与执照不符"}, city_admin)
    assert rejected["reviewPermissionApplication"]["errors"] == []
    assert (await api(SUBMIT, token=approved["token"]))["submitPermissionApplication"]["errors"] == []
    assert (await api(REVIEW, {"id": app_id, "decision": "APPROVE"}, city_admin)
            )["reviewPermissionApplication"]["errors"] == []

    events, _ = await drain_until(api, city_admin, lambda es: len(es) >= 2)
    assert [(e["type"], e["objectId"], e["payload"]) for e in events] == [
        ("PERMISSION_REJECTED", app_id, {"decision": "REJECTED"}),
        ("PERMISSION_APPROVED", app_id, {"decision": "APPROVED"})]

    # A refused decision (already decided) writes no event.
    again = await api(REVIEW, {"id": app_id, "decision": "APPROVE"}, city_admin)
    assert again["reviewPermissionApplication"]["errors"][0]["code"] == "INVALID_STATE"
    assert await count_rows("feed_event") == 2


async def test_path_rejection_and_revocation(world):
    other = await world.permitted_unit("济南市第二工业局")
    applied = await apply_path(world.api, world.base, other, "ENGINEERING", "INTERMEDIATE")
    path_id = applied["path"]["id"]
    rejected = await world.api(REVIEW_PATH, {"id": path_id, "decision": "REJECT", "reason": "不属本系统"},
                               other["token"])
    assert rejected["reviewReportingPath"]["errors"] == []
    paths = await world.api("{ reportingPaths(direction: OUTGOING, status: APPROVED) { nodes { id } } }",
                            token=world.base["token"])
    effective = paths["reportingPaths"]["nodes"][0]["id"]
    revoked = await world.api(REVOKE_PATH, {"id": effective, "reason": "机构调整"}, world.dept["token"])
    assert revoked["revokeReportingPath"]["errors"] == []
    events, _ = await drain_until(world.api, world.admin, lambda es: len(es) >= 4, types=[
        "PATH_REJECTED", "PATH_REVOKED", "PATH_APPROVED"])
    assert [e["type"] for e in events] == ["PATH_APPROVED", "PATH_APPROVED", "PATH_REJECTED", "PATH_REVOKED"]
    assert events[2]["objectId"] == path_id and events[2]["payload"] == {
        "status": "REJECTED", "seriesCode": "ENGINEERING", "level": "INTERMEDIATE"}


async def test_who_reads_which_region(world, make_admin):
    d = await world.confirmed()
    jinan = await make_admin("370100")
    qingdao = await make_admin("370200")
    events, _ = await drain_until(world.api, jinan, lambda es: any(e["objectId"] == d["id"] for e in es))
    assert {e["regionCode"] for e in events} == {"370100"}
    assert (await drain(world.api, qingdao))[0] == []
    event_id = next(e["id"] for e in events if e["objectId"] == d["id"])
    node = "query($id: ID!) { node(id: $id) { ... on Event { type objectId } } }"
    assert (await world.api(node, {"id": event_id}, jinan))["node"] == {
        "type": "DECLARATION_CONFIRMED", "objectId": d["id"]}
    assert (await world.api(node, {"id": event_id}, qingdao))["node"] is None
    assert (await world.api(node, {"id": event_id}, world.base["token"]))["node"] is None

    for token, code in ((None, "UNAUTHENTICATED"), (world.token, "FORBIDDEN"), (world.base["token"], "FORBIDDEN")):
        errors = await world.api.errors(EVENTS, {}, token)
        assert errors[0]["extensions"]["code"] == code


@pytest.mark.parametrize("after", ["not a cursor", "W10=", "WzEsMiwzXQ==", "WyJhIiwxXQ==", "Wy0xLDFd",
                                   "WzkyMjMzNzIwMzY4NTQ3NzU4MDgsMV0="])
async def test_a_cursor_we_did_not_issue_is_bad_input(api, province_admin, after):
    # not base64 JSON; []; [1,2,3]; ["a",1]; [-1,1]; [2**63,1]
    errors = await api.errors(EVENTS, {"after": after}, province_admin)
    assert errors[0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_an_open_transaction_holds_the_feed_and_nothing_is_skipped(world, database_url):
    """A transaction that started (took its id) before a step commits holds the feed at its own
    place: the step's event is not shown, so no reader can store a cursor past an event that
    the open transaction may still write. When it commits, its event comes first (older txid)."""
    _, cursor = await drain_until(world.api, world.admin, lambda es: len(es) >= 2)  # the route
    holder = await asyncpg.connect(db.plain_url(database_url))
    try:
        tx = holder.transaction()
        await tx.start()
        await holder.fetchval("SELECT pg_current_xact_id()")  # an id older than the step's
        d = await world.confirmed()  # commits an event now
        assert (await drain(world.api, world.admin, cursor))[0] == []
        written = await rows(world.engine, "SELECT count(*) AS n FROM feed_event WHERE object_type = 'Declaration' AND object_id = :i",
                             i=decode_id(d["id"], "Declaration", "id"))
        assert written[0].n == 1  # committed, yet not shown
        await holder.execute(
            "INSERT INTO feed_event (type, object_type, object_id, region_code, occurred_at, payload) "
            "VALUES ('path.revoked', 'ReportingPath', 1, '370100', now(), '{}')")
        await tx.commit()
    finally:
        await holder.close()
    events, _ = await drain_until(world.api, world.admin, lambda es: len(es) >= 2, after=cursor)
    assert [e["type"] for e in events] == ["PATH_REVOKED", "DECLARATION_CONFIRMED"]
    ids = [int(relay.from_base64(e["id"])[1]) for e in events]
    assert ids[0] > ids[1]  # commit-safe order is not id order


async def test_an_api_client_with_the_events_scope_reads_its_region(world, services):
    d = await world.confirmed()

    async def client_token(region: str, scopes: list[str]) -> str:
        return await clients.token(world.api, await clients.register(services, scopes=scopes, region=region))
    jinan = await client_token("370100", ["events:read"])
    province = await client_token("370000", ["events:read"])
    qingdao = await client_token("370200", ["events:read"])
    without = await client_token("370100", ["declarations:read", "webhooks:manage"])

    events, _ = await drain_until(world.api, jinan, lambda es: any(e["objectId"] == d["id"] for e in es))
    assert of_object(events, d["id"]) == ["DECLARATION_CONFIRMED"]
    everything, _ = await drain_until(world.api, province, lambda es: len(es) >= 3)
    assert [e["type"] for e in everything] == ["PATH_APPROVED", "PATH_APPROVED", "DECLARATION_CONFIRMED"]
    assert (await drain(world.api, qingdao))[0] == []
    errors = await world.api.errors(EVENTS, {}, without)
    assert errors[0]["extensions"]["code"] == "FORBIDDEN"
    node = "query($id: ID!) { node(id: $id) { ... on Event { type } } }"
    event_id = events[-1]["id"]
    assert (await world.api(node, {"id": event_id}, jinan))["node"] == {"type": "DECLARATION_CONFIRMED"}
    assert (await world.api(node, {"id": event_id}, qingdao))["node"] is None
    assert (await world.api(node, {"id": event_id}, without))["node"] is None


async def test_the_lag_is_counted_up_to_a_cap(api, province_admin, engine):
    async with engine.begin() as conn:
        await conn.execute(text(
            "INSERT INTO feed_event (type, object_type, object_id, region_code, occurred_at, payload) "
            "SELECT 'path.revoked', 'ReportingPath', g, '370100', now(), '{}' FROM generate_series(1, :n) g"),
            {"n": LAG_COUNT_CAP + 5})
    page = await read_page(api, province_admin, first=10)
    while not page["edges"]:  # the shared server's older transactions first
        await asyncio.sleep(0.05)
        page = await read_page(api, province_admin, first=10)
    assert page["totalCount"] == LAG_COUNT_CAP and len(page["edges"]) == 10


async def test_the_committee_stage_is_in_the_feed(api, engine, services):
    """Check, scheduling, the ballot's close, results publicity, confirmation and revocation
    (most of them set-based over a session) each give every candidate its feed row; the
    panel, opinions and ballots never appear."""
    from tests.support.committee import CommitteeWorld, passed_session
    from tests.test_results import CONFIRM, REVOKE, START, end_publicity

    world = await CommitteeWorld(api, engine, services).setup()
    session, candidates = await passed_session(world, [True, False])
    assert (await api(START, {"s": session["id"], "days": None}, world.office))["startResultsPublicity"]["errors"] == []
    await end_publicity(world)
    assert (await api(CONFIRM, {"s": session["id"]}, world.admin))["confirmResults"]["errors"] == []
    granted = next(c["declaration"]["id"] for c in candidates if c["passed"])
    revoked = (await api(REVOKE, {"d": granted, "r": "学历证书系伪造"}, world.admin))["revokeTitle"]
    assert revoked["errors"] == [], revoked
    await timeline_matches_feed(engine)

    events, _ = await drain_until(api, world.admin, lambda es: len(of_object(es, granted)) >= 12)
    assert of_object(events, granted)[-7:] == [
        "DECLARATION_ACCEPTED", "DECLARATION_CHECKED", "DECLARATION_SCHEDULED", "DECLARATION_PASSED",
        "DECLARATION_RESULTS_PUBLICITY_STARTED", "DECLARATION_GRANTED", "DECLARATION_REVOKED"]
    failed = next(c["declaration"]["id"] for c in candidates if not c["passed"])
    assert of_object(events, failed)[-3:] == ["DECLARATION_SCHEDULED", "DECLARATION_NOT_PASSED",
                                              "DECLARATION_NOT_PASSED_CONFIRMED"]
