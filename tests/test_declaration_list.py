"""`declarations`: a region's declarations for the title office and the HR systems, paged by
(updatedAt, id); masked ID numbers unless an audited, scoped read; refusals at the top level."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from tests.support import clients
from tests.support.db import count_statements
from tests.support.review import ReviewWorld, end_publicity, rows

LIST = """query($f: DeclarationsFilter, $first: Int, $after: String, $unmask: Boolean! = false) {
  declarations(filter: $f, first: $first, after: $after, unmaskIdNumbers: $unmask) {
    totalCount pageInfo { hasNextPage endCursor }
    nodes { declarationId year status level titleName specialtyName personName idNumber workUnitName
            region { code } committeeName confirmedAt updatedAt } } }"""


@pytest.fixture
async def world(api, engine, services) -> ReviewWorld:
    return await ReviewWorld(api, engine, services).setup()


def codes(body: dict) -> list[str]:
    return [e["extensions"]["code"] for e in body.get("errors", [])]


async def _page(api, token: str, **variables) -> dict:
    return (await api(LIST, variables, token))["declarations"]


async def test_a_client_pages_its_region_by_update_and_follows_changes(api, services, world, clock):
    first = await world.confirmed()
    clock.advance(minutes=1)
    second = await world.confirmed()
    token = await clients.token(api, await clients.register(services, scopes=["declarations:read"], region="370100"))

    page = await _page(api, token, first=1)
    assert page["totalCount"] == 2 and page["pageInfo"]["hasNextPage"]
    node = page["nodes"][0]
    assert node["declarationId"] == first["id"]
    assert node["status"] == "PENDING_REVIEW" and node["region"]["code"] == "370100"
    assert "********" in node["idNumber"]
    rest = await _page(api, token, first=5, after=page["pageInfo"]["endCursor"])
    assert [n["declarationId"] for n in rest["nodes"]] == [second["id"]]
    assert not rest["pageInfo"]["hasNextPage"]

    # A step moves a declaration to the end of the order: a sync from its last updatedAt sees it.
    since = rest["nodes"][-1]["updatedAt"]
    clock.advance(minutes=1)
    assert (await world.review(world.base, first["id"]))["errors"] == []
    changed = await _page(api, token, f={"updatedSince": since})
    assert [(n["declarationId"], n["status"]) for n in changed["nodes"]] == [
        (second["id"], "PENDING_REVIEW"), (first["id"], "APPROVED")]
    only_new = await _page(api, token, f={"updatedSince": changed["nodes"][-1]["updatedAt"]})
    assert [n["declarationId"] for n in only_new["nodes"]] == [first["id"]]
    approved = await _page(api, token, f={"statuses": ["APPROVED"], "year": 2026})
    assert [n["declarationId"] for n in approved["nodes"]] == [first["id"]]
    assert (await _page(api, token, f={"year": 2025}))["totalCount"] == 0


async def test_regions_bound_what_a_client_and_an_admin_see(api, services, world, make_admin):
    await world.confirmed()
    qingdao = await clients.token(api, await clients.register(services, scopes=["declarations:read"],
                                                              region="370200"))
    province = await clients.token(api, await clients.register(services, scopes=["declarations:read"]))
    assert (await _page(api, qingdao))["totalCount"] == 0
    body = (await api.raw(LIST, {"f": {"regionCode": "370100"}}, qingdao)).json()
    assert codes(body) == ["FORBIDDEN"] and body["data"] is None
    assert (await _page(api, province))["totalCount"] == 1
    assert (await _page(api, province, f={"regionCode": "370100"}))["totalCount"] == 1
    assert (await _page(api, province, f={"regionCode": "370200"}))["totalCount"] == 0
    assert (await _page(api, await make_admin("370100")))["totalCount"] == 1
    assert (await _page(api, await make_admin("370200")))["totalCount"] == 0
    assert codes((await api.raw(LIST, {"f": {"regionCode": "999999"}}, province)).json()) == ["FORBIDDEN"]


async def test_scopes_and_callers_refused(api, services, world, applicant, permitted_unit):
    events_only = await clients.token(api, await clients.register(services, scopes=["events:read"]))
    body = (await api.raw(LIST, {}, events_only)).json()
    assert codes(body) == ["FORBIDDEN"]
    assert body["errors"][0]["extensions"]["missingScopes"] == ["declarations:read"]
    reader = await clients.token(api, await clients.register(services, scopes=["declarations:read"]))
    body = (await api.raw(LIST, {"unmask": True}, reader)).json()
    assert body["errors"][0]["extensions"]["missingScopes"] == ["identity:read"]
    for token in (applicant["token"], permitted_unit["token"]):
        assert codes((await api.raw(LIST, {}, token)).json()) == ["FORBIDDEN"]
    assert codes((await api.raw(LIST, {})).json()) == ["UNAUTHENTICATED"]
    assert codes((await api.raw(LIST, {"f": {"committeeId": "garbage"}}, reader)).json()) == ["BAD_USER_INPUT"]


async def test_unmasked_reads_need_identity_read_and_are_audited(api, services, world, engine):
    declaration = await world.confirmed()
    client = await clients.register(services, scopes=["declarations:read", "identity:read"])
    token = await clients.token(api, client)
    masked = (await _page(api, token))["nodes"][0]["idNumber"]
    full = (await _page(api, token, unmask=True))["nodes"][0]["idNumber"]
    assert "*" in masked and "*" not in full and full[:6] == masked[:6] and full[-4:] == masked[-4:]
    admin_full = (await _page(api, world.admin, unmask=True))["nodes"][0]["idNumber"]
    assert admin_full == full
    found = await rows(engine, "SELECT account_kind, login_name, object_type, reason FROM audit_entry "
                               "WHERE action = 'identity.read' ORDER BY id")
    row_id = (await rows(engine, "SELECT id FROM declaration"))[0].id
    assert [tuple(r) for r in found] == [
        ("API_CLIENT", client.client_id, "Declaration", f"idNumber: {row_id}"),
        ("ADMIN", found[1].login_name, "Declaration", f"idNumber: {row_id}"),
    ]
    assert declaration["id"]  # the declaration read is the one confirmed


async def test_a_page_is_one_statement(api, services, world, statement_counter):
    for _ in range(3):
        await world.confirmed()
    token = await clients.token(api, await clients.register(services, scopes=["declarations:read"]))
    data, statements = await count_statements(api, statement_counter, LIST, token, {"first": 2})
    assert len(data["declarations"]["nodes"]) == 2
    assert statements == 1


async def test_every_step_of_the_route_keeps_updated_at_current(api, world, engine, clock):
    """updatedSince is only as good as updated_at: after each step of a whole route (confirm,
    review, 单位公示, report, review upstream, acceptance) it equals the last timeline event."""
    d = await world.confirmed()
    steps = [
        lambda: world.review(world.base, d["id"]),
        lambda: world.publicise(world.base, [d["id"]]),
        lambda: world.report(world.base, [d["id"]]),
        lambda: world.review(world.dept, d["id"]),
        lambda: world.report(world.dept, [d["id"]]),
        lambda: world.review(world.accepting, d["id"]),
    ]
    for step in steps:
        clock.advance(minutes=1)
        await end_publicity(engine, clock.now())  # a publicity started by the last step is over
        assert (await step())["errors"] == []
        behind = await rows(engine, """
            SELECT d.id FROM declaration d
            WHERE d.updated_at < (SELECT max(at) FROM declaration_event e WHERE e.declaration_id = d.id)""")
        assert behind == []
    async with engine.connect() as conn:
        status = (await conn.execute(text("SELECT status FROM declaration"))).scalar_one()
    assert status == "ACCEPTED"
