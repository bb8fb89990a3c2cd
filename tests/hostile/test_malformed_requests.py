"""Issue item 6 (the HTTP edge's part): malformed ids in download paths and JSON bodies the
standard library chokes on are the client's error (400), never a 500 or a masked error.

Before: `/materials/99999999999999999999` reached the query (asyncpg cannot send it as a
bigint: 500); variables nested 5,000 deep (RecursionError) and 5,000-digit integers
(ValueError: past Python's 4,300-digit limit) escaped strawberry's JSON parsing: 500."""

from __future__ import annotations

import httpx
import pytest

from tests.support.api import Api


@pytest.fixture
async def token(live_server, clean_db) -> str:
    async with httpx.AsyncClient(base_url=live_server.url, timeout=20) as client:
        api = Api(client)
        person = await api.register_person()
        return await api.login(person["loginName"])


@pytest.mark.parametrize("raw", ["99999999999999999999", "9223372036854775808", "0", "-1", "1e3", "abc",
                                 "１２"])
async def test_material_ids_that_cannot_exist_are_400(live_server, token, raw):
    async with httpx.AsyncClient(base_url=live_server.url, timeout=10) as client:
        response = await client.get(f"/materials/{raw}", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 400, response.text
        # The largest bigint is a well-formed id of nothing.
        biggest = await client.get("/materials/9223372036854775807", headers={"Authorization": f"Bearer {token}"})
        assert biggest.status_code == 404


BODIES = {
    "variables nested 5,000 deep": b'{"query": "{ regions { code } }", "variables": {"v": ' + b"[" * 5000 + b"]" * 5000
                                   + b"}}",
    "a 5,000-digit integer": b'{"query": "query($n: Int) { regions { code } }", "variables": {"n": ' + b"9" * 5000
                             + b"}}",
    "a batch nested 5,000 deep": b"[" * 5000 + b"]" * 5000,
}


@pytest.mark.parametrize("name", BODIES)
def test_json_the_parser_refuses_is_400(live_server, name):
    response = httpx.post(f"{live_server.url}/graphql", content=BODIES[name],
                          headers={"Content-Type": "application/json"}, timeout=10)
    assert response.status_code == 400, response.text
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
    # The same over GET, where variables come in the query string.
    response = httpx.get(f"{live_server.url}/graphql", params={"query": "{ regions { code } }",
                                                               "variables": '{"v": ' + "[" * 5000 + "]" * 5000 + "}"},
                         timeout=10)
    assert response.status_code == 400
