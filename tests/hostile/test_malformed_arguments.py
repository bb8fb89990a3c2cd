"""Issue item 6: cursors, ids and integer literals no client should send.

Forged cursors (a string where a timestamp is expected, a number past bigint, nested lists,
a naive timestamp …) reached SQL and came back masked; a global id of 5,000 digits made
int() raise, masked too; `first: 999…9` of 5,000 digits crashed graphql-core's Int parsing.
Each must be a top-level BAD_USER_INPUT for queries and a typed INVALID_ID in a mutation's
payload, on every connection and every id path.
"""

from __future__ import annotations

import asyncio
import base64
import json

import httpx
import pytest
from strawberry import relay

from tests.support.api import Api
from tests.support.declarations import CONFIRM, World

#: (name, the actor who may list it, the query, how many sort keys its cursor holds).
#: Every connection of the API.
CONNECTIONS = [
    ("units", "person", "units(includeUnpermitted: true, first: 5, after: $after)", 3),
    ("myDeclarations", "person", "myDeclarations(first: 5, after: $after)", 2),
    ("permissionApplications", "admin", "permissionApplications(first: 5, after: $after)", 2),
    ("committees", "admin", "committees(first: 5, after: $after)", 1),
    ("auditLog", "admin", "auditLog(first: 5, after: $after)", 1),
    ("reportingPaths", "unit", "reportingPaths(first: 5, after: $after)", 1),
    ("reviewQueue PENDING", "unit", "reviewQueue(first: 5, after: $after)", 1),
    ("reviewQueue APPROVED", "unit", "reviewQueue(filter: {state: APPROVED}, first: 5, after: $after)", 1),
] + [(f"reportQueue {sort}", "unit", f"reportQueue(sort: {sort}, direction: DESC, first: 5, after: $after)", 2)
     for sort in ("CONFIRMED_AT", "LEVEL", "TITLE", "APPLICANT_NAME", "WORK_UNIT_NAME")]

#: JSON values a cursor must not hold where the connection's own cursor holds an int, a
#: text or a timestamp.
BAD_FOR = {
    int: ['"1"', '{"dt": "2026-01-01T00:00:00+00:00"}', "[1, [2]]", str(2**63), str(-(2**63) - 1), "1.5", "true"],
    str: ["1", '{"dt": "2026-01-01T00:00:00+00:00"}', '["x", ["y"]]', "1.5", '"a\\u0000b"', json.dumps("长" * 3000)],
    dict: ['"2026-01-01T00:00:00+00:00"', '{"dt": "nonsense"}', '{"dt": 5}', '{"dt": "2026-01-01T00:00:00"}',
           '{"d": "2026-01-01"}', "1", "[1, [2]]"],
}


def b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode()


def forged_cursors(width: int, real: str | None) -> list[str]:
    """Cursors of the wrong shape, then the connection's own cursor with one value at a time
    replaced by one of the wrong type (with no rows to take a cursor from: ints, replaced
    by anything)."""
    cursors = ["%%%", "", "A" * 5000, b64("["), b64("{}"), b64("[" + ", ".join(["1"] * (width + 1)) + "]")]
    base = json.loads(base64.urlsafe_b64decode(real)) if real else [1] * width
    for position in range(width):
        kind = type(base[position])
        bad_values = BAD_FOR[kind] if real else [v for values in BAD_FOR.values() for v in values]
        for bad in bad_values:
            values = [json.dumps(v) for v in base]
            values[position] = bad
            cursors.append(b64("[" + ", ".join(values) + "]"))
    return cursors


#: Row ids as no client should spell them, inside well-formed base64.
BAD_ROW_IDS = ["9223372036854775808", "99999999999999999999", "1" * 5000, "²", "١٢", "-1", "0", "+1", " 1",
               "1 ", "0001", "1.0", "1e3", ""]


def bad_ids(type_name: str) -> list[str]:
    return [relay.to_base64(type_name, row_id) for row_id in BAD_ROW_IDS] + [
        "%%%", "RGVjbGFyYXRpb246", relay.to_base64(f"{type_name}\x00", "1"), relay.to_base64("A" * 5000, "1")]


@pytest.fixture
async def world(live_server, engine, services, clean_db):
    async with httpx.AsyncClient(base_url=live_server.url, timeout=30) as client:
        world = await World(Api(client), engine, services).setup()
        declaration = await world.complete()  # one record and one material: ready to confirm
        confirmed = (await world.api(CONFIRM, {"id": declaration["id"]}, world.token))["confirmDeclaration"]
        assert confirmed["errors"] == [], confirmed
        world.declaration_id = declaration["id"]
        yield world


def token_of(world: World, actor: str) -> str:
    return {"person": world.token, "admin": world.admin, "unit": world.unit_token}[actor]


async def run_all(api: Api, requests: list[tuple[str, dict, str]]) -> list[httpx.Response]:
    gate = asyncio.Semaphore(8)

    async def one(query: str, variables: dict, token: str) -> httpx.Response:
        async with gate:
            return await api.raw(query, variables, token)

    return await asyncio.gather(*(one(*r) for r in requests))


def top_level_codes(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text
    return [e.get("extensions", {}).get("code") for e in response.json().get("errors", [])]


async def test_forged_cursors_are_bad_input_on_every_connection(world):
    api = world.api
    for name, actor, field, width in CONNECTIONS:
        query = f"query($after: String) {{ page: {field} {{ totalCount pageInfo {{ endCursor }} }} }}"
        # the cursor the connection itself hands out still works
        first = await api(query, {"after": None}, token_of(world, actor))
        real = first["page"]["pageInfo"]["endCursor"]
        if real is not None:
            await api(query, {"after": real}, token_of(world, actor))
        cursors = forged_cursors(width, real)
        responses = await run_all(api, [(query, {"after": c}, token_of(world, actor)) for c in cursors])
        for cursor, response in zip(cursors, responses, strict=True):
            codes = top_level_codes(response)
            # ints on an int key where the connection has no rows may simply fit: a page
            allowed = ([], ["BAD_USER_INPUT"]) if real is None else (["BAD_USER_INPUT"],)
            assert codes in allowed, (name, base64.urlsafe_b64decode(cursor + "===")[:80], codes)


async def test_malformed_ids_are_bad_input_in_queries_and_invalid_id_in_mutations(world):
    api = world.api
    queries = [
        ("query($id: ID!) { node(id: $id) { id } }", lambda bad: {"id": bad}, world.token),
        ("query($ids: [ID!]!) { nodes(ids: $ids) { id } }", lambda bad: {"ids": [world.declaration_id, bad]},
         world.token),
        ("query($id: ID!) { declaration(id: $id) { id } }", lambda bad: {"id": bad}, world.token),
        ("query($u: ID) { auditLog(unitId: $u) { totalCount } }", lambda bad: {"u": bad}, world.admin),
    ]
    for query, variables, token in queries:
        for bad in bad_ids("Declaration") + bad_ids("Unit"):
            response = await api.raw(query, variables(bad), token)
            assert top_level_codes(response) == ["BAD_USER_INPUT"], (query, bad[:60], response.json())

    errors = "errors { code field }"
    mutations = [
        (f"mutation($id: ID!) {{ withdrawDeclaration(id: $id) {{ {errors} }} }}", "withdrawDeclaration",
         lambda bad: {"id": bad}, world.token, "Declaration"),
        (f"mutation($input: DeclarationInput!) {{ createDeclaration(input: $input) {{ {errors} }} }}",
         "createDeclaration", lambda bad: {"input": world.input(year=2026, workUnitId=bad)}, world.token, "Unit"),
        ("mutation($ids: [ID!]!) { reportDeclarations(ids: $ids) { errors { code declarationId } } }",
         "reportDeclarations", lambda bad: {"ids": [bad]}, world.unit_token, "Declaration"),
    ]
    for query, field, variables, token, type_name in mutations:
        for bad in bad_ids(type_name):
            response = await api.raw(query, variables(bad), token)
            body = response.json()
            assert "errors" not in body, (field, bad[:60], body)
            assert [e["code"] for e in body["data"][field]["errors"]] == ["INVALID_ID"], (field, bad[:60], body)


async def test_a_huge_integer_literal_is_bad_input(world):
    for digits in (20, 5000):
        query = "{ units(first: %s) { totalCount } }" % ("9" * digits)
        response = await world.api.raw(query, {}, world.token)
        body = response.json()
        assert body["data"] is None and len(body["errors"]) == 1, body
        if digits == 5000:
            assert top_level_codes(response) == ["BAD_USER_INPUT"]
        else:  # graphql-core's own validation: not an Int
            assert "Int cannot represent" in body["errors"][0]["message"]


async def test_a_sibling_still_resolving_when_another_field_fails_leaves_no_connection_behind(
        api, permitted_unit, engine):
    """One root field's argument fails its coercion (a null for a non-null argument) while
    its sibling is already reading: graphql-core settles the sibling in the background. It
    used to outlive the request's session, open another and leave its connection idle in a
    transaction (the tests' TRUNCATE then waited forever; a caller could hold the pool)."""
    from sqlalchemy import text

    query = ('query($all: Boolean) { reviewQueue(first: 1) { totalCount } '
             'units(search: "济南", includeUnpermitted: $all) { totalCount } }')
    for _ in range(3):
        body = (await api.raw(query, {"all": None}, token=permitted_unit["token"])).json()
        assert body["data"] is None and body["errors"][0]["path"] == ["units"]
    await asyncio.sleep(0.2)  # time for anything still running to show itself
    async with engine.connect() as connection:
        stuck = (await connection.execute(text(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND state LIKE 'idle in transaction%' AND pid <> pg_backend_pid()"))).scalar_one()
    assert stuck == 0
    assert engine.sync_engine.pool.checkedout() == 0
