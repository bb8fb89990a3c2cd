"""Issue 12 (a server you can watch): a request id round-trips into the logs and the audit
log, and every log line is one JSON object.

The id is the client's `X-Request-ID` when it is a sane token, else one the server makes;
it comes back in the response header, is on every log line the request writes (the summary
line with operation, account id, duration and outcome among them) and in the audit row of
the mutation it ran."""

from __future__ import annotations

import json
import re
import time
import uuid
from datetime import UTC, datetime

import httpx
import pytest
from sqlalchemy import text

from core.clock import FakeClock
from schema.ids import encode_id
from tests.support.api import create_admin_token

UNLOCK = "mutation UnlockCityOffice($id: ID!) { unlockAccount(accountId: $id) { ok errors { code } } }"
AUDIT = """query LatestUnlock { auditLog(action: "account.unlock", first: 1) {
  edges { node { requestId action success } } } }"""


@pytest.fixture
def clock() -> FakeClock:
    # Sessions made in-process are checked by the live server against its real clock.
    return FakeClock(datetime.now(UTC))


def log_lines(server) -> list[dict]:
    """The server's JSON log lines (the few print()s to stdout, like the GraphiQL URL, are not logs)."""
    time.sleep(0.3)  # the server writes its log asynchronously to our reading
    return [json.loads(line) for line in server.log_text().splitlines() if line.startswith("{")]


def post(server, query: str, variables: dict | None = None, token: str | None = None,
         request_id: str | None = None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    if request_id is not None:
        headers["X-Request-ID"] = request_id
    return httpx.post(f"{server.url}/graphql", json={"query": query, "variables": variables or {}},
                      headers=headers, timeout=10)


async def test_a_request_id_round_trips_into_the_logs_and_the_audit_log(live_server, api, services, engine):
    province = await create_admin_token(api, services, "370000")
    await create_admin_token(api, services, "370100")
    async with engine.connect() as conn:
        province_account, city_account = [(await conn.execute(text(
            "SELECT account_id FROM admin WHERE region_code = :code ORDER BY id DESC LIMIT 1"), {"code": code}))
            .scalar_one() for code in ("370000", "370100")]
    request_id = f"lb-{uuid.uuid4().hex}"

    response = post(live_server, UNLOCK, {"id": encode_id("Account", city_account)}, province, request_id)
    assert response.json()["data"]["unlockAccount"] == {"ok": True, "errors": []}, response.text
    assert response.headers["x-request-id"] == request_id

    audit = post(live_server, AUDIT, token=province).json()["data"]["auditLog"]["edges"][0]["node"]
    assert audit == {"requestId": request_id, "action": "account.unlock", "success": True}

    lines = [line for line in log_lines(live_server) if line.get("request_id") == request_id]
    summary = [line for line in lines if line["logger"] == "zhicheng.request"]
    assert len(summary) == 1, lines
    assert summary[0] | {"duration_ms": 0, "time": "", "client": ""} == {
        "time": "", "level": "INFO", "logger": "zhicheng.request", "request_id": request_id,
        "message": "POST /graphql 200 ok UnlockCityOffice", "method": "POST", "path": "/graphql", "status": 200,
        "duration_ms": 0, "outcome": "ok", "client": "", "operation": "UnlockCityOffice",
        "account_id": province_account, "error_codes": []}
    assert summary[0]["duration_ms"] > 0


def test_an_insane_request_id_is_replaced(live_server):
    for sent in ("x" * 65, "two words", 'quote"d', "请求", "{\"level\":\"ERROR\"}", ""):
        response = httpx.post(f"{live_server.url}/graphql", json={"query": "{ regions { code } }"},
                              headers={"X-Request-ID": sent.encode("utf-8")}, timeout=10)
        assert re.fullmatch(r"[0-9a-f]{32}", response.headers["x-request-id"]), sent
    assert re.fullmatch(r"[0-9a-f]{32}", httpx.get(f"{live_server.url}/healthz").headers["x-request-id"])


def test_client_errors_are_info_lines_with_codes_and_no_traceback(live_server):
    request_id = uuid.uuid4().hex
    response = post(live_server, "query Queue { reviewQueue { totalCount } }", request_id=request_id)
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    lines = [line for line in log_lines(live_server) if line.get("request_id") == request_id]
    assert lines and all(line["level"] == "INFO" and "traceback" not in line for line in lines)
    (summary,) = [line for line in lines if line["logger"] == "zhicheng.request"]
    assert summary["outcome"] == "client_error" and summary["error_codes"] == ["UNAUTHENTICATED"]
    assert summary["operation"] == "Queue" and summary["account_id"] is None
