"""数据上报 (2.4): the report queue's filters and every sort in both directions, reporting
without a path, mixed batches, and a set-based report of 5,000 declarations."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from schema.ids import encode_id
from tests.support.db import count_statements
from tests.support.review import (
    REPORT_QUEUE,
    REVIEW_QUEUE,
    ReviewWorld,
    codes,
    rows,
    seed_approved,
    seed_publicity,
)

T0 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)


@pytest.fixture
async def world(api, engine, services):
    return await ReviewWorld(api, engine, services).setup()


async def report_queue(world, unit, **variables):
    return (await world.api(REPORT_QUEUE, variables, unit["token"]))["reportQueue"]


async def all_ids(world, unit, **variables) -> list[str]:
    """Every page (of 2) of the report queue, to exercise the keyset cursors."""
    ids, after = [], None
    while True:
        page = await report_queue(world, unit, first=2, after=after, **variables)
        ids += [e["node"]["declaration"]["id"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            return ids
        after = page["pageInfo"]["endCursor"]


@pytest.fixture
async def seeded(world):
    """Five declarations approved at the 主管部门 from three work units."""
    await world.api("mutation { openDeclarationYear(year: 2025) { errors { code } } }", token=world.admin)
    units = {n: await world.permitted_unit(n) for n in ("乙钢铁公司", "甲建筑公司", "丙化工厂")}
    data = [("王五", "乙钢铁公司", "ASSOCIATE_SENIOR", 2, 2026), ("李四", "甲建筑公司", "INTERMEDIATE", 0, 2026),
            ("张三", "丙化工厂", "ASSOCIATE_SENIOR", 1, 2026), ("赵六", "甲建筑公司", "ASSOCIATE_SENIOR", 3, 2026),
            ("钱七", "乙钢铁公司", "ASSOCIATE_SENIOR", 4, 2025)]
    await seed_approved(world.engine, world.dept["id"], [
        {"name": n, "work_unit": units[u]["id"], "level": lv, "confirmed_at": T0 + timedelta(days=d), "year": y}
        for n, u, lv, d, y in data], tag="sort")
    return units


async def expected(world, column: str, direction: str, where: str = "true") -> list[str]:
    found = await rows(world.engine, f"SELECT declaration_id FROM review_step WHERE awaiting_report AND {where} "
                                     f"ORDER BY {column} {direction}, id {direction}")
    return [encode_id("Declaration", r.declaration_id) for r in found]


@pytest.mark.parametrize("direction", ["ASC", "DESC"])
@pytest.mark.parametrize("sort,column", [("CONFIRMED_AT", "confirmed_at"), ("LEVEL", "level_rank"),
                                         ("TITLE", "title_name"), ("APPLICANT_NAME", "applicant_name"),
                                         ("WORK_UNIT_NAME", "work_unit_name")])
async def test_every_sort_both_directions(world, seeded, sort, column, direction):
    got = await all_ids(world, world.dept, sort=sort, direction=direction)
    assert got == await expected(world, column, direction)
    assert len(got) == 5


async def test_level_sorts_by_rank_and_time_by_confirmation(world, seeded):
    page = await report_queue(world, world.dept, sort="LEVEL", first=10)
    assert [e["node"]["level"] for e in page["edges"]] == ["ASSOCIATE_SENIOR"] * 4 + ["INTERMEDIATE"]
    page = await report_queue(world, world.dept, sort="CONFIRMED_AT", direction="DESC", first=10)
    assert [e["node"]["applicantName"] for e in page["edges"]] == ["钱七", "赵六", "王五", "张三", "李四"]


async def test_filters(world, seeded):
    async def names(**f):
        page = await report_queue(world, world.dept, filter=f, sort="APPLICANT_NAME", first=10)
        assert page["totalCount"] == len(page["edges"])
        return sorted(e["node"]["applicantName"] for e in page["edges"])

    assert await names(year=2025) == ["钱七"]
    assert await names(year=2026, level="INTERMEDIATE") == ["李四"]
    assert await names(year=2026, level="ASSOCIATE_SENIOR", titleCode="ENGINEERING.SENIOR_ENGINEER") == \
        sorted(["王五", "张三", "赵六"])
    assert await names(workUnitName="甲建筑") == sorted(["李四", "赵六"])
    assert await names(workUnitName="钢铁", year=2026) == ["王五"]
    assert await names(workUnitName="%") == []  # LIKE wildcards are literal
    # Not the base unit's: its own report queue is empty.
    assert (await report_queue(world, world.base))["totalCount"] == 0


async def test_report_moves_to_superior_review(world):
    d = await world.ready_to_report()
    queued = await report_queue(world, world.base)
    assert [e["node"]["declaration"]["id"] for e in queued["edges"]] == [d["id"]]
    payload = await world.report(world.base, [d["id"]])
    assert payload["errors"] == [] and payload["reportedCount"] == 1
    assert payload["reported"][0]["status"] == "PENDING_REVIEW"
    assert payload["reported"][0]["currentUnit"]["id"] == world.dept["id"]
    assert (await report_queue(world, world.base))["totalCount"] == 0
    review = (await world.api(REVIEW_QUEUE, {}, world.dept["token"]))["reviewQueue"]
    assert [e["node"]["declaration"]["id"] for e in review["edges"]] == [d["id"]]
    # The base unit's approved list shows when it was reported.
    approved = (await world.api(REVIEW_QUEUE, {"filter": {"state": "APPROVED"}}, world.base["token"]))
    assert approved["reviewQueue"]["edges"][0]["node"]["reportedAt"] is not None
    # Reporting again: no longer this unit's to send.
    again = await world.report(world.base, [d["id"]])
    assert codes(again) == ["INVALID_STATE"] and again["errors"][0]["declarationId"] == d["id"]


async def test_report_without_path_names_series_and_level(world, count_rows):
    d = await world.ready_to_report(level="INTERMEDIATE", titleCode="ENGINEERING.ENGINEER", currentTitle="助理工程师")
    events = await count_rows("declaration_event")
    payload = await world.report(world.base, [d["id"]])
    assert payload["reportedCount"] == 0 and codes(payload) == ["NO_REPORTING_PATH"]
    assert "工程技术人员中级" in payload["errors"][0]["message"]
    assert await count_rows("declaration_event") == events
    assert (await report_queue(world, world.base))["totalCount"] == 1  # still waiting here


async def test_mixed_batch_partially_succeeds(world):
    ok = await world.ready_to_report()
    no_path = await world.ready_to_report(level="INTERMEDIATE", titleCode="ENGINEERING.ENGINEER", currentTitle="助理工程师")
    pending = await world.confirmed()
    elsewhere = await world.permitted_unit("别的单位")
    foreign = await world.confirmed(workUnitId=elsewhere["id"])
    missing = encode_id("Declaration", 999999)
    payload = await world.report(world.base, [ok["id"], no_path["id"], pending["id"], foreign["id"], missing,
                                              "not-an-id", ok["id"]])
    assert [r["id"] for r in payload["reported"]] == [ok["id"]]
    got = sorted((e["declarationId"] or "", e["code"]) for e in payload["errors"])
    assert got == sorted([(no_path["id"], "NO_REPORTING_PATH"), (pending["id"], "INVALID_STATE"),
                          (foreign["id"], "NOT_FOUND"), (missing, "NOT_FOUND"), ("", "INVALID_ID")])
    status = await rows(world.engine, "SELECT status FROM declaration ORDER BY id")
    assert [r.status for r in status] == ["PENDING_REVIEW", "APPROVED", "PENDING_REVIEW", "PENDING_REVIEW"]


REPORT_COUNT = "mutation($ids: [ID!]!) { reportDeclarations(ids: $ids) { reportedCount errors { code } } }"
QUEUE_SHALLOW = """{ reportQueue(first: 50) { totalCount edges { node {
  applicant { name idNumber } workUnit { name } titleName declaration { status qualifications { titleName } } } } } }"""


async def test_report_queue_statement_count_is_constant(world, statement_counter):
    await seed_approved(world.engine, world.base["id"], [
        {"name": "甲", "work_unit": world.base["id"], "confirmed_at": T0}], tag="one")
    one, n1 = await count_statements(world.api, statement_counter, QUEUE_SHALLOW, world.base["token"])
    await seed_approved(world.engine, world.base["id"], [
        {"name": f"乙{i}", "work_unit": world.base["id"], "confirmed_at": T0} for i in range(19)], tag="more")
    twenty, n20 = await count_statements(world.api, statement_counter, QUEUE_SHALLOW, world.base["token"])
    assert one["reportQueue"]["totalCount"] == 1 and twenty["reportQueue"]["totalCount"] == 20
    assert n1 == n20 <= 4, (n1, n20)
    print(f"reportQueue: {n1} statements")


async def test_report_5000_in_one_call_with_constant_statements(world, statement_counter, count_rows):
    async def report_all(tag: str, n: int) -> int:
        await seed_approved(world.engine, world.base["id"], [
            {"name": f"申报人{i}", "work_unit": world.base["id"], "confirmed_at": T0 + timedelta(seconds=i)}
            for i in range(n)], tag=tag)
        await seed_publicity(world.engine, world.base["id"], ends_at=world.services.clock.now())
        found = await rows(world.engine, "SELECT declaration_id FROM review_step WHERE awaiting_report "
                                         "AND unit_id = (SELECT id FROM unit WHERE name = :n)", n=world.base["name"])
        ids = [encode_id("Declaration", r.declaration_id) for r in found]
        data, statements = await count_statements(world.api, statement_counter, REPORT_COUNT, world.base["token"],
                                                  {"ids": ids})
        assert data["reportDeclarations"] == {"reportedCount": n, "errors": []}
        return statements

    small = await report_all("small", 10)
    big = await report_all("big", 5000)
    assert small == big, (small, big)
    print(f"reportDeclarations: {small} statements for 10 and for 5000")
    assert await count_rows("declaration_event") == 5010
    queue = (await world.api("{ reviewQueue { totalCount } }", token=world.dept["token"]))["reviewQueue"]
    assert queue["totalCount"] == 5010
