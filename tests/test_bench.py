"""bench.run's pure parts (percentiles, ratios, requests, response checks) and the raw
baseline's JSON against the GraphQL reviewQueue data for the same pages."""

from __future__ import annotations

import math

import asyncpg
import httpx
import orjson
import pytest

from bench import explain, run
from bench.baseline import create_app, decode_cursor, encode_cursor, global_id
from core import db
from resolvers.paging import encode_cursor as api_cursor
from schema.ids import decode_id, encode_id
from tests.support.api import PASSWORD
from tests.support.review import ReviewWorld

# --- pure parts --------------------------------------------------------------------------


def test_percentile_is_nearest_rank_like_httpload():
    values = [float(v) for v in range(1, 101)]
    assert run.percentile(values, 50) == 51.0
    assert run.percentile(values, 99) == 100.0
    assert run.percentile(reversed(values), 0) == 1.0
    assert run.percentile([7.0], 99) == 7.0
    assert math.isnan(run.percentile([], 50))


def test_ratio_guards_zero_and_nan():
    assert run.ratio(5, 50) == 0.1
    assert math.isnan(run.ratio(5, 0))
    assert math.isnan(run.ratio(float("nan"), 1))


def test_gql_request_is_a_complete_http_post():
    raw = run.gql_request(8123, run.LOGIN, {"login": "张三", "password": "x"}, token="tok")
    head, body = raw.split(b"\r\n\r\n", 1)
    lines = head.decode().split("\r\n")
    assert lines[0] == "POST /graphql HTTP/1.1"
    assert "Authorization: Bearer tok" in lines
    assert f"Content-Length: {len(body)}" in lines  # bytes, not characters
    assert orjson.loads(body) == {"query": run.LOGIN, "variables": {"login": "张三", "password": "x"}}
    assert b"Authorization" not in run.gql_request(8123, run.LOGIN, {})


@pytest.mark.parametrize(("body", "errors"), [
    (b'{"data":{"reviewQueue":{"edges":[]}}}', 0),
    (b'{"data":null,"errors":[{"message":"x"}]}', 1),
    (b'{"data":{"login":{"token":null,"errors":[{"code":"INVALID_CREDENTIALS"}]}}}', 1),
    (b'{"data":{"confirmDeclaration":{"declaration":{"id":"1"},"errors":[]}}}', 0),
    (b'{"data":null}', 1),
    (b"Internal Server Error", 1),
])
def test_response_errors(body, errors):
    assert len(run.response_errors(body)) == errors
    assert run.full_check(200, body) is (errors == 0)


def test_metric_value_reads_prometheus_text():
    exposition = ("# HELP zhicheng_sql_statements_total SQL statements sent to PostgreSQL\n"
                  "# TYPE zhicheng_sql_statements_total counter\n"
                  "zhicheng_sql_statements_total 1234.0\n"
                  'zhicheng_graphql_errors_total{code="FORBIDDEN"} 2.0\n')
    assert run.metric_value(exposition, "zhicheng_sql_statements_total") == 1234.0
    assert run.metric_value(exposition, "zhicheng_sql_statements") is None


def test_fast_check():
    assert run.fast_check(200, b'{"data":{"units":{"edges":[]}}}')
    assert not run.fast_check(200, b'{"data":null,"errors":[{"message":"x"}]}')
    assert not run.fast_check(500, b"{}")


def test_middle_fragment():
    assert run.middle_fragment("济南华泰机械制造有限公司", 2) == "械制"
    assert run.middle_fragment("济南华泰机械制造有限公司", 4) == "机械制造"
    assert run.middle_fragment("山东", 2) is None  # never the whole name or its first character


def test_ids_and_cursors_match_the_api():
    assert global_id("Declaration", 42) == encode_id("Declaration", 42)
    assert encode_cursor(1234) == api_cursor((1234,))
    assert decode_cursor(encode_cursor(99)) == 99


def test_results_table_ratios_only_for_hot_reads():
    base = run.OpResult("raw baseline", 100, 1000.0, 10.0, 20.0, 0, cpu_ms=1.0)
    rows = [base, run.OpResult("reviewQueue page of 50", 10, 100.0, 40.0, 80.0, 0, cpu_ms=9.0, sql=4.0),
            run.OpResult("login", 5, 2.0, 500.0, 900.0, 1)]
    table = run.results_table(rows, base).splitlines()
    assert "| 10.0 % | 4.0 × |" in table[3]
    assert table[4].endswith("| – | – |") and table[2].endswith("| – | – |")


# --- the baseline answers exactly what GraphQL answers ---------------------------------------


@pytest.fixture
async def world(api, engine, services):
    return await ReviewWorld(api, engine, services).setup()


async def test_baseline_json_equals_graphql_review_queue(world, database_url):
    approved = await world.confirmed()
    assert (await world.review(world.base, approved["id"]))["errors"] == []
    rejected = await world.confirmed()
    assert (await world.review(world.base, rejected["id"], "REJECT", "材料不全"))["errors"] == []
    await world.confirmed()
    await world.confirmed()  # two pending: a second page
    unit_id = decode_id(world.base["id"], "Unit", "id")

    app = create_app(db.plain_url(database_url), pool_size=2)
    pool = await asyncpg.create_pool(db.plain_url(database_url), min_size=1, max_size=2)
    app.state.pools["pool"] = pool  # httpx's ASGITransport does not run the lifespan
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://raw") as raw:
            checked = 0
            for state in ("PENDING", "APPROVED", "REJECTED"):
                after = None
                while True:
                    variables = {"filter": {"state": state, "year": 2026}, "first": 1, "after": after}
                    expected = await world.api(run.REVIEW_QUEUE, variables, world.base["token"])
                    got = (await raw.post("/review-queue", json={**variables, "unit": unit_id})).json()
                    assert got == expected, run.first_difference(expected, got)
                    checked += 1
                    page = expected["reviewQueue"]
                    assert page["edges"], state
                    if not page["pageInfo"]["hasNextPage"]:
                        break
                    after = page["pageInfo"]["endCursor"]
            assert checked == 4
            node = expected["reviewQueue"]["edges"][0]["node"]
            assert node["review"]["reason"] == "材料不全" and node["declaration"]["qualifications"]
            bad = await raw.post("/review-queue", json={"unit": unit_id, "after": "not-a-cursor"})
            assert bad.status_code == 400
    finally:
        await pool.close()


# --- bench.explain -------------------------------------------------------------------------

def test_scans_of_walks_the_whole_plan():
    plan = {"Node Type": "Nested Loop", "Plans": [
        {"Node Type": "Index Scan", "Relation Name": "review_step"},
        {"Node Type": "Hash", "Plans": [{"Node Type": "Seq Scan", "Relation Name": "declaration"}]},
    ]}
    assert explain.scans_of(plan) == [("Index Scan", "review_step"), ("Seq Scan", "declaration")]
    small = {"Node Type": "Seq Scan", "Relation Name": "title_catalog"}  # not a big table
    explained = explain.Explained("q")
    explained.add_plan(plan, 2)
    explained.add_plan(small, 3)
    assert explained.seq_scans == ["declaration (statement 2)"]
    assert explained.scans == {"Index Scan on review_step", "Seq Scan on declaration"}
    assert "declaration (statement 2)" in explain.report_lines([explained])[2]


async def test_explain_records_every_statement_of_a_request_and_reports_seq_scans(world, database_url):
    await world.confirmed()
    variables = {"filter": {"state": "PENDING"}, "first": 50}
    login = world.base["loginName"]
    [result] = await explain.explain_requests(database_url, [("reviewQueue", run.REVIEW_QUEUE, variables, login)],
                                              PASSWORD)
    # The token lookup; the page with its count and its declarations' qualifications.
    assert result.statements == 2
    assert {"review_step", "declaration", "person", "unit"} <= {s.split(" on ")[1] for s in result.scans}
    assert explain.report_lines([result])[2].startswith("| reviewQueue | 2 | ")


def test_rss_growth_tells_a_plateau_from_a_leak():
    warm_up_then_flat = [60, 80, 95, 100, 100, 101, 100, 102, 101, 100, 101, 102]
    assert run.rss_growth(warm_up_then_flat) == (101, 102, True)
    leaking = [60 + 10 * i for i in range(12)]
    warmed, last, ok = run.rss_growth(leaking)
    assert (warmed, last, ok) == (110, 170, False)
    assert run.rss_growth([100] * 4)[2] is False  # too short to judge
