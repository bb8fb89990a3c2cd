"""Test harness: a real PostgreSQL database, migrated from empty, one app per test.

The server is `TEST_DATABASE_URL` when set (a database of its own is created on it and
dropped afterwards, so parallel runs never meet), else the embedded PostgreSQL in
var/test-pgdata. Tests talk to the app through GraphQL over httpx, as a client would.
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
from collections.abc import AsyncIterator

import asyncpg
import httpx
import pytest
from sqlalchemy import event, text

from core import db, migrate
from core.clock import FakeClock
from core.config import PROJECT_ROOT, Argon2Params, Settings
from core.services import build_services
from resolvers import catalog
from resolvers.reference import sync_reference_data
from server import create_app
from tests.support import committee, units
from tests.support.api import Api, create_admin_token
from tests.support.db import StatementCounter, table_count, truncate_statement
from tests.support.declarations import ACCEPT

# Cheap Argon2 keeps the suite fast; production cost is exercised by the benchmark.
# Review panels of 3 (the regulation's 25 and 11 are the defaults; tests of the committee
# stage would otherwise register 25 experts each) in groups of 3.
TEST_SETTINGS = Settings(argon2=Argon2Params(time_cost=1, memory_cost=64, parallelism=1),
                         review_panel_size_senior=3, review_panel_size=3, review_group_size=3)


# The fixtures that reach PostgreSQL; every other database fixture (api, client, services …)
# depends on one of them. Nothing starts or connects until a test asks for one.
DB_FIXTURES = frozenset({"server_url", "database_url", "engine"})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark `db` every test that uses the database, so `-m "not db"` runs the pure-rule tests
    without a server."""
    for item in items:
        if DB_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.db)


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
    await catalog.reload(db.create_session_factory(engine))  # as a worker does at start
    yield engine
    await engine.dispose()


@pytest.fixture(scope="session")
def statement_counter(engine) -> StatementCounter:
    counter = StatementCounter()
    event.listen(engine.sync_engine, "before_cursor_execute", counter)
    return counter


@pytest.fixture
async def clean_db(engine) -> AsyncIterator[None]:
    yield
    async with engine.begin() as conn:
        await conn.execute(text("SET LOCAL zhicheng.allow_truncate = 'on'"))
        await conn.execute(text(truncate_statement()))


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


@pytest.fixture
def api(client) -> Api:
    return Api(client)


@pytest.fixture
async def api_from(services, engine, clean_db) -> AsyncIterator:
    """`api_from("10.0.0.2")`: a client of the same app calling from another address (the
    default `api` calls from 127.0.0.1), for what is counted per client address."""
    clients: list[httpx.AsyncClient] = []

    def make(address: str) -> Api:
        transport = httpx.ASGITransport(app=create_app(services, engine), client=(address, 40000))
        clients.append(httpx.AsyncClient(transport=transport, base_url="http://test"))
        return Api(clients[-1])

    yield make
    for c in clients:
        await c.aclose()


@pytest.fixture
def make_admin(services, api):
    """`await make_admin(region)`: a logged-in admin of the province (default) or a city."""

    async def make(region: str = "370000") -> str:
        return await create_admin_token(api, services, region)

    return make


# --- one fixture per role: each is a logged-in actor, made the way a real one would be ---

@pytest.fixture
async def applicant(api) -> dict:
    """A registered person who accepted the commitment letter, logged in: the person's fields
    (id, name, idNumber …), loginName, idNumberRaw and token."""
    person = await api.register_person()
    token = await api.login(person["loginName"])
    accepted = (await api(ACCEPT, {"v": 1}, token))["acceptCommitment"]
    assert accepted["errors"] == [], accepted
    return {**person, "token": token}


@pytest.fixture
async def city_admin(make_admin) -> str:
    """The token of a title-office admin of 济南 (370100), the region of units registered by default."""
    return await make_admin("370100")


@pytest.fixture
async def province_admin(make_admin) -> str:
    """The token of a title-office admin of the province (370000), who covers every city."""
    return await make_admin("370000")


@pytest.fixture
async def permitted_unit(api, city_admin) -> dict:
    """A unit of 济南 whose permission application `city_admin` approved, logged in: the unit's
    fields (id, name, uscc, region …), loginName, applicationId and token."""
    return await units.permitted_unit(api, city_admin)


@pytest.fixture
async def committee_office(api, province_admin, permitted_unit) -> str:
    """The token of a 评委会办事机构 of a provincial committee whose accepting unit is
    `permitted_unit`, its one-time password already changed."""
    created = await units.create_committee(api, province_admin, permitted_unit)
    assert created["errors"] == [], created
    return await committee.office_for(api, province_admin, created["committee"]["id"])


@pytest.fixture
async def count_rows(engine):
    return lambda table: table_count(engine, table)
