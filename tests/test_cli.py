"""The command line: create-admin, export-schema, the first admin and the demo province."""

from __future__ import annotations

import asyncio
import logging
import os

import asyncpg
import pytest
from sqlalchemy import select

from app import cli
from app.database import run_in_transaction
from app.first_start import ensure_first_admin
from core import db
from core.config import PROJECT_ROOT
from models import PermissionStatus, Unit
from resolvers.demo import DEMO_PASSWORD, load_demo_data
from server import main
from tests.support.api import PASSWORD


@pytest.fixture(autouse=True)
def _restore_logging():
    """`main` configures logging for the process (a handler on the stderr pytest captures,
    closed after the test): put the test session's back."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def run_cli(monkeypatch, database_url, *argv):
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("ZHICHENG_ADMIN_PASSWORD", PASSWORD)
    # The CLI drives its own event loop; run it in a thread, off the test's loop.
    return asyncio.to_thread(main, list(argv))


async def test_create_admin_then_log_in(api, monkeypatch, database_url):
    await run_cli(monkeypatch, database_url, "create-admin", "--login", "jinan_office", "--region", "370100")
    token = await api.login("jinan_office")
    me = (await api("{ me { kind admin { region { code name } } capabilities } }", token=token))["me"]
    assert me == {"kind": "ADMIN", "admin": {"region": {"code": "370100", "name": "济南市"}},
                  "capabilities": ["ADMINISTER_REGION"]}


async def test_create_admin_refuses_an_unknown_region(api, monkeypatch, database_url, count_rows, capsys):
    with pytest.raises(SystemExit) as exit_info:
        await run_cli(monkeypatch, database_url, "create-admin", "--login", "laiwu_office", "--region", "371200")
    assert exit_info.value.code == 2
    assert "REGION_UNKNOWN" in capsys.readouterr().err
    assert await count_rows("admin") == 0


def test_export_schema_writes_the_sdl(tmp_path):
    from schema import schema

    out = tmp_path / "schema.graphql"
    main(["export-schema", "--output", str(out)])
    assert out.read_text(encoding="utf-8") == schema.as_str() + "\n"


async def test_first_start_creates_one_province_admin(api, services, capsys):
    await ensure_first_admin(services)
    printed = capsys.readouterr().out
    password = printed.split("password=")[1].split()[0]
    token = await api.login("admin", password)
    assert (await api("{ me { admin { region { code } } } }", token=token))["me"]["admin"]["region"]["code"] == "370000"
    await ensure_first_admin(services)  # a second start creates nobody and prints nothing
    assert "password=" not in capsys.readouterr().out


async def test_demo_province_is_idempotent_and_usable(api, services, engine, capsys):
    await ensure_first_admin(services)
    created = await run_in_transaction(services, load_demo_data)
    assert len(created) == 8
    assert await run_in_transaction(services, load_demo_data) == []
    async with engine.connect() as conn:
        statuses = set((await conn.execute(select(Unit.permission_status))).scalars())
    assert statuses == {PermissionStatus.APPROVED}
    # Every demo route runs from the base unit up to a committee's accepting unit.
    token = await api.login("demo_hospital", DEMO_PASSWORD)
    route = (await api("""{ reportingRoute(seriesCode: "HEALTH", level: ASSOCIATE_SENIOR) {
        complete units { name } committee { name } } }""", token=token))["reportingRoute"]
    assert route["complete"] is True
    assert [u["name"] for u in route["units"]][-1] == "山东省卫生健康委员会"
    assert route["committee"]["name"] == "山东省卫生系列高级职称评审委员会"
    assert await api.login("demo_doctor", DEMO_PASSWORD)


async def test_migrate_prints_each_revision_as_it_applies_it(server_url, monkeypatch, capsys):
    name = f"zc_test_{os.getpid()}_migrate"
    admin = await asyncpg.connect(db.plain_url(db.with_database(server_url, "postgres")))
    await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    try:
        await run_cli(monkeypatch, db.with_database(server_url, name), "migrate")
        printed = capsys.readouterr().out.splitlines()
        revisions = sorted(p.name.split("_")[0] for p in (PROJECT_ROOT / "migrations" / "versions").glob("0*.py"))
        applied = [line.split()[1].rstrip(":") for line in printed if line.startswith("  applying ")]
        assert applied == revisions
        assert printed[-1].startswith(f"migrated to head ({len(revisions)} revisions applied")
        await run_cli(monkeypatch, db.with_database(server_url, name), "migrate")  # nothing left to apply
        assert capsys.readouterr().out.startswith("migrated to head (0 revisions applied")
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def test_load_registry_shows_progress(clean_db, monkeypatch, database_url, tmp_path, capsys, count_rows):
    monkeypatch.setattr(cli, "PROGRESS_EVERY", 5)
    csv = tmp_path / "registry.csv"
    codes = ["914403001922038216", "91110108551385082Q"] * 6  # 12 rows, 2 distinct codes
    csv.write_text("name,code\n" + "".join(f"单位{i},{code}\n" for i, code in enumerate(codes)), encoding="utf-8")
    await run_cli(monkeypatch, database_url, "load-registry", str(csv))
    printed = capsys.readouterr().out.splitlines()
    assert printed == ["  read 5 rows", "  read 10 rows", f"read 12 entries from {csv}", "  loaded 2/2",
                       "loaded 2 registry entries"]
    assert await count_rows("uscc_registry") == 2
