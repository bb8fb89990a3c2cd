"""POST /oauth/token: the client-credentials grant (RFC 6749 §4.4), its refusals (§5.2), and
what a client's token is (and is not) good for."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from app.database import run_in_transaction
from resolvers import api_clients
from tests.support import clients
from tests.support.api import REGISTER_PERSON

ME = "{ me { loginName } }"
REVIEW = 'mutation { reviewDeclaration(id: "x", decision: APPROVE) { errors { code } } }'


def codes(body: dict) -> list[str]:
    return [e["extensions"]["code"] for e in body.get("errors", [])]


@pytest.mark.parametrize("method", ["basic", "post"])
async def test_both_client_authentications_grant_a_bearer_token(api, services, method):
    client = await clients.register(services, scopes=["declarations:read", "events:read"])
    response = await clients.grant(api, client, method=method)
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600
    assert body["scope"] == "declarations:read events:read"
    assert body["access_token"].startswith("zct_")


async def test_a_client_token_is_no_person_unit_or_admin(api, services):
    token = await clients.token(api, await clients.register(services))
    # A human mutation: FORBIDDEN (a bad token would be UNAUTHENTICATED), and `me` is nobody.
    assert codes((await api.raw(REVIEW, token=token)).json()) == ["FORBIDDEN"]
    assert codes((await api.raw(REVIEW, token="zct_" + "A" * 43)).json()) == ["UNAUTHENTICATED"]
    assert (await api(ME, token=token))["me"] is None
    register = {"input": {"loginName": "robot1", "idNumber": api.next_id_number(), "name": "张三",
                          "mobile": "13800138000", "password": "Secret-Pass1"}}
    assert codes((await api.raw(REGISTER_PERSON, register, token)).json()) == ["FORBIDDEN"]


async def test_a_wrong_secret_is_invalid_client_with_www_authenticate(api, services, count_rows):
    client = await clients.register(services)
    for method in ("basic", "post"):
        response = await clients.grant(api, client, secret="wrong", method=method)
        assert response.status_code == 401
        assert response.json()["error"] == "invalid_client"
        assert response.headers["www-authenticate"].startswith("Basic ")
        assert response.headers["cache-control"] == "no-store"
    unknown = clients.Client(0, "zc_nobody", client.secret, "370000")
    assert (await clients.grant(api, unknown)).json()["error"] == "invalid_client"
    assert await count_rows("api_client_token") == 0


async def test_grant_type_and_malformed_requests(api, services):
    client = await clients.register(services)
    response = await clients.grant(api, client, grant_type="password")
    assert (response.status_code, response.json()["error"]) == (400, "unsupported_grant_type")
    response = await clients.grant(api, client, grant_type="")
    assert (response.status_code, response.json()["error"]) == (400, "invalid_request")
    # Both authentication methods at once (§2.3: MUST NOT).
    both = await api.client.post("/oauth/token", headers={**clients.FORM,
                                 "Authorization": clients.basic(client.client_id, client.secret)},
                                 data={"grant_type": "client_credentials", "client_id": client.client_id,
                                       "client_secret": client.secret})
    assert both.json()["error"] == "invalid_request"
    as_json = await api.client.post("/oauth/token", json={"grant_type": "client_credentials"},
                                    headers={"Authorization": clients.basic(client.client_id, client.secret)})
    assert as_json.json()["error"] == "invalid_request"
    repeated = await api.client.post(
        "/oauth/token", content="grant_type=client_credentials&grant_type=client_credentials",
        headers={**clients.FORM, "Authorization": clients.basic(client.client_id, client.secret)})
    assert repeated.json()["error"] == "invalid_request"
    garbled = await api.client.post("/oauth/token", data={"grant_type": "client_credentials"},
                                    headers={**clients.FORM, "Authorization": "Basic !!!"})
    assert (garbled.status_code, garbled.json()["error"]) == (400, "invalid_request")
    assert (await api.client.get("/oauth/token")).status_code == 405


async def test_scopes_are_a_subset_of_the_clients(api, services):
    client = await clients.register(services, scopes=["declarations:read", "identity:read"])
    narrowed = await clients.grant(api, client, scope="declarations:read")
    assert narrowed.json()["scope"] == "declarations:read"
    for scope in ("webhooks:manage", "declarations:read events:read", "admin"):
        response = await clients.grant(api, client, scope=scope)
        assert (response.status_code, response.json()["error"]) == (400, "invalid_scope"), scope


async def test_a_disabled_client_gets_no_token_and_its_tokens_stop(api, services):
    client = await clients.register(services)
    token = await clients.token(api, client)
    await run_in_transaction(services, api_clients.set_disabled, api_client_id=client.row_id, disabled=True)
    response = await clients.grant(api, client)
    assert (response.status_code, response.json()["error"]) == (401, "invalid_client")
    assert codes((await api.raw(REVIEW, token=token)).json()) == ["UNAUTHENTICATED"]
    await run_in_transaction(services, api_clients.set_disabled, api_client_id=client.row_id, disabled=False)
    assert codes((await api.raw(REVIEW, token=token)).json()) == ["FORBIDDEN"]  # the same token again


async def test_a_rotated_secret_works_through_the_overlap_only(api, services, clock):
    client = await clients.register(services)
    rotated = await run_in_transaction(services, api_clients.rotate_secret, api_client_id=client.row_id,
                                       overlap_hours=24)
    assert (await clients.grant(api, client)).status_code == 200  # the old secret, in the overlap
    assert (await clients.grant(api, client, secret=rotated.client_secret)).status_code == 200
    clock.advance(hours=24)
    assert (await clients.grant(api, client)).json()["error"] == "invalid_client"
    assert (await clients.grant(api, client, secret=rotated.client_secret)).status_code == 200


async def test_tokens_expire_absolutely_never_by_idleness(api, services, clock):
    client = await clients.register(services)
    token = await clients.token(api, client)
    clock.advance(minutes=59)  # unused for 59 minutes: a login would have expired after 30
    assert codes((await api.raw(REVIEW, token=token)).json()) == ["FORBIDDEN"]
    clock.advance(minutes=1)
    assert codes((await api.raw(REVIEW, token=token)).json()) == ["UNAUTHENTICATED"]


async def test_source_addresses_outside_the_allow_list_are_refused(api, api_from, services):
    client = await clients.register(services, networks=["10.1.0.0/16"])
    inside, outside = api_from("10.1.2.3"), api_from("10.2.0.1")
    response = await clients.grant(outside, client)
    assert (response.status_code, response.json()["error"]) == (400, "unauthorized_client")
    token = await clients.token(inside, client)
    assert codes((await inside.raw(REVIEW, token=token)).json()) == ["FORBIDDEN"]
    # A token carried elsewhere is worth nothing there.
    assert codes((await outside.raw(REVIEW, token=token)).json()) == ["UNAUTHENTICATED"]


async def test_failed_client_authentication_is_throttled_per_address(api, api_from, services, applicant):
    client = await clients.register(services)
    attacker = api_from("10.9.9.9")
    for _ in range(10):  # ZHICHENG_LOGIN_ADDRESS_THRESHOLD: the tenth failure blocks
        assert (await clients.grant(attacker, client, secret="guess")).status_code == 401
    blocked = await clients.grant(attacker, client)  # even the right secret waits
    assert blocked.status_code == 429
    assert int(blocked.headers["retry-after"]) == 30
    assert (await clients.grant(api, client)).status_code == 200  # another address is not blocked
    # Nor are people: a client's failures never count against logins, even from that address.
    assert await attacker.login(applicant["loginName"])


async def test_every_grant_of_a_known_client_is_audited(api, services, engine):
    client = await clients.register(services)
    await clients.token(api, client)
    await clients.grant(api, client, secret="wrong")
    await clients.grant(api, client, scope="nope")
    async with engine.connect() as conn:
        rows = (await conn.execute(text(
            "SELECT account_kind, login_name, success, reason, client_address FROM audit_entry "
            "WHERE action = 'apiClient.token' ORDER BY id"))).all()
    assert [(r.account_kind, r.login_name, r.success, r.reason) for r in rows] == [
        ("API_CLIENT", client.client_id, True, " ".join(sorted(clients.ALL_SCOPES))),
        ("API_CLIENT", client.client_id, False, "invalid_client"),
        ("API_CLIENT", client.client_id, False, "invalid_scope"),
    ]
    assert rows[0].client_address == "127.0.0.1"
