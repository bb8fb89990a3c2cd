"""Test harness: a real PostgreSQL database, migrated from empty, one app per test.

The server is `TEST_DATABASE_URL` when set (a database of its own is created on it and
dropped afterwards, so parallel runs never meet), else the embedded PostgreSQL in
var/test-pgdata. Tests talk to the app through GraphQL over httpx, as a client would.
"""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import os
import uuid
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import httpx
import pytest
from sqlalchemy import event, text

import models
from core import db, migrate
from core.clock import FakeClock
from core.config import PROJECT_ROOT, Argon2Params, Settings
from core.services import build_services
from resolvers.reference import sync_reference_data
from rules.identity import resident_id_check_char, uscc_check_char
from server import create_app

# Cheap Argon2 keeps the suite fast; production cost is exercised by the benchmark.
TEST_SETTINGS = Settings(argon2=Argon2Params(time_cost=1, memory_cost=64, parallelism=1))
# Data the migrations seed (the commitment letter) survives truncation like reference data.
REFERENCE_TABLES = {"region", "catalog_series", "catalog_title", "catalog_specialty", "commitment_letter"}
PASSWORD = "Secret-Pass1"


@pytest.fixture(scope="session")
def server_url() -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    embedded = db.EmbeddedPostgres(PROJECT_ROOT / "var" / "test-pgdata")
    return embedded.start()  # stopped at interpreter exit


@pytest.fixture(scope="session")
async def database_url(server_url: str) -> AsyncIterator[str]:
    name = f"zc_test_{os.getpid()}"
    admin = await asyncpg.connect(db.plain_url(db.with_database(server_url, "postgres")))
    await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await admin.execute(f'CREATE DATABASE "{name}" ENCODING \'UTF8\' TEMPLATE template0')
    url = db.with_database(server_url, name)
    try:
        await asyncio.to_thread(migrate.upgrade, url)
        yield url
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


@pytest.fixture(scope="session")
async def engine(database_url: str):
    engine = db.create_engine(database_url, pool_size=5)
    async with db.create_session_factory(engine)() as session, session.begin():
        await sync_reference_data(session)
    yield engine
    await engine.dispose()


class StatementCounter:
    """Counts the SQL statements the app sends (for N+1 assertions)."""

    def __init__(self) -> None:
        self.count = 0
        self.active = False

    def __call__(self, *args: Any) -> None:
        if self.active:
            self.count += 1


@pytest.fixture(scope="session")
def statement_counter(engine) -> StatementCounter:
    counter = StatementCounter()
    event.listen(engine.sync_engine, "before_cursor_execute", counter)
    return counter


@pytest.fixture
async def clean_db(engine) -> AsyncIterator[None]:
    yield
    tables = [t.name for t in models.Base.metadata.sorted_tables if t.name not in REFERENCE_TABLES]
    async with engine.begin() as conn:
        # The audit log refuses TRUNCATE unless this is set (migration 0002).
        await conn.execute(text("SET LOCAL zhicheng.allow_truncate = 'on'"))
        await conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def services(engine, clock, tmp_path):
    # Uploaded materials go to the test's own folder.
    return build_services(dataclasses.replace(TEST_SETTINGS, data_dir=tmp_path), engine, clock)


@pytest.fixture
async def client(services, engine, clean_db) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(services, engine)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as c:
        yield c


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
    person { id name idNumber birthDate sex mobile }
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
    me { loginName kind capabilities person { id idNumber } unit { id name } admin { name region { code } } }
    errors { code field message }
  }
}"""


@pytest.fixture
def api(client) -> Api:
    return Api(client)


async def create_admin_token(api: Api, services, region: str = "370000") -> str:
    """Create a title-office admin the way `zhicheng create-admin` does, log it in, return the token."""
    from app.database import run_in_transaction
    from resolvers import accounts

    login = f"admin_{uuid.uuid4().hex[:8]}"
    await run_in_transaction(services, accounts.create_admin, login_name=login, password=PASSWORD,
                             region_code=region, name="职称管理机构")
    return await api.login(login)


@pytest.fixture
def make_admin(services, api):
    """`await make_admin(region)`: a logged-in admin of the province (default) or a city."""

    async def make(region: str = "370000") -> str:
        return await create_admin_token(api, services, region)

    return make


async def table_count(engine, table: str) -> int:
    """Row count of a table, read outside the app, to prove a refusal changed nothing."""
    async with engine.connect() as conn:
        return (await conn.execute(text(f"SELECT count(*) FROM {table}"))).scalar_one()


@pytest.fixture
async def count_rows(engine):
    return lambda table: table_count(engine, table)
