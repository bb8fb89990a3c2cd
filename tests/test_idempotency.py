"""Idempotency-Key on mutations: the same key and body replay the first answer and change
nothing; another body is 422; a retry while the first runs is 409; two identical retries at
once run the step once."""

from __future__ import annotations

import asyncio
import uuid

from tests.support import clients
from tests.support.api import PASSWORD

UNLOCK = "mutation($id: ID!) { unlockAccount(accountId: $id) { errors { code field } } }"
CREATE_CLIENT = """mutation($input: CreateApiClientInput!) {
  createApiClient(input: $input) { apiClient { clientId } clientSecret errors { code } } }"""
QUERY = "{ me { loginName } }"


def _input(name: str = "社保系统") -> dict:
    return {"input": {"name": name, "scopes": ["EVENTS_READ"], "regionCode": "370000"}}


async def _post(api, query: str, variables: dict, token: str | None, key: str | None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    if key is not None:
        headers["Idempotency-Key"] = key
    return await api.client.post("/graphql", json={"query": query, "variables": variables}, headers=headers)


async def test_a_retry_replays_the_first_answer_and_changes_nothing(api, province_admin, count_rows):
    key = str(uuid.uuid4())
    first = await _post(api, CREATE_CLIENT, _input(), province_admin, key)
    assert first.status_code == 200 and first.json()["data"]["createApiClient"]["errors"] == []
    retry = await _post(api, CREATE_CLIENT, _input(), province_admin, key)
    assert retry.status_code == 200
    assert retry.json() == first.json()  # the same client id and the same (once shown) secret
    assert retry.headers["idempotent-replayed"] == "true"
    assert await count_rows("api_client") == 1
    # Without the key the same request is a new one (and here refused: the name is taken).
    again = await _post(api, CREATE_CLIENT, _input(), province_admin, None)
    assert again.json()["data"]["createApiClient"]["errors"] == [{"code": "API_CLIENT_NAME_TAKEN"}]


async def test_the_same_key_with_another_body_is_refused(api, province_admin, count_rows):
    key = "order-42"
    assert (await _post(api, CREATE_CLIENT, _input("甲"), province_admin, key)).status_code == 200
    other = await _post(api, CREATE_CLIENT, _input("乙"), province_admin, key)
    assert other.status_code == 422
    assert other.json()["errors"][0]["extensions"]["code"] == "IDEMPOTENCY_KEY_REUSED"
    assert await count_rows("api_client") == 1


async def test_keys_are_per_caller_and_expire(api, province_admin, make_admin, clock, count_rows):
    key = "same-key"
    assert (await _post(api, CREATE_CLIENT, _input("甲"), province_admin, key)).status_code == 200
    second_admin = await make_admin()
    assert (await _post(api, CREATE_CLIENT, _input("乙"), second_admin, key)).status_code == 200
    assert await count_rows("api_client") == 2
    clock.advance(hours=24)
    fresh = await make_admin()
    assert (await _post(api, CREATE_CLIENT, _input("丙"), fresh, key)).status_code == 200


async def test_two_identical_retries_at_once_run_the_step_once(api, province_admin, count_rows):
    key = str(uuid.uuid4())
    answers = await asyncio.gather(*[_post(api, CREATE_CLIENT, _input(), province_admin, key) for _ in range(4)])
    statuses = sorted(a.status_code for a in answers)
    assert await count_rows("api_client") == 1
    assert set(statuses) <= {200, 409} and 200 in statuses
    for busy in (a for a in answers if a.status_code == 409):
        assert busy.json()["errors"][0]["extensions"]["code"] == "IDEMPOTENCY_KEY_IN_USE"
        assert busy.headers["retry-after"] == "1"
    replay = await _post(api, CREATE_CLIENT, _input(), province_admin, key)
    assert replay.json() == next(a for a in answers if a.status_code == 200).json()


async def test_queries_ignore_the_key_and_bad_keys_are_refused(api, province_admin):
    assert (await _post(api, QUERY, {}, province_admin, "k1")).status_code == 200
    assert (await _post(api, QUERY, {}, province_admin, "k1")).headers.get("idempotent-replayed") is None
    bad = await _post(api, CREATE_CLIENT, _input(), province_admin, "x" * 256)
    assert bad.status_code == 400


async def test_anonymous_and_client_callers(api, services, count_rows):
    register = """mutation($input: RegisterPersonInput!) { registerPerson(input: $input) { person { id } errors { code } } }"""
    variables = {"input": {"loginName": "idem1", "idNumber": api.next_id_number(), "name": "王五",
                           "mobile": "13800138000", "password": PASSWORD}}
    first = await _post(api, register, variables, None, "reg-1")
    retry = await _post(api, register, variables, None, "reg-1")
    assert retry.json() == first.json() and first.json()["data"]["registerPerson"]["errors"] == []
    assert await count_rows("person") == 1
    # A client's keys outlive its token: the retry with a new token replays.
    client = await clients.register(services)
    refused_twice = [await _post(api, UNLOCK, {"id": "x"}, await clients.token(api, client), "c-1") for _ in range(2)]
    assert refused_twice[1].json() == refused_twice[0].json()
    assert refused_twice[1].headers["idempotent-replayed"] == "true"
