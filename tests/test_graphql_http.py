"""Issue 12: every refusal of /graphql is a GraphQL JSON error body GraphiQL can show (not
plain text, not a 500), with the status GraphQL over HTTP asks for, and in
`application/graphql-response+json` when the client prefers it.

Before: a body that was JSON but not an object was a 500; a wrong content type was 400 and
PUT a plain-text 405; a mutation over GET was 400; every answer was application/json, with
200 for a document that does not validate whatever the client accepted."""

from __future__ import annotations

import pytest

from app.graphql_view import prefers_graphql_response

GRJ = "application/graphql-response+json"
QUERY = "{ regions { code } }"


def _refused(response, status: int, code: str, media_type: str = "application/json") -> str:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(media_type)
    body = response.json()
    assert set(body) == {"errors"}
    [error] = body["errors"]
    assert error["extensions"]["code"] == code
    return error["message"]


async def test_unknown_operation_name_is_400_naming_it(client):
    response = await client.post("/graphql", json={"query": "query A { regions { code } }", "operationName": "B"})
    assert "B" in _refused(response, 400, "BAD_REQUEST")


@pytest.mark.parametrize("body", [b"{not json", b'{"query": "{ regions { code } }"', b"\xff\xfe"])
async def test_malformed_json_is_400(client, body):
    response = await client.post("/graphql", content=body, headers={"Content-Type": "application/json"})
    assert "JSON" in _refused(response, 400, "BAD_REQUEST")


@pytest.mark.parametrize("body", [b'"query"', b"5", b"null", b"true"])
async def test_json_that_is_not_an_object_is_400(client, body):
    response = await client.post("/graphql", content=body, headers={"Content-Type": "application/json"})
    assert "JSON 对象" in _refused(response, 400, "BAD_REQUEST")


@pytest.mark.parametrize("content_type", ["text/plain", "application/graphql", "application/x-www-form-urlencoded",
                                          None])
async def test_wrong_content_type_is_415(client, content_type):
    headers = {"Content-Type": content_type} if content_type else {}
    response = await client.post("/graphql", content=b'{"query": "{ regions { code } }"}', headers=headers)
    assert "application/json" in _refused(response, 415, "UNSUPPORTED_MEDIA_TYPE")


async def test_json_with_a_charset_is_read(client):
    response = await client.post("/graphql", content=b'{"query": "{ regions { code } }"}',
                                 headers={"Content-Type": "application/json; charset=utf-8"})
    assert response.status_code == 200 and response.json()["data"]["regions"]


async def test_too_large_is_413(client, services):
    body = b'{"query": "' + b" " * services.settings.max_json_body + b'"}'
    response = await client.post("/graphql", content=body, headers={"Content-Type": "application/json"})
    _refused(response, 413, "PAYLOAD_TOO_LARGE")
    response = await client.post("/graphql", content=body, headers={"Content-Type": "application/json",
                                                                     "Accept": GRJ})
    _refused(response, 413, "PAYLOAD_TOO_LARGE", GRJ)


async def test_mutation_over_get_is_405(client):
    response = await client.get("/graphql", params={"query": "mutation { logout { ok } }"})
    assert "POST" in _refused(response, 405, "METHOD_NOT_ALLOWED")
    assert response.headers["allow"] == "POST"


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH", "OPTIONS"])
async def test_other_methods_are_405(client, method):
    response = await client.request(method, "/graphql", json={"query": QUERY})
    _refused(response, 405, "METHOD_NOT_ALLOWED")
    assert response.headers["allow"] == "GET, POST"


async def test_no_query_is_400(client):
    assert "query" in _refused(await client.post("/graphql", json={"variables": {}}), 400, "BAD_REQUEST")
    assert "query" in _refused(await client.get("/graphql", headers={"Accept": "application/json"}), 400,
                               "BAD_REQUEST")


# --- application/graphql-response+json ------------------------------------------------------


async def test_a_result_is_200_in_the_media_type_asked_for(client):
    response = await client.post("/graphql", json={"query": QUERY}, headers={"Accept": GRJ})
    assert response.status_code == 200
    assert response.headers["content-type"] == f"{GRJ}; charset=utf-8"
    assert response.json()["data"]["regions"]


@pytest.mark.parametrize("query", ["{ nope }", "{ regions { code }", "{ regions { code } } fragment F on Query { x }"])
async def test_a_request_error_is_400_without_data(client, query):
    response = await client.post("/graphql", json={"query": query}, headers={"Accept": GRJ})
    assert response.status_code == 400 and response.headers["content-type"].startswith(GRJ)
    body = response.json()
    assert "data" not in body and body["errors"]


async def test_a_field_error_is_200_with_data(client):
    # Not logged in: the field fails during execution; data is there (null).
    response = await client.post("/graphql", json={"query": "{ reviewQueue { totalCount } }"}, headers={"Accept": GRJ})
    assert response.status_code == 200 and response.headers["content-type"].startswith(GRJ)
    body = response.json()
    assert body["data"] is None and body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_refusals_come_in_the_media_type_asked_for(client):
    response = await client.post("/graphql", content=b"{not json", headers={"Content-Type": "application/json",
                                                                           "Accept": GRJ})
    _refused(response, 400, "BAD_REQUEST", GRJ)
    response = await client.get("/graphql", params={"query": "mutation { logout { ok } }"}, headers={"Accept": GRJ})
    _refused(response, 405, "METHOD_NOT_ALLOWED", GRJ)


@pytest.mark.parametrize("accept", [None, "application/json", "*/*",
                                    f"application/json, {GRJ};q=0.5", f"{GRJ};q=0, application/json"])
async def test_application_json_clients_keep_200_for_graphql_errors(client, accept):
    headers = {"Accept": accept} if accept else {}
    response = await client.post("/graphql", json={"query": "{ nope }"}, headers=headers)
    assert response.status_code == 200 and response.headers["content-type"] == "application/json"
    assert response.json()["data"] is None


@pytest.mark.parametrize(("accept", "expected"), [
    (GRJ, True), (f"{GRJ}, application/json", True), (f"application/json;q=0.9, {GRJ}", True),
    (f"{GRJ};q=0.9, application/json", False), (f"{GRJ};q=0", False), (f"{GRJ};q=x", False),
    ("application/json", False), ("*/*", False), ("", False), (f" {GRJ.upper()} ; charset=utf-8", True),
])
def test_which_clients_prefer_graphql_response(accept, expected):
    assert prefers_graphql_response(accept) is expected
