"""The province admin's API clients through GraphQL: register (secret shown once), rotate,
disable, enable, delete, list; each audited; refusals typed."""

from __future__ import annotations

from sqlalchemy import text

from tests.support import clients

CLIENT_FIELDS = "id clientId name scopes region { code } allowedNetworks disabled deletedAt"
CREATE = f"""
mutation($input: CreateApiClientInput!) {{
  createApiClient(input: $input) {{ apiClient {{ {CLIENT_FIELDS} }} clientSecret errors {{ code field }} }}
}}"""
ROTATE = f"""
mutation($id: ID!, $h: Int!) {{
  rotateApiClientSecret(id: $id, overlapHours: $h) {{ apiClient {{ {CLIENT_FIELDS} }} clientSecret errors {{ code field }} }}
}}"""
DISABLE = "mutation($id: ID!) { disableApiClient(id: $id) { apiClient { disabled } errors { code field } } }"
ENABLE = "mutation($id: ID!) { enableApiClient(id: $id) { apiClient { disabled } errors { code field } } }"
DELETE = "mutation($id: ID!) { deleteApiClient(id: $id) { apiClient { deletedAt } errors { code field } } }"
LIST = "query($d: Boolean!) { apiClients(includeDeleted: $d) { totalCount nodes { clientId name } } }"
REVIEW = 'mutation { reviewDeclaration(id: "x", decision: APPROVE) { errors { code } } }'


def _input(**overrides) -> dict:
    return {"input": {"name": "省人事管理系统", "scopes": ["DECLARATIONS_READ", "EVENTS_READ"], "regionCode": "370000",
                      **overrides}}


async def _create(api, token: str, **overrides) -> dict:
    payload = (await api(CREATE, _input(**overrides), token))["createApiClient"]
    assert payload["errors"] == [], payload
    return payload


def _client(payload: dict) -> clients.Client:
    c = payload["apiClient"]
    return clients.Client(0, c["clientId"], payload["clientSecret"], c["region"]["code"])


async def test_register_then_get_a_token_with_the_secret_shown_once(api, province_admin, engine):
    payload = await _create(api, province_admin, allowedNetworks=["127.0.0.0/8"])
    assert payload["apiClient"]["scopes"] == ["DECLARATIONS_READ", "EVENTS_READ"]
    assert payload["apiClient"]["allowedNetworks"] == ["127.0.0.0/8"]
    response = await clients.grant(api, _client(payload))
    assert response.json()["scope"] == "declarations:read events:read"
    async with engine.connect() as conn:
        stored = (await conn.execute(text("SELECT secret_hash FROM api_client_secret"))).scalar_one()
        assert payload["clientSecret"].encode() not in stored
        actions = (await conn.execute(text("SELECT action, success FROM audit_entry WHERE action LIKE 'apiClient.%' "
                                           "ORDER BY id"))).all()
    assert [tuple(a) for a in actions] == [("apiClient.create", True), ("apiClient.token", True)]
    listed = (await api(LIST, {"d": False}, province_admin))["apiClients"]
    assert listed["totalCount"] == 1
    assert "clientSecret" not in str(listed) and payload["clientSecret"] not in str(listed)


async def test_refusals_are_typed_and_change_nothing(api, province_admin, count_rows):
    await _create(api, province_admin)
    cases = [
        (_input(), "API_CLIENT_NAME_TAKEN"),
        (_input(name="另一个", scopes=[]), "SCOPES_REQUIRED"),
        (_input(name="另一个", regionCode="110000"), "REGION_UNKNOWN"),
        (_input(name="另一个", allowedNetworks=["10.0.0.1/8"]), "NETWORK_FORMAT"),
        (_input(name=" "), "FIELD_REQUIRED"),
    ]
    for variables, code in cases:
        payload = (await api(CREATE, variables, province_admin))["createApiClient"]
        assert [e["code"] for e in payload["errors"]] == [code]
        assert payload["clientSecret"] is None
    assert await count_rows("api_client") == 1


async def test_only_the_province_admin_manages_clients(api, city_admin, province_admin):
    payload = (await api(CREATE, _input(), city_admin))["createApiClient"]
    assert [e["code"] for e in payload["errors"]] == ["NOT_PERMITTED"]
    errors = await api.errors(LIST, {"d": False}, city_admin)
    assert errors[0]["extensions"]["code"] == "FORBIDDEN"
    created = await _create(api, province_admin)
    node = await api('query($id: ID!) { node(id: $id) { id } }', {"id": created["apiClient"]["id"]}, city_admin)
    assert node["node"] is None


async def test_rotate_with_overlap_disable_enable_delete(api, province_admin, make_admin, clock):
    created = await _create(api, province_admin)
    gid, old = created["apiClient"]["id"], _client(created)
    too_long = (await api(ROTATE, {"id": gid, "h": 7 * 24 + 1}, province_admin))["rotateApiClientSecret"]
    assert [e["code"] for e in too_long["errors"]] == ["OVERLAP_TOO_LONG"]
    rotated = (await api(ROTATE, {"id": gid, "h": 2}, province_admin))["rotateApiClientSecret"]
    new = _client(rotated)
    assert (await clients.grant(api, old)).status_code == 200
    clock.advance(hours=2)
    assert (await clients.grant(api, old)).status_code == 401
    token = await clients.token(api, new)
    province_admin = await make_admin()  # the first one's login idled out meanwhile

    assert (await api(DISABLE, {"id": gid}, province_admin))["disableApiClient"]["apiClient"]["disabled"] is True
    assert (await api.raw(REVIEW, token=token)).json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert (await api(ENABLE, {"id": gid}, province_admin))["enableApiClient"]["apiClient"]["disabled"] is False
    assert (await api.raw(REVIEW, token=token)).json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"

    deleted = (await api(DELETE, {"id": gid}, province_admin))["deleteApiClient"]
    assert deleted["apiClient"]["deletedAt"] is not None
    assert (await api.raw(REVIEW, token=token)).json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert (await clients.grant(api, new)).status_code == 401
    again = (await api(DELETE, {"id": gid}, province_admin))["deleteApiClient"]
    assert [e["code"] for e in again["errors"]] == ["NOT_FOUND"]
    assert (await api(LIST, {"d": False}, province_admin))["apiClients"]["totalCount"] == 0
    assert (await api(LIST, {"d": True}, province_admin))["apiClients"]["totalCount"] == 1
    await _create(api, province_admin)  # the name is free again
