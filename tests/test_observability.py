"""Issue 12 in-process: request ids, the request's log line, and what /metrics counts.

The same checks against a real server (log file, several workers) are in
tests/hostile/test_request_ids.py and tests/hostile/test_metrics.py."""

from __future__ import annotations

import dataclasses
import json
import logging
import re

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import text

from app.logs import JsonFormatter
from core import metrics
from core.request_context import request_id_from
from server import create_app
from tests.support.api import Api

HEX_ID = re.compile(r"[0-9a-f]{32}")
LOGIN = """mutation LogIn($login: String!, $password: String!) {
  login(login: $login, password: $password) { token errors { code } } }"""


def sample(exposition: str, name: str, **labels: str) -> float:
    """A sample's value from Prometheus text (0 when the series does not exist yet)."""
    for family in text_string_to_metric_families(exposition):
        for s in family.samples:
            if s.name == name and s.labels == labels:
                return s.value
    return 0.0


@pytest.fixture
async def metered(services, engine, clean_db):
    """A client of an app whose /metrics answers the token `m`, and a scrape function."""
    services = dataclasses.replace(services, settings=dataclasses.replace(services.settings, metrics_token="m"))
    app = create_app(services, engine)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        async def scrape() -> str:
            response = await client.get("/metrics", headers={"Authorization": "Bearer m"})
            assert response.status_code == 200
            return response.text

        yield Api(client), scrape


# --- request ids ---------------------------------------------------------------------------

@pytest.mark.parametrize(("sent", "kept"), [
    ("abc-123_X.y", True), ("a" * 64, True), ("a" * 65, False), ("", False), ("two words", False),
    ("请求", False), ('{"a":1}', False), (None, False),
])
def test_a_client_request_id_is_kept_only_when_sane(sent, kept):
    made = request_id_from(sent)
    assert made == sent if kept else HEX_ID.fullmatch(made)


async def test_every_response_carries_its_request_id(api):
    sent = await api.client.post("/graphql", json={"query": "{ regions { code } }"}, headers={"X-Request-ID": "r-1"})
    assert sent.headers["x-request-id"] == "r-1"
    made = [(await api.client.get("/healthz")).headers["x-request-id"] for _ in range(2)]
    assert all(HEX_ID.fullmatch(i) for i in made) and made[0] != made[1]
    refused = await api.client.post("/graphql", content=b"{not json", headers={"Content-Type": "application/json"})
    assert refused.status_code == 400 and HEX_ID.fullmatch(refused.headers["x-request-id"])


async def test_the_audit_row_carries_the_request_id(api, engine):
    person = await api.register_person()
    response = await api.client.post("/graphql", headers={"X-Request-ID": "audit-me-42"}, json={
        "query": LOGIN, "variables": {"login": person["loginName"], "password": "Wrong-Pass-1"}})
    assert response.json()["data"]["login"]["errors"] == [{"code": "INVALID_CREDENTIALS"}]
    async with engine.connect() as conn:
        row = (await conn.execute(text(
            "SELECT action, success, request_id FROM audit_entry ORDER BY id DESC LIMIT 1"))).one()
    assert tuple(row) == ("login", False, "audit-me-42")


async def test_one_summary_line_per_request_with_its_id_on_every_line(api, caplog):
    person = await api.register_person()
    token = await api.login(person["loginName"])
    caplog.clear()
    with caplog.at_level(logging.INFO):
        await api.client.post("/graphql", headers={"X-Request-ID": "sum-1", "Authorization": f"Bearer {token}"},
                              json={"query": "query Me { me { kind } reviewQueue { totalCount } }"})
    lines = [json.loads(JsonFormatter().format(r)) for r in caplog.records if r.name.startswith("zhicheng")]
    assert len(lines) == 2 and all(line["request_id"] == "sum-1" for line in lines)
    (summary,) = [line for line in lines if line["logger"] == "zhicheng.request"]
    account_id = summary["account_id"]
    assert isinstance(account_id, int) and account_id > 0
    assert summary["operation"] == "Me" and summary["outcome"] == "client_error"
    assert summary["error_codes"] == ["FORBIDDEN"] and summary["status"] == 200
    # The account by its id only: never its name, login or ID number.
    assert person["name"] not in json.dumps(lines, ensure_ascii=False)
    assert person["idNumberRaw"] not in json.dumps(lines, ensure_ascii=False)


# --- metrics -------------------------------------------------------------------------------

async def test_metrics_show_latency_per_operation(metered, engine):
    api, scrape = metered
    before = await scrape()
    await api.register_person()  # statements, pool checkouts and checkins
    for _ in range(3):
        await api("query ListRegions { regions { code } }")
    await api("{ regions { code } }")
    after = await scrape()
    count = "zhicheng_graphql_request_duration_seconds_count"
    assert sample(after, count, operation="ListRegions") - sample(before, count, operation="ListRegions") == 3
    # registerPerson's document and `{ regions … }` have no name
    assert sample(after, count, operation="anonymous") - sample(before, count, operation="anonymous") == 2
    total = "zhicheng_graphql_request_duration_seconds_sum"
    assert sample(after, total, operation="ListRegions") > sample(before, total, operation="ListRegions")
    assert sample(after, "zhicheng_sql_statements_total") > sample(before, "zhicheng_sql_statements_total")
    # Every connection the requests took went back (the gauge follows checkouts and checkins).
    assert sample(after, "zhicheng_db_pool_in_use") == engine.sync_engine.pool.checkedout()
    for gauge in ("zhicheng_db_pool_waiting", "zhicheng_requests_in_flight"):
        assert f"\n{gauge} 0.0" in after
    assert "process_cpu_seconds_total" in after and "process_resident_memory_bytes" in after


async def test_metrics_count_errors_by_code(metered):
    api, scrape = metered
    person = await api.register_person()
    before = await scrape()
    await api.client.post("/graphql", json={"query": "{ reviewQueue { totalCount } }"})  # top-level
    await api.client.post("/graphql", json={"query": "{ noSuchField }"})  # validation
    await api.client.post("/graphql", json={"query": LOGIN, "variables": {  # in the payload
        "login": person["loginName"], "password": "Wrong-Pass-1"}})
    after = await scrape()
    errors = "zhicheng_graphql_errors_total"
    for code in ("UNAUTHENTICATED", "GRAPHQL_VALIDATION_FAILED", "INVALID_CREDENTIALS"):
        assert sample(after, errors, code=code) - sample(before, errors, code=code) == 1, code


def test_operation_labels_are_bounded(monkeypatch):
    monkeypatch.setattr(metrics, "_seen_operations", set())
    monkeypatch.setattr(metrics, "MAX_OPERATION_NAMES", 2)
    assert metrics.operation_label(None) == metrics.operation_label("") == "anonymous"
    assert metrics.operation_label("x" * 65) == metrics.operation_label("名字") == "other"
    assert [metrics.operation_label(n) for n in ("A", "B", "C", "A")] == ["A", "B", "other", "A"]
