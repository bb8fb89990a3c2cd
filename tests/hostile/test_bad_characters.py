"""Issue item 5: NUL and lone surrogates in string arguments.

PostgreSQL text refuses NUL (asyncpg: CharacterNotInRepertoireError) and a lone surrogate
cannot be encoded to UTF-8 (UnicodeEncodeError): wherever such a string reached SQL the
client got a masked `服务器内部错误`. schema/limits.RefuseUnstorableText refuses them for
every argument, before any resolver runs, with a top-level BAD_USER_INPUT.

The bodies are written by hand: `\\u0000` and `\\ud800` are JSON escapes, which the server
decodes to a NUL and to a lone surrogate.
"""

from __future__ import annotations

import json
import uuid

import httpx
import pytest

from tests.support.api import Api
from tests.support.units import SAVE, details, table_snapshot

TABLES = ("account", "person", "unit", "permission_application", "permission_round", "auth_session",
          "audit_entry")
SEARCH = "query($s: String) { units(search: $s, includeUnpermitted: true) { totalCount } }"
REGISTER = """mutation($input: RegisterPersonInput!) {
  registerPerson(input: $input) { person { id } errors { code field message } } }"""
LOGIN = """mutation($login: String!, $password: String!) {
  login(login: $login, password: $password) { token errors { code field message } } }"""
BAD = {"NUL": "\u0000", "lone surrogate": "\ud800"}


@pytest.fixture
async def api(live_server, clean_db):
    async with httpx.AsyncClient(base_url=live_server.url, timeout=20) as client:
        yield Api(client)


async def post_raw(api: Api, query: str, variables: dict, token: str | None = None) -> httpx.Response:
    """A JSON body with every non-ASCII character escaped, lone surrogates included (httpx's
    own encoder would refuse them)."""
    body = json.dumps({"query": query, "variables": variables}, ensure_ascii=True)
    headers = {"Content-Type": "application/json", **({"Authorization": f"Bearer {token}"} if token else {})}
    return await api.client.post("/graphql", content=body.encode("ascii"), headers=headers)


def assert_bad_input(response: httpx.Response) -> None:
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["data"] is None, body
    [error] = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT", error
    assert "不允许的字符" in error["message"]


def unique_login(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:10]}"


@pytest.mark.parametrize("bad", BAD.values(), ids=BAD.keys())
async def test_bad_characters_in_any_string_argument_are_refused_and_change_nothing(api, engine, bad):
    person = await api.register_person(loginName=unique_login("p"))
    person_token = await api.login(person["loginName"])
    unit = await api.register_unit(loginName=unique_login("u"))
    unit_token = await api.login(unit["loginName"])
    before = await table_snapshot(engine, *TABLES)

    requests = [
        # a search term (units search runs LIKE / trigram queries with it)
        (SEARCH, {"s": f"济南{bad}"}, person_token),
        # a registration: every field of the input
        (REGISTER, {"input": {"loginName": unique_login("x"), "idNumber": api.next_id_number(),
                              "name": f"张{bad}三", "mobile": "13800138000", "password": "Secret-Pass1"}}, None),
        (REGISTER, {"input": {"loginName": f"x{bad}" + uuid.uuid4().hex[:8], "idNumber": api.next_id_number(),
                              "name": "张三", "mobile": "13800138000", "password": "Secret-Pass1"}}, None),
        # a reason: the unit's request for manual review, which is stored as written
        (SAVE, {"input": details(manualReviewRequested=True, manualReviewReason=f"无统一社会信用代码{bad}")},
         unit_token),
        # a login name and a password
        (LOGIN, {"login": f"{person['loginName']}{bad}", "password": "Secret-Pass1"}, None),
        (LOGIN, {"login": person["loginName"], "password": f"Secret-Pass1{bad}"}, None),
    ]
    for query, variables, token in requests:
        assert_bad_input(await post_raw(api, query, variables, token))

    assert await table_snapshot(engine, *TABLES) == before


async def test_nul_in_a_string_literal_of_the_document_is_refused(api):
    person = await api.register_person(loginName=unique_login("p"))
    token = await api.login(person["loginName"])
    # A GraphQL escape: the lexer decodes it to NUL (a raw NUL in a literal is accepted too).
    for literal in ("\\u0000", "\\u{0}", "\u0000"):
        query = '{ units(search: "济南%s", includeUnpermitted: true) { totalCount } }' % literal
        assert_bad_input(await post_raw(api, query, {}, token))
    # the same search without it answers
    ok = await post_raw(api, '{ units(search: "济南", includeUnpermitted: true) { totalCount } }', {}, token)
    assert "errors" not in ok.json(), ok.json()
