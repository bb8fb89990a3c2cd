"""批量导出 through GraphQL and HTTP, with the job worker run in-process on the test database:
each format parsed back, progress, who may start and download, expiry, a failing job, and a
refused step that defers nothing."""

from __future__ import annotations

import asyncio
import contextlib
import csv
import dataclasses
import io
import json
import time
from datetime import UTC, datetime, timedelta
from urllib.parse import unquote

import openpyxl
import pytest
from sqlalchemy import text

from app.worker import run_worker
from resolvers import exports as export_steps
from rules import exports as rules
from rules.declaration_states import DeclarationStatus
from rules.errors import ErrorCode, RuleViolation
from schema.ids import decode_id, encode_id
from tests.support import clients
from tests.support.db import table_count
from tests.support.declarations import World, permit_unit
from tests.support.review import rows, seed_approved

START = """mutation($kind: ExportKind!, $format: ExportFormat!, $filter: ExportFilterInput) {
  startExport(kind: $kind, format: $format, filter: $filter) {
    export { id state regionCode rowsDone rowsTotal downloadUrl fileName }
    errors { code field message } } }"""
EXPORT = """query($id: ID!) { export(id: $id) { id state rowsDone rowsTotal fileName fileSize failureReason
  downloadUrl downloadUrlExpiresAt expiresAt finishedAt } }"""
EXPORTS = "{ exports(first: 10) { totalCount nodes { id state } } }"

HEADERS = [header for _, header in rules.DECLARATION_COLUMNS]
KEYS = [key for key, _ in rules.DECLARATION_COLUMNS]


@pytest.fixture
async def world(api, engine, services, clock):
    """An open year, 3 approved declarations in 济南 (370100) and 2 in 青岛 (370200)."""
    w = await World(api, engine, services).setup()
    confirmed = clock.now() - timedelta(days=1)
    await seed_approved(engine, w.unit["id"], [
        {"name": f"济南申报人{i}", "work_unit": w.unit["id"], "confirmed_at": confirmed} for i in range(3)], "jn")
    qingdao = await api.register_unit(name="青岛第一机械厂", regionCode="370200")
    await permit_unit(engine, qingdao["id"])
    await seed_approved(engine, qingdao["id"], [
        {"name": f"青岛申报人{i}", "work_unit": qingdao["id"], "confirmed_at": confirmed} for i in range(2)], "qd")
    return w


async def work(services, database_url, clock) -> None:
    """The worker, in this process, until the queue is empty."""
    await run_worker(database_url, services.settings, wait=False, clock=clock, install_signal_handlers=False)


async def start(api, token, fmt="CSV", **filter_) -> dict:
    payload = (await api(START, {"kind": "DECLARATIONS", "format": fmt, "filter": filter_ or None}, token))
    return payload["startExport"]


async def finished(api, token, services, database_url, clock, fmt="CSV", **filter_) -> dict:
    started = await start(api, token, fmt, **filter_)
    assert started["errors"] == [], started
    assert started["export"]["state"] == "QUEUED" and started["export"]["downloadUrl"] is None
    await work(services, database_url, clock)
    return (await api(EXPORT, {"id": started["export"]["id"]}, token))["export"]


async def download(client, url: str, token: str | None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return await client.get(url, headers=headers)


@pytest.mark.parametrize("fmt", ["CSV", "XLSX", "JSONL"])
async def test_city_admin_exports_its_region_in_each_format(api, client, world, make_admin, services, database_url,
                                                            clock, fmt):
    jinan = await make_admin("370100")
    export = await finished(api, jinan, services, database_url, clock, fmt)
    assert export["state"] == "SUCCEEDED", export
    assert export["rowsDone"] == export["rowsTotal"] == 3
    assert export["fileName"].startswith("职称申报数据-") and export["fileName"].endswith("." + fmt.lower())

    response = await download(client, export["downloadUrl"], jinan)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(rules.ExportFormat(fmt).content_type.split(";")[0])
    disposition = response.headers["content-disposition"]
    assert unquote(disposition.split("filename*=UTF-8''")[1]) == export["fileName"]
    assert int(response.headers["content-length"]) == export["fileSize"]

    header, rows = parse(fmt, response.content)
    assert header == (HEADERS if fmt != "JSONL" else KEYS)
    by = {h: i for i, h in enumerate(header)}
    names = sorted(r[by[header[2]]] for r in rows)
    assert names == ["济南申报人0", "济南申报人1", "济南申报人2"]  # 青岛's are not 济南's
    for r in rows:
        id_number = r[by[header[3]]]
        assert "********" in id_number and len(id_number) == 18  # masked: no identity scope
        assert r[by[header[13]]] == "APPROVED"
        assert r[by[header[9]]] == "ASSOCIATE_SENIOR"


def parse(fmt: str, content: bytes) -> tuple[list, list[list]]:
    if fmt == "CSV":
        assert content.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs for Chinese
        table = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
        return table[0], table[1:]
    if fmt == "XLSX":
        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
        table = [[c if c is not None else "" for c in row] for row in book.active.iter_rows(values_only=True)]
        return table[0], table[1:]
    objects = [json.loads(line) for line in content.decode("utf-8").splitlines()]
    return KEYS, [[o[k] for k in KEYS] for o in objects]


async def test_province_exports_every_region_and_can_narrow_it(api, world, province_admin, services, database_url,
                                                               clock):
    everything = await finished(api, province_admin, services, database_url, clock)
    assert everything["rowsTotal"] == 5
    qingdao = await finished(api, province_admin, services, database_url, clock, regionCode="370200")
    assert qingdao["rowsTotal"] == 2
    none = await finished(api, province_admin, services, database_url, clock, year=2025)
    assert none["state"] == "SUCCEEDED" and none["rowsTotal"] == 0
    returned = await finished(api, province_admin, services, database_url, clock, states=["RETURNED"])
    assert returned["rowsTotal"] == 0


async def test_progress_is_written_every_n_rows(api, world, province_admin, services, database_url, clock,
                                                monkeypatch):
    monkeypatch.setattr(export_steps, "BATCH_ROWS", 2)
    services.settings = dataclasses.replace(services.settings, export_progress_rows=2)
    seen: list[dict] = []
    real = export_steps._progress

    async def spy(sessions, export_id, **values):
        seen.append(values)
        await real(sessions, export_id, **values)

    monkeypatch.setattr(export_steps, "_progress", spy)
    export = await finished(api, province_admin, services, database_url, clock)
    assert export["rowsDone"] == 5
    assert [v for v in seen if "rows_done" in v and "file_size" not in v] == [{"rows_done": 2}, {"rows_done": 4}]
    assert seen[0] == {"rows_total": 5}


async def test_callers_other_than_title_offices_are_refused(api, world, make_admin):
    for token in (world.token, world.unit_token):  # an applicant, a unit
        errors = await api.errors(START, {"kind": "DECLARATIONS", "format": "CSV"}, token)
        assert errors[0]["extensions"]["code"] == "FORBIDDEN"
    errors = await api.errors(START, {"kind": "DECLARATIONS", "format": "CSV"})
    assert errors[0]["extensions"]["code"] == "UNAUTHENTICATED"
    jinan = await make_admin("370100")
    refused = await start(api, jinan, regionCode="370200")
    assert refused["export"] is None
    assert [(e["code"], e["field"]) for e in refused["errors"]] == [("NOT_YOUR_REGION", "filter.regionCode")]
    refused = await start(api, jinan, regionCode="999999")
    assert [e["code"] for e in refused["errors"]] == ["REGION_UNKNOWN"]
    refused = await start(api, jinan, states=["DRAFT"])
    assert [e["code"] for e in refused["errors"]] == ["INVALID_INPUT"]


async def test_only_the_owner_sees_and_downloads(api, client, world, make_admin, province_admin, services,
                                                 database_url, clock):
    jinan = await make_admin("370100")
    export = await finished(api, jinan, services, database_url, clock)
    # Another admin, the province's included: the export is not theirs.
    assert (await api(EXPORT, {"id": export["id"]}, province_admin))["export"] is None
    assert (await api(EXPORTS, None, province_admin))["exports"]["totalCount"] == 0
    assert (await api(EXPORTS, None, jinan))["exports"]["nodes"] == [{"id": export["id"], "state": "SUCCEEDED"}]
    node = "query($id: ID!) { node(id: $id) { ... on Export { state } } }"
    assert (await api(node, {"id": export["id"]}, jinan))["node"] == {"state": "SUCCEEDED"}
    assert (await api(node, {"id": export["id"]}, province_admin))["node"] is None
    response = await download(client, export["downloadUrl"], province_admin)
    assert (response.status_code, response.json()["code"]) == (404, "NOT_FOUND")
    assert (await download(client, export["downloadUrl"], None)).status_code == 401
    forged = export["downloadUrl"][:-4] + ("0000" if not export["downloadUrl"].endswith("0000") else "1111")
    response = await download(client, forged, jinan)
    assert (response.status_code, response.json()["code"]) == (403, "EXPORT_LINK_INVALID")
    response = await download(client, "/exports/99999999999999999999/download", jinan)
    assert response.status_code == 404


async def test_links_and_files_expire(api, client, world, make_admin, services, database_url, clock):
    # Shorter than the admin's 30-minute idle session, which the test keeps alive.
    services.settings = dataclasses.replace(services.settings, export_link_minutes=10, export_keep_hours=1)
    jinan = await make_admin("370100")
    export = await finished(api, jinan, services, database_url, clock)
    link = export["downloadUrl"]
    clock.advance(minutes=11)
    response = await download(client, link, jinan)
    assert (response.status_code, response.json()["code"]) == (410, "EXPORT_LINK_EXPIRED")
    fresh = (await api(EXPORT, {"id": export["id"]}, jinan))["export"]["downloadUrl"]
    assert fresh != link and (await download(client, fresh, jinan)).status_code == 200

    for _ in range(3):  # an hour, a request every 20 minutes
        clock.advance(minutes=20)
        later = (await api(EXPORT, {"id": export["id"]}, jinan))["export"]
    assert later["state"] == "EXPIRED" and later["downloadUrl"] is None
    response = await download(client, fresh, jinan)
    assert (response.status_code, response.json()["code"]) == (410, "EXPORT_EXPIRED")
    files = list(services.settings.export_dir.iterdir())
    assert len(files) == 1
    removed = await export_steps.expire_exports(services.session_factory, services.settings.export_dir, clock.now())
    assert removed == 1 and list(services.settings.export_dir.iterdir()) == []


async def test_a_failing_job_is_failed_with_a_reason(api, world, province_admin, services, database_url, clock):
    services.settings.data_dir.mkdir(parents=True, exist_ok=True)
    services.settings.export_dir.write_text("not a folder")  # the worker cannot create its files
    export = await finished(api, province_admin, services, database_url, clock)
    assert export["state"] == "FAILED"
    assert export["failureReason"] == "写入导出文件失败，请稍后重新导出"
    assert export["downloadUrl"] is None and export["finishedAt"] is not None


async def test_a_refused_step_defers_no_job(api, world, province_admin, engine, monkeypatch):
    real = export_steps.jobs.defer

    async def defer_then_refuse(session, task, **kwargs):
        await real(session, task, **kwargs)  # the job row is written in the step's transaction …
        raise RuleViolation(ErrorCode.INVALID_STATE)  # … which is then rolled back

    monkeypatch.setattr(export_steps.jobs, "defer", defer_then_refuse)
    refused = await start(api, province_admin)
    assert [e["code"] for e in refused["errors"]] == ["INVALID_STATE"]
    assert await table_count(engine, "procrastinate_jobs") == 0
    assert await table_count(engine, "export") == 0


async def test_a_committed_start_defers_exactly_one_job(api, world, province_admin, engine):
    assert (await start(api, province_admin))["errors"] == []
    assert await table_count(engine, "procrastinate_jobs") == 1


async def test_active_exports_per_account_are_capped(api, world, province_admin, services):
    services.settings = dataclasses.replace(services.settings, export_max_active=2)
    for _ in range(2):
        assert (await start(api, province_admin))["errors"] == []
    refused = await start(api, province_admin)
    assert [e["code"] for e in refused["errors"]] == ["TOO_MANY_EXPORTS"]


# --- the pure rules ---------------------------------------------------------------------------

NOW = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)


def test_link_signature_checks():
    key = b"k" * 32
    expires = int(NOW.timestamp()) + 60
    good = rules.link_signature(key, 7, expires)
    assert rules.check_link(key, 7, str(expires), good, NOW) is rules.LinkCheck.OK
    assert rules.check_link(key, 7, str(expires), good, NOW + timedelta(seconds=61)) is rules.LinkCheck.EXPIRED
    assert rules.check_link(key, 8, str(expires), good, NOW) is rules.LinkCheck.INVALID  # another export
    assert rules.check_link(key, 7, str(expires + 3600), good, NOW) is rules.LinkCheck.INVALID  # extended
    assert rules.check_link(b"x" * 32, 7, str(expires), good, NOW) is rules.LinkCheck.INVALID
    for bad in (None, "", "-1", "1e9", "²", "9" * 40):
        assert rules.check_link(key, 7, bad, good, NOW) is rules.LinkCheck.INVALID


def test_a_link_never_outlives_its_file():
    assert rules.link_expiry(NOW, 3600, NOW + timedelta(hours=5)) == int(NOW.timestamp()) + 3600
    assert rules.link_expiry(NOW, 3600, NOW + timedelta(minutes=5)) == int(NOW.timestamp()) + 300


def test_effective_state():
    later = NOW + timedelta(hours=1)
    assert rules.effective_state(rules.ExportState.SUCCEEDED, later, NOW) is rules.ExportState.SUCCEEDED
    assert rules.effective_state(rules.ExportState.SUCCEEDED, NOW, NOW) is rules.ExportState.EXPIRED
    assert rules.effective_state(rules.ExportState.FAILED, NOW, later) is rules.ExportState.FAILED


def test_rows_carry_the_api_global_id_and_a_masked_id_number():
    assert rules.declaration_global_id(123) == encode_id("Declaration", 123)
    row = rules.DeclarationExportRow(
        global_id="x", year=2026, name="张三", id_number="11010519491231002X", unit_name="单位", unit_credit_code=None,
        region_code="370100", region_name="济南市", series_name="工程", level="SENIOR", title_name="正高级工程师",
        specialty_name="土木", method="NORMAL", status=DeclarationStatus.RETURNED,
        correction_deadline=datetime(2026, 11, 30).date(), confirmed_at=None, accepted_at=None, updated_at=NOW)
    line = rules.declaration_row(row, today=datetime(2026, 12, 2).date())
    assert line[3] == "110105********002X"
    assert line[5] == "" and line[14] == ""
    assert line[13] == "ABANDONED"  # the correction deadline passed
    assert rules.declaration_row(row, today=datetime(2026, 12, 2).date(), unmask=True)[3] == "11010519491231002X"
    assert rules.progress_due(10_000, 0, 10_000) and not rules.progress_due(9_999, 0, 10_000)


# --- API clients (HR systems) ---------------------------------------------------------------

async def test_a_client_exports_its_region_masked(api, client, world, services, database_url, clock, make_admin):
    hr = await clients.register(services, scopes=["declarations:read"], region="370100")
    token = await clients.token(api, hr)
    export = await finished(api, token, services, database_url, clock, "JSONL")
    assert export["state"] == "SUCCEEDED" and export["rowsTotal"] == 3
    response = await download(client, export["downloadUrl"], token)
    assert response.status_code == 200
    lines = [json.loads(line) for line in response.text.splitlines()]
    assert sorted(o["name"] for o in lines) == ["济南申报人0", "济南申报人1", "济南申报人2"]
    assert all("********" in o["idNumber"] for o in lines)
    # Its exports are its own: an admin of its region does not see them, nor it the admin's.
    jinan = await make_admin("370100")
    assert (await api(EXPORT, {"id": export["id"]}, jinan))["export"] is None
    assert (await download(client, export["downloadUrl"], jinan)).status_code == 404
    refused = await start(api, token, regionCode="370200")
    assert [e["code"] for e in refused["errors"]] == ["NOT_YOUR_REGION"]


async def test_a_client_without_the_declarations_scope_is_forbidden(api, world, services):
    hr = await clients.register(services, scopes=["events:read"], region="370000")
    errors = await api.errors(START, {"kind": "DECLARATIONS", "format": "CSV"}, await clients.token(api, hr))
    assert errors[0]["extensions"]["code"] == "FORBIDDEN"
    assert errors[0]["extensions"]["missingScopes"] == ["declarations:read"]


async def test_identity_scope_writes_full_id_numbers_and_every_download_is_audited(
        api, client, world, services, database_url, clock, engine):
    hr = await clients.register(services, scopes=["declarations:read", "identity:read"], region="370000")
    token = await clients.token(api, hr)
    started = await start(api, token, "CSV")
    assert started["errors"] == []
    await work(services, database_url, clock)
    export = (await api(EXPORT, {"id": started["export"]["id"]}, token))["export"]
    response = await download(client, export["downloadUrl"], token)
    assert response.status_code == 200
    _, table = parse("CSV", response.content)
    assert len(table) == 5 and all("*" not in r[3] and len(r[3]) == 18 for r in table)
    audited = await rows(engine, "SELECT login_name, reason FROM audit_entry WHERE action = 'export.download'")
    assert [(a.login_name, a.reason) for a in audited] == [(hr.client_id, "完整身份证号：idNumber（5 行）")]
    # A token of the same client without identity:read cannot fetch the full numbers.
    narrow = await clients.token(api, hr, scope="declarations:read")
    response = await download(client, export["downloadUrl"], narrow)
    assert response.status_code == 403 and response.json()["missingScopes"] == ["identity:read"]


async def test_a_worker_stopped_mid_export_fails_it_with_a_reason(api, world, province_admin, services, database_url,
                                                                  clock, engine, monkeypatch):
    """SIGTERM's path: the worker stops taking jobs, waits its grace period, then cancels the
    export, which is FAILED with a reason (never left RUNNING) and leaves no partial file."""
    services.settings = dataclasses.replace(services.settings, worker_shutdown_seconds=0.2)
    monkeypatch.setattr(export_steps, "BATCH_ROWS", 1)
    real_write = export_steps.CsvWriter.write

    def crawl(self, rows):  # in the writer's thread: one row at a time, slowly
        real_write(self, rows)
        time.sleep(0.05)

    monkeypatch.setattr(export_steps.CsvWriter, "write", crawl)
    started = await start(api, province_admin)
    worker = asyncio.create_task(run_worker(database_url, services.settings, clock=clock,
                                            install_signal_handlers=False))
    export_id = decode_id(started["export"]["id"], "Export", "id")
    for _ in range(200):
        async with engine.connect() as conn:
            state = (await conn.execute(text("SELECT state FROM export WHERE id = :i"), {"i": export_id})).scalar()
        if state == "RUNNING":
            break
        await asyncio.sleep(0.05)
    assert state == "RUNNING"
    worker.cancel()  # what procrastinate does on SIGTERM
    with contextlib.suppress(asyncio.CancelledError):
        await worker
    export = (await api(EXPORT, {"id": started["export"]["id"]}, province_admin))["export"]
    assert export["state"] == "FAILED"
    assert export["failureReason"] == "导出被中断（工作进程停止），请重新导出"
    assert list(services.settings.export_dir.iterdir()) == []
