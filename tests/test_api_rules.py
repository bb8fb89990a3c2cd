"""The API's ground rules: limits, transport rules, error masking, health."""

from __future__ import annotations

import dataclasses

import httpx
import pytest
from strawberry import relay

from core import db
from server import create_app
from tests.support.api import Api

ME = "{ me { loginName } }"


async def test_too_deep_a_query_is_refused(api):
    # catalog → levels → titles → specialties is depth 4; nest fragments past 10 via node.
    deep = "{ catalog { levels { titles { specialties { code } } } } }"
    assert (await api(deep))["catalog"]
    # Depth through fragments must count as well (the bypass fixed in strawberry 0.315.7).
    fragments = "".join(
        f"fragment F{i} on Series {{ levels {{ titles {{ specialties {{ ...F{i + 1} }} }} }} }}\n"
        for i in range(4)
    )
    deep_query = "{ catalog { ...F0 } }\n" + fragments + "fragment F4 on Specialty { code }"
    errors = await api.errors(deep_query)
    assert "exceeds maximum operation depth" in errors[0]["message"]


async def test_too_many_aliases_are_refused(api):
    query = "{ " + " ".join(f"a{i}: regions {{ code }}" for i in range(16)) + " }"
    errors = await api.errors(query)
    assert "aliases" in errors[0]["message"].lower()
    ok = "{ " + " ".join(f"a{i}: regions {{ code }}" for i in range(15)) + " }"
    assert len(await api(ok)) == 15


async def test_too_many_tokens_are_refused(api):
    query = "{ regions { " + " ".join(["code"] * 2100) + " } }"
    errors = await api.errors(query)
    assert "token" in errors[0]["message"].lower()


async def test_request_body_is_capped(api):
    response = await api.client.post("/graphql", content=b'{"query": "' + b" " * (2 * 1024 * 1024) + b'"}',
                                     headers={"content-type": "application/json"})
    assert response.status_code == 413


async def test_get_runs_queries_but_never_mutations(api):
    response = await api.client.get("/graphql", params={"query": "{ regions { code } }"})
    assert response.status_code == 200 and len(response.json()["data"]["regions"]) == 17
    response = await api.client.get("/graphql", params={"query": "mutation { logout { ok } }"})
    # GraphQL over HTTP: 405 with Allow: POST (tests/test_graphql_http.py has every refusal).
    assert response.status_code == 405 and response.headers["allow"] == "POST"
    assert response.json()["errors"][0]["extensions"]["code"] == "METHOD_NOT_ALLOWED"


async def test_refused_requests_give_their_connection_back(api, engine, applicant):
    token = applicant["token"]
    response = await api.client.get("/graphql", params={"query": "mutation { logout { ok } }"},
                                    headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 405
    await api.raw("{ me { loginName", token=token)  # a syntax error: no operation runs
    assert engine.sync_engine.pool.checkedout() == 0


async def test_graphiql_is_served_to_browsers(api):
    response = await api.client.get("/graphql", headers={"accept": "text/html"})
    assert response.status_code == 200 and "graphiql" in response.text.lower()


async def test_multipart_without_preflight_header_is_refused(api):
    response = await api.client.post(
        "/graphql",
        data={"operations": '{"query": "{ me { loginName } }"}', "map": "{}"},
        files={"0": ("a.txt", b"hello", "text/plain")},
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "CSRF_HEADER_REQUIRED"


async def test_unexpected_errors_are_masked(api, monkeypatch, applicant):
    from resolvers import accounts

    async def broken(env):
        raise RuntimeError('relation "auth_session" does not exist: SELECT secret FROM ...')

    monkeypatch.setattr(accounts, "logout", broken)
    errors = await api.errors("mutation { logout { ok } }", token=applicant["token"])
    assert errors[0]["message"] == "服务器内部错误"
    assert "secret" not in str(errors) and "Traceback" not in str(errors)


async def test_syntax_errors_reach_the_client(api):
    errors = await api.errors("{ me { loginName ")
    assert "Syntax Error" in errors[0]["message"]


MALFORMED_IDS = [
    "", "not-base64!", "garbage",
    "Tm9wZToy", "UmVnaW9uOjE=",  # "Nope:2", "Region:1": no such node type
    "VW5pdDp4eXo=",  # "Unit:xyz"
    relay.to_base64("Unit", "١٢"),  # Arabic-Indic digits: isdigit() but not a row id
    relay.to_base64("Declaration", "12345678901234567890"),  # beyond bigint
    relay.to_base64("Declaration", "0"),
]


@pytest.mark.parametrize("raw", MALFORMED_IDS)
async def test_malformed_global_id_is_bad_user_input(api, make_admin, raw):
    token = await make_admin()
    errors = await api.errors("query($id: ID!) { node(id: $id) { id } }", {"id": raw}, token)
    assert errors[0]["extensions"]["code"] == "BAD_USER_INPUT"


@pytest.mark.parametrize("raw", ["", "garbage", relay.to_base64("Declaration", "١"),
                                 relay.to_base64("Declaration", "99999999999999999999"),
                                 relay.to_base64("Unit", "1")])  # the wrong type for the argument
async def test_malformed_declaration_id_is_bad_user_input(api, make_admin, raw):
    token = await make_admin()
    errors = await api.errors("query($id: ID!) { declaration(id: $id) { id } }", {"id": raw}, token)
    assert errors[0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert (await api("query($id: ID!) { declaration(id: $id) { id } }",
                      {"id": relay.to_base64("Declaration", "999")}, token))["declaration"] is None


@pytest.mark.parametrize("raw", ["VW5pdDo5OTk=", relay.to_base64("Material", "999"),
                                 relay.to_base64("Record", "999"), relay.to_base64("QueueItem", "999")])
async def test_unknown_node_is_null(api, make_admin, raw):
    token = await make_admin()
    assert (await api("query($id: ID!) { node(id: $id) { id } }", {"id": raw}, token))["node"] is None


async def test_health_and_readiness(api):
    assert (await api.client.get("/healthz")).json() == {"status": "ok"}
    ready = await api.client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["database"] is True


async def test_readiness_fails_when_the_database_is_gone(services):
    dead = db.create_engine("postgresql://postgres@127.0.0.1:1/nowhere", pool_size=1)
    app = create_app(services, dead)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        response = await client.get("/readyz")
    await dead.dispose()
    assert response.status_code == 503 and response.json()["database"] is False


@pytest.mark.parametrize("header", ["Bearer", "Basic abc", "Bearer    "])
async def test_odd_authorization_headers_mean_anonymous(api, header):
    response = await api.client.post("/graphql", json={"query": ME}, headers={"Authorization": header})
    assert response.json()["data"] == {"me": None}
    assert response.json()["extensions"]["cost"]["limit"] == 50_000  # charged as an anonymous address


async def test_metrics_count_sql_statements(services, engine, clean_db):
    def sql_total(body: str) -> float:
        line = next(row for row in body.splitlines() if row.startswith("zhicheng_sql_statements_total"))
        return float(line.split()[1])

    # /metrics answers only its own token (tests/hostile/test_headers_and_metrics.py).
    services = dataclasses.replace(services, settings=dataclasses.replace(services.settings, metrics_token="m"))
    app = create_app(services, engine)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        api = Api(client)
        metrics = {"Authorization": "Bearer m"}
        before = sql_total((await client.get("/metrics", headers=metrics)).text)
        await api.register_person()
        after = sql_total((await client.get("/metrics", headers=metrics)).text)
    assert after > before
