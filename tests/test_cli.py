"""The command line: create-admin, export-schema, the first admin and the demo province."""

from __future__ import annotations

import asyncio
import logging
import os

import asyncpg
import pytest
from sqlalchemy import select

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
    me = (await api("{ me { mustChangePassword admin { region { code } } } }", token=token))["me"]
    assert me["admin"]["region"]["code"] == "370000"
    assert me["mustChangePassword"] is True  # printed on a console: the first login replaces it
    assert "reset-admin-password" in printed
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


RESET_LOG = """{ auditLog(action: "account.reset_password", first: 5) { nodes { success loginName objectId reason } } }"""


async def test_reset_admin_password_prints_a_one_time_password(api, monkeypatch, database_url, capsys, make_admin):
    await run_cli(monkeypatch, database_url, "create-admin", "--login", "lost_office", "--region", "370000")
    old_token = await api.login("lost_office")
    await run_cli(monkeypatch, database_url, "reset-admin-password", "--login", "LOST_office")
    printed = capsys.readouterr().out
    password = printed.split("lost_office: ")[1].split()[0]
    assert (await api("{ me { loginName } }", token=old_token))["me"] is None  # its sessions ended
    token = await api.login("lost_office", password)
    me = (await api("{ me { mustChangePassword } }", token=token))["me"]
    assert me == {"mustChangePassword": True}
    rows = (await api(RESET_LOG, token=await make_admin()))["auditLog"]["nodes"]
    assert [(r["success"], r["loginName"], r["reason"]) for r in rows] == [
        (True, None, "命令行; zhicheng reset-admin-password")]
    assert password not in str(rows)


async def test_reset_admin_password_refuses_a_login_that_is_no_admin(api, monkeypatch, database_url, capsys):
    unit = await api.register_unit()
    with pytest.raises(SystemExit) as exit_info:
        await run_cli(monkeypatch, database_url, "reset-admin-password", "--login", unit["loginName"])
    assert exit_info.value.code == 2
    assert "NOT_FOUND" in capsys.readouterr().err


async def test_load_registry_refuses_a_file_with_bad_rows_whole(api, monkeypatch, database_url, capsys, tmp_path,
                                                               count_rows, make_admin):
    from rules.identity import uscc_check_char

    good = "91370100MA0000001" + uscc_check_char("91370100MA0000001")
    bad = tmp_path / "bad.csv"
    bad.write_text(f"name,code\n甲公司,{good}\n乙公司,91370100MA00000011\n", encoding="utf-8")
    with pytest.raises(SystemExit) as exit_info:
        await run_cli(monkeypatch, database_url, "load-registry", str(bad))
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "line 3: USCC_CHECK_DIGIT" in err and "REGISTRY_ROWS_REJECTED" in err
    assert await count_rows("uscc_registry") == 0

    ok = tmp_path / "ok.csv"
    ok.write_text(f"甲公司,{good}\n", encoding="utf-8-sig")
    await run_cli(monkeypatch, database_url, "load-registry", str(ok))
    assert "loaded 1 registry entries" in capsys.readouterr().out
    status = (await api("{ registryStatus { entries loadedBy fileName } }", token=await make_admin()))
    assert status["registryStatus"] == {"entries": 1, "loadedBy": None, "fileName": "ok.csv"}


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
    from resolvers import permission
    from rules.identity import uscc_check_char

    monkeypatch.setattr(permission, "_REGISTRY_BATCH", 5)
    firsts = [f"91370100MA{n:07d}" for n in range(12)]
    csv = tmp_path / "registry.csv"
    csv.write_text("name,code\n" + "".join(f"单位{i},{f}{uscc_check_char(f)}\n" for i, f in enumerate(firsts)),
                   encoding="utf-8")
    await run_cli(monkeypatch, database_url, "load-registry", str(csv))
    printed = capsys.readouterr().out.splitlines()
    assert printed[0].startswith("read ") and printed[0].endswith("checking every row …")
    assert printed[1:] == ["  loaded 5/12", "  loaded 10/12", "  loaded 12/12", "loaded 12 registry entries"]
    assert await count_rows("uscc_registry") == 12
