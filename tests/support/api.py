"""The GraphQL client every API test drives the app through, and the accounts it needs:
`Api` (run an operation, register people and units, log in) and `create_admin_token`."""

from __future__ import annotations

import itertools
import uuid
from typing import Any

import httpx

from rules.identity import resident_id_check_char, uscc_check_char

PASSWORD = "Secret-Pass1"


class Api:
    """A GraphQL client with the steps most tests need."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client
        self._seq = itertools.count(1)

    async def raw(self, query: str, variables: dict | None = None, token: str | None = None,
                  **kwargs: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return await self.client.post("/graphql", json={"query": query, "variables": variables or {}},
                                      headers=headers, **kwargs)

    async def __call__(self, query: str, variables: dict | None = None, token: str | None = None) -> dict:
        """Run an operation that must not fail at the GraphQL level; return `data`."""
        response = await self.raw(query, variables, token)
        body = response.json()
        assert "errors" not in body, body["errors"]
        assert response.status_code == 200
        return body["data"]

    async def errors(self, query: str, variables: dict | None = None, token: str | None = None) -> list:
        """Run an operation that must fail at the GraphQL level; return its errors."""
        body = (await self.raw(query, variables, token)).json()
        assert body.get("errors"), body
        return body["errors"]

    # --- data -------------------------------------------------------------
    def next_id_number(self, birth: str = "19850312") -> str:
        first17 = f"370102{birth}{next(self._seq) % 1000:03d}"
        return first17 + resident_id_check_char(first17)

    def next_uscc(self) -> str:
        first17 = f"91370100MA{next(self._seq):07d}"
        return first17 + uscc_check_char(first17)

    # --- steps ------------------------------------------------------------
    async def register_person(self, **overrides: Any) -> dict:
        n = next(self._seq)
        variables = {"loginName": f"person{n}", "idNumber": self.next_id_number(), "name": f"张{n}",
                     "mobile": "13800138000", "password": PASSWORD, **overrides}
        data = await self(REGISTER_PERSON, {"input": variables})
        payload = data["registerPerson"]
        assert payload["errors"] == [], payload["errors"]
        return {**payload["person"], "loginName": variables["loginName"], "idNumberRaw": variables["idNumber"]}

    async def register_unit(self, **overrides: Any) -> dict:
        n = next(self._seq)
        variables = {"name": f"济南第{n}机械厂", "uscc": self.next_uscc(), "regionCode": "370100",
                     "contactName": "李四", "contactMobile": "13900139000", "loginName": f"unit{n}",
                     "password": PASSWORD, **overrides}
        payload = (await self(REGISTER_UNIT, {"input": variables}))["registerUnit"]
        assert payload["errors"] == [], payload["errors"]
        return {**payload["unit"], "loginName": variables["loginName"]}

    async def login(self, login: str, password: str = PASSWORD) -> str:
        payload = (await self(LOGIN, {"login": login, "password": password}))["login"]
        assert payload["errors"] == [], payload["errors"]
        return payload["token"]


REGISTER_PERSON = """
mutation($input: RegisterPersonInput!) {
  registerPerson(input: $input) {
    person { id name idNumber birthDate birthYear sex mobile }
    errors { code field message }
  }
}"""

REGISTER_UNIT = """
mutation($input: RegisterUnitInput!) {
  registerUnit(input: $input) {
    unit { id name uscc region { code name } permissionStatus isPermitted }
    errors { code field message }
  }
}"""

LOGIN = """
mutation($login: String!, $password: String!) {
  login(login: $login, password: $password) {
    token
    me { loginName kind capabilities person { id idNumber birthDate } unit { id name } admin { name region { code } } }
    errors { code field message }
  }
}"""


async def create_admin_token(api: Api, services, region: str = "370000") -> str:
    """Create a title-office admin the way `zhicheng create-admin` does, log it in, return the token."""
    from app.database import run_in_transaction
    from resolvers import accounts

    login = f"admin_{uuid.uuid4().hex[:8]}"
    await run_in_transaction(services, accounts.create_admin, login_name=login, password=PASSWORD,
                             region_code=region, name="职称管理机构")
    return await api.login(login)
