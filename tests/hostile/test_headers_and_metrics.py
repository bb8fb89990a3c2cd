"""Issue item 12: /metrics is not public; every response carries security headers;
material downloads are sandboxed. Introspection stays open (see README, "HTTP edge")."""

from __future__ import annotations

import httpx
import pytest
from strawberry import relay

from tests.support.api import Api
from tests.support.declarations import World

METRICS_TOKEN = "metrics-secret-for-tests"


@pytest.fixture(scope="module")
def server(start_server):
    return start_server(env={"ZHICHENG_METRICS_TOKEN": METRICS_TOKEN})


def test_metrics_need_the_metrics_token(server, live_server):
    assert httpx.get(f"{live_server.url}/metrics").status_code == 404  # no token configured: no endpoint
    assert httpx.get(f"{server.url}/metrics").status_code == 401
    wrong = httpx.get(f"{server.url}/metrics", headers={"Authorization": "Bearer guess"})
    assert wrong.status_code == 401 and wrong.headers["www-authenticate"] == "Bearer"
    right = httpx.get(f"{server.url}/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
    assert right.status_code == 200 and "zhicheng_sql_statements_total" in right.text


def _assert_secure(response: httpx.Response) -> None:
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]


def test_every_response_carries_security_headers(server):
    with httpx.Client(base_url=server.url, timeout=10) as client:
        responses = [
            client.post("/graphql", json={"query": "{ regions { code } }"}),
            client.post("/graphql", content=b"{not json", headers={"Content-Type": "application/json"}),
            client.get("/graphql", params={"query": "mutation { logout { ok } }"}),
            client.get("/healthz"),
            client.get("/readyz"),
            client.get("/metrics"),
            client.get("/no/such/page"),
            client.get("/materials/1"),
        ]
        for response in responses:
            _assert_secure(response)
            assert response.headers["content-security-policy"].startswith("default-src 'none'")
        graphiql = client.get("/graphql", headers={"Accept": "text/html"})
    assert graphiql.status_code == 200 and "graphiql" in graphiql.text.lower()
    _assert_secure(graphiql)
    csp = graphiql.headers["content-security-policy"]
    # Everything the page loads is this server's (issue 12): no other host, no inline script.
    assert "script-src 'self';" in csp and "connect-src 'self'" in csp and "https:" not in csp


async def test_downloads_are_sandboxed(live_server, engine, services, clean_db):
    async with httpx.AsyncClient(base_url=live_server.url, timeout=20) as client:
        world = await World(Api(client), engine, services).setup()
        declaration = await world.create()
        material = await world.upload_ok(declaration["id"])
        row_id = relay.from_base64(material["id"])[1]
        response = await client.get(f"/materials/{row_id}", headers={"Authorization": f"Bearer {world.token}"})
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    _assert_secure(response)
    assert response.headers["content-security-policy"].endswith("; sandbox")
    assert response.headers["content-disposition"].startswith("attachment")


def test_introspection_is_open_to_everyone(live_server):
    # The schema is the integrators' documentation and is published (schema.graphql).
    response = live_server.graphql("{ __schema { queryType { name } } }")
    assert response.json()["data"] == {"__schema": {"queryType": {"name": "Query"}}}
