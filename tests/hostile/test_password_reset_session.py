"""Issue 12: a password an admin set is known to the admin. Until the owner changes it, a
login with it may change the password, log out and read `me` — nothing else, whatever the
query, over the network: the admin who reset a unit's or an applicant's password cannot
use it to read their declarations, queues, materials or full ID number, nor act as them.
A disabled admin's open session stops at once."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest

from core.clock import FakeClock
from tests.support.admin import change_password
from tests.support.declarations import make_admin
from tests.support.review import DECLARATION, REPORT_QUEUE, REVIEW, REVIEW_QUEUE, ReviewWorld

RESET = "mutation($id: ID!) { resetPassword(accountId: $id) { temporaryPassword errors { code } } }"
LOGIN = """mutation($l: String!, $p: String!) { login(login: $l, password: $p) {
  token me { mustChangePassword capabilities } errors { code } } }"""
ME = "{ me { mustChangePassword person { idNumber mobile birthDate } unit { id } } }"


@pytest.fixture
def clock() -> FakeClock:  # tokens made in-process are checked by the live server's real clock
    return FakeClock(datetime.now(UTC))


def login(live_server, login_name: str, password: str) -> dict:
    payload = live_server.graphql(LOGIN, {"l": login_name, "p": password}).json()["data"]["login"]
    assert payload["errors"] == [], payload
    return payload


def refused_or_empty(body: dict) -> bool:
    """Nothing served: refused with PASSWORD_CHANGE_REQUIRED, or a null answer (node lookups
    answer as for nobody)."""
    codes = [e.get("extensions", {}).get("code") for e in body.get("errors") or []]
    data = body.get("data") or {}
    values = [v for value in data.values() for v in (value if isinstance(value, list) else [value])]
    return (codes and set(codes) == {"PASSWORD_CHANGE_REQUIRED"}) or (not codes and not any(values))


async def test_a_reset_password_reaches_nothing_until_changed(live_server, api, engine, services):
    world = await ReviewWorld(api, engine, services).setup()
    declared = await world.confirmed()
    material = (await api("query($id: ID!) { declaration(id: $id) { materials { id downloadUrl } } }",
                          {"id": declared["id"]}, declared["token"]))["declaration"]["materials"][0]
    unit = world.base
    person_id = (await api("{ me { person { id } } }", token=declared["token"]))["me"]["person"]["id"]
    applicant_login = (await api("{ me { loginName } }", token=declared["token"]))["me"]["loginName"]
    city_admin = await make_admin(api, services, "370100")

    unit_reset = live_server.graphql(RESET, {"id": unit["id"]}, city_admin).json()["data"]["resetPassword"]
    person_reset = live_server.graphql(RESET, {"id": person_id}, city_admin).json()["data"]["resetPassword"]
    assert unit_reset["errors"] == [] and person_reset["errors"] == []
    unit_session = login(live_server, unit["loginName"], unit_reset["temporaryPassword"])
    person_session = login(live_server, applicant_login, person_reset["temporaryPassword"])
    assert unit_session["me"] == {"mustChangePassword": True, "capabilities": []}

    # What the unit could do before: its queues, the declaration, a decision, the material.
    d = {"id": declared["id"]}
    attempts = [
        (REVIEW_QUEUE, {}), (REPORT_QUEUE, {}), (DECLARATION, d), ("{ myPermissionApplication { id } }", {}),
        ('{ units(search: "济南") { totalCount } }', {}), ("{ committees { totalCount } }", {}),
        ("query($id: ID!) { node(id: $id) { id } }", d), ("query($ids: [ID!]!) { nodes(ids: $ids) { id } }",
                                                          {"ids": [declared["id"], person_id]}),
        (REVIEW, {**d, "decision": "APPROVE"}), ("{ reportingPaths { totalCount } }", {}),
    ]
    for query, variables in attempts:
        body = live_server.graphql(query, variables, unit_session["token"]).json()
        assert refused_or_empty(body), (query, body)
    for query, variables in [("{ myDeclarations { totalCount } }", {}), (DECLARATION, d),
                             ("{ myIntegrityRecords { reason } }", {})]:
        body = live_server.graphql(query, variables, person_session["token"]).json()
        assert refused_or_empty(body), (query, body)
    # `me` shows the applicant as staff see them: the admin learns no full ID number.
    me = live_server.graphql(ME, token=person_session["token"]).json()["data"]["me"]
    assert me["mustChangePassword"] is True and "********" in me["person"]["idNumber"]
    assert me["person"]["birthDate"] is None and "****" in me["person"]["mobile"]
    download = httpx.get(f"{live_server.url}{material['downloadUrl']}",
                         headers={"Authorization": f"Bearer {person_session['token']}"}, timeout=10)
    assert download.status_code == 403
    # The decision was not taken.
    after = (await api(DECLARATION, d, city_admin))["declaration"]
    assert after["status"] == "PENDING_REVIEW" and after["reviews"] == []

    # The owner changes it: the same session now works.
    assert (await change_password(api, unit_session["token"], unit_reset["temporaryPassword"]))["ok"]
    body = live_server.graphql(REVIEW_QUEUE, {}, unit_session["token"]).json()
    assert "errors" not in body and body["data"]["reviewQueue"]["totalCount"] == 1


DISABLE = "mutation($id: ID!) { disableAdmin(adminId: $id) { errors { code } } }"


async def test_a_disabled_admins_open_session_stops_at_once(live_server, api, services):
    province = await make_admin(api, services, "370000")
    city = await make_admin(api, services, "370100")
    city_id = live_server.graphql("{ me { admin { id } } }", token=city).json()["data"]["me"]["admin"]["id"]
    assert "errors" not in live_server.graphql("{ auditLog(first: 1) { totalCount } }", token=city).json()
    assert live_server.graphql(DISABLE, {"id": city_id}, province).json()["data"]["disableAdmin"]["errors"] == []
    body = live_server.graphql("{ auditLog(first: 1) { totalCount } }", token=city).json()
    assert [e["extensions"]["code"] for e in body["errors"]] == ["UNAUTHENTICATED"]
