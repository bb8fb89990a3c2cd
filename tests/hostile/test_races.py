"""Issue item 7: concurrent requests that race for one unique name get the pre-check's typed
error, never a masked one.

Registration pre-checks the login name and ID number, hashes the password (~0.1 s, one
hash at a time per process) and inserts: every racer passes the pre-check, and the losers'
inserts hit the unique index. The login name's index was not mapped to LOGIN_NAME_TAKEN
(its insert came before the mapped flush), so losers saw `服务器内部错误`. Two admins
opening a new 申报年度 at once both found no row and both inserted: a primary-key violation.
"""

from __future__ import annotations

import asyncio
import uuid

import httpx
import pytest

from tests.support.api import REGISTER_PERSON, Api, create_admin_token
from tests.support.declarations import OPEN_YEAR

RACERS = 4


@pytest.fixture
async def api(live_server, clean_db):
    async with httpx.AsyncClient(base_url=live_server.url, timeout=60) as client:
        yield Api(client)


def person_input(api: Api, **overrides) -> dict:
    return {"loginName": f"race_{uuid.uuid4().hex[:10]}", "idNumber": api.next_id_number(birth="19770707"),
            "name": "王五", "mobile": "13800138000", "password": "Secret-Pass1", **overrides}


async def register_at_once(api: Api, inputs: list[dict]) -> list[dict]:
    responses = await asyncio.gather(*(api.raw(REGISTER_PERSON, {"input": i}) for i in inputs))
    bodies = [r.json() for r in responses]
    for body in bodies:
        assert "errors" not in body, body  # a masked error is a top-level one
    return [b["data"]["registerPerson"] for b in bodies]


def outcome(payloads: list[dict]) -> list[list[str]]:
    return sorted([e["code"] for e in p["errors"]] for p in payloads)


async def test_concurrent_registrations_with_one_login_name(api):
    login = f"race_{uuid.uuid4().hex[:10]}"
    payloads = await register_at_once(api, [person_input(api, loginName=login) for _ in range(RACERS)])
    assert outcome(payloads) == [[]] + [["LOGIN_NAME_TAKEN"]] * (RACERS - 1)


async def test_concurrent_registrations_with_one_id_number(api):
    id_number = api.next_id_number(birth="19800808")
    payloads = await register_at_once(api, [person_input(api, idNumber=id_number) for _ in range(RACERS)])
    assert outcome(payloads) == [[]] + [["ID_NUMBER_TAKEN"]] * (RACERS - 1)


async def test_concurrent_opening_of_a_new_year(api, services):
    admins = [await create_admin_token(api, services) for _ in range(2)]
    for year in (2091, 2092, 2093):
        responses = await asyncio.gather(*(api.raw(OPEN_YEAR, {"y": year}, admins[i % 2]) for i in range(RACERS)))
        for response in responses:
            body = response.json()
            assert "errors" not in body, body
            payload = body["data"]["openDeclarationYear"]
            assert payload["errors"] == [] and payload["declarationYear"] == {"year": year, "isOpen": True}, payload
