"""批量导出 (bulk exports): startExport queues a job; the worker streams rows into a file.

The request only writes the `export` row and defers `exports.run` in the same transaction
(core/jobs.py): the job exists iff the export does. The worker reads the rows with a
server-side cursor (`stream`, `yield_per`) inside one REPEATABLE READ snapshot, so the total
it counts first is the number it writes; each batch is written to the file in a thread and
memory stays flat whatever the size. A finished file is kept `export_keep_hours`; a
periodic job marks it EXPIRED and removes the file. Only the owner sees an export and
downloads it, through a signed link that expires (app/exports.py).

Callers: title-office admins (职称管理机构) for their region, and API clients (HR systems) with
the declarations:read scope for theirs. ID numbers are masked, except in the files of a client
whose token carries identity:read: every download of such a file is audited with the client
and the fields.
"""

from __future__ import annotations

import asyncio
import csv
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import IO, Any, Protocol

import orjson
import procrastinate
import xlsxwriter
from sqlalchemy import ColumnElement, Select, and_, case, func, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core import jobs
from core.clock import china_today
from core.services import AppServices
from models import (
    Account,
    ApiClient,
    CatalogSeries,
    CatalogSpecialty,
    CatalogTitle,
    Certificate,
    Committee,
    Declaration,
    Export,
    Person,
    Region,
    ReviewSession,
    SessionCandidate,
    Unit,
)
from resolvers.env import Env
from resolvers.paging import Page, SortKey, keyset_page
from rules import exports as rules
from rules.declaration_states import DeclarationStatus
from rules.errors import ErrorCode, RuleViolation
from rules.exports import ExportFormat, ExportKind, ExportState
from rules.regions import PROVINCE_CODE, find_region, region_covers
from rules.scopes import Scope
from rules.workdays import beijing_date

log = logging.getLogger(__name__)

# Rows per fetch from the cursor and per write to the file.
BATCH_ROWS = 2000


@dataclass(frozen=True)
class ExportFilter:
    """Which declarations (and so which results and certificates, through theirs): a year,
    effective states (never DRAFT: a draft is the applicant's own), a region inside the
    caller's, changed since a time."""

    year: int | None = None
    states: tuple[DeclarationStatus, ...] = ()
    region_code: str | None = None
    updated_since: datetime | None = None

    def as_json(self) -> dict[str, Any]:
        return {"year": self.year, "states": [s.value for s in self.states], "regionCode": self.region_code,
                "updatedSince": self.updated_since.isoformat() if self.updated_since else None}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ExportFilter:
        since = data.get("updatedSince")
        return cls(year=data.get("year"), states=tuple(DeclarationStatus(s) for s in data.get("states") or ()),
                   region_code=data.get("regionCode"),
                   updated_since=datetime.fromisoformat(since) if since else None)


# --- the request: start, read, list ------------------------------------------------------

@dataclass(frozen=True)
class Owner:
    """Who an export belongs to: an admin's account or an API client (exactly one), the
    region it may export, and whether its files carry ID numbers in full."""

    account_id: int | None
    api_client_id: int | None
    region_code: str
    full_identity: bool = False

    def owns(self, export: Export) -> bool:
        if self.account_id is not None:
            return export.account_id == self.account_id
        return export.api_client_id == self.api_client_id

    def where(self) -> ColumnElement[bool]:
        if self.account_id is not None:
            return Export.account_id == self.account_id
        return Export.api_client_id == self.api_client_id


def export_owner(env: Env) -> Owner:
    """The caller as an export's owner: an API client with declarations:read (its region;
    identity:read unmasks), else an admin (their region). Anyone else is refused at the top
    level (UNAUTHENTICATED / FORBIDDEN)."""
    if env.client is not None:
        client = env.require_client(Scope.DECLARATIONS_READ)
        return Owner(None, client.api_client.id, client.region_code, Scope.IDENTITY_READ in client.scopes)
    admin = env.require_admin()
    return Owner(env.require_viewer().account.id, None, admin.region_code)


async def start_export(env: Env, *, kind: ExportKind, format: ExportFormat, filter: ExportFilter) -> Export:
    """startExport: an admin or an API client queues an export of its region (or a city of it)."""
    owner = export_owner(env)
    region = filter.region_code or owner.region_code
    if find_region(region) is None:
        raise RuleViolation(ErrorCode.REGION_UNKNOWN, field="filter.regionCode")
    if not region_covers(owner.region_code, region):
        raise RuleViolation(ErrorCode.NOT_YOUR_REGION, "只能导出本地区的数据", field="filter.regionCode")
    if DeclarationStatus.DRAFT in filter.states:
        raise RuleViolation(ErrorCode.INVALID_INPUT, "草稿是申报人自己的，不能导出", field="filter.states")
    await _serialise_starts(env, owner)
    active = await env.session.scalar(select(func.count()).select_from(Export).where(
        owner.where(), Export.state.in_(rules.ACTIVE_STATES)))
    if (active or 0) >= env.settings.export_max_active:
        raise RuleViolation(ErrorCode.TOO_MANY_EXPORTS)
    now = env.clock.now()
    export = Export(account_id=owner.account_id, api_client_id=owner.api_client_id, region_code=region, kind=kind,
                    format=format, filter={**filter.as_json(), "regionCode": region}, state=ExportState.QUEUED,
                    rows_done=0, full_identity=owner.full_identity, file_name="", created_at=now)
    env.session.add(export)
    await env.session.flush()
    export.file_name = rules.file_name(kind, format, export.id, now)
    await jobs.defer(env.session, run_export, export_id=export.id)
    env.note_audit("Export", export.id, region_code=region,
                   reason="完整身份证号" if owner.full_identity else None)
    return export


async def _serialise_starts(env: Env, owner: Owner) -> None:
    """One owner's starts run one at a time (a lock on its row), so the cap holds under
    concurrent requests."""
    if owner.account_id is not None:
        await env.session.execute(select(Account.id).where(Account.id == owner.account_id).with_for_update())
    else:
        await env.session.execute(select(ApiClient.id).where(ApiClient.id == owner.api_client_id).with_for_update())


def reader(env: Env) -> Owner:
    """Whose exports the caller reads: its own (a client needs declarations:read; nobody is
    UNAUTHENTICATED)."""
    if env.client is not None:
        client = env.require_client(Scope.DECLARATIONS_READ)
        return Owner(None, client.api_client.id, client.region_code)
    return Owner(env.require_viewer().account.id, None, "")


async def visible_exports(env: Env, ids: Sequence[int]) -> dict[int, Export]:
    """The caller's own exports among `ids` (anyone else's, or none, are not there)."""
    if not ids or (env.viewer is None and env.client is None):
        return {}
    owner = reader(env)
    rows = await env.session.scalars(select(Export).where(Export.id.in_(ids), owner.where()))
    return {e.id: e for e in rows}


async def my_exports(env: Env, *, first: int | None, after: str | None) -> Page:
    """exports: the caller's own, newest first."""
    owner = reader(env)
    stmt = select(Export).where(owner.where())
    return await keyset_page(env.session, stmt, [SortKey(Export.id, descending=True)], first=first, after=after,
                             cap=env.settings.max_page_size)


async def signing_key(session: AsyncSession) -> bytes:
    from models import ServerKey

    key = await session.scalar(select(ServerKey.secret).where(ServerKey.name == "export"))
    if key is None:
        raise RuntimeError("server_key 'export' is missing: run the migrations")
    return key


@dataclass(frozen=True)
class DownloadLink:
    path: str
    expires_at: datetime


def download_link(export: Export, key: bytes, now: datetime, link_minutes: int) -> DownloadLink | None:
    """A fresh signed link to a finished, unexpired export's file; None otherwise."""
    if rules.effective_state(export.state, export.expires_at, now) is not ExportState.SUCCEEDED:
        return None
    assert export.expires_at is not None
    expires = rules.link_expiry(now, link_minutes * 60, export.expires_at)
    signature = rules.link_signature(key, export.id, expires)
    return DownloadLink(f"/exports/{export.id}/download?expires={expires}&signature={signature}",
                        datetime.fromtimestamp(expires, tz=now.tzinfo))


@dataclass(frozen=True)
class ExportFile:
    path: Path
    name: str
    content_type: str


async def open_download(env: Env, *, export_id: int, expires: str | None, signature: str | None) -> ExportFile:
    """The file behind a download link, for its owner only. NOT_FOUND for anyone else (and
    a forged link to someone else's); the owner is told why a link no longer works."""
    owner = reader(env)
    export = await env.session.get(Export, export_id)
    if export is None or not owner.owns(export):
        raise RuleViolation(ErrorCode.NOT_FOUND)
    if export.full_identity:  # the token that reads full ID numbers must carry the scope
        env.require_client(Scope.DECLARATIONS_READ, Scope.IDENTITY_READ)
    now = env.clock.now()
    check = rules.check_link(await signing_key(env.session), export.id, expires, signature, now)
    if check is rules.LinkCheck.INVALID:
        raise RuleViolation(ErrorCode.EXPORT_LINK_INVALID)
    state = rules.effective_state(export.state, export.expires_at, now)
    if state is ExportState.EXPIRED:
        raise RuleViolation(ErrorCode.EXPORT_EXPIRED)
    if check is rules.LinkCheck.EXPIRED:
        raise RuleViolation(ErrorCode.EXPORT_LINK_EXPIRED)
    if state is not ExportState.SUCCEEDED:
        raise RuleViolation(ErrorCode.EXPORT_NOT_READY)
    # Full ID numbers read: the audit row names the fields and how many rows carried them.
    fields = f"完整身份证号：idNumber（{export.rows_done} 行）" if export.full_identity else None
    env.note_audit("Export", export.id, region_code=export.region_code, reason=fields)
    return ExportFile(export_path(env.settings.export_dir, export), export.file_name, export.format.content_type)


def export_path(export_dir: Path, export: Export) -> Path:
    """Server-chosen: the row id and the format, never anything a client typed."""
    return export_dir / f"{export.id}.{export.format.extension}"


# --- the worker: the job ------------------------------------------------------------------

@jobs.queue.task(name="exports.run", queue="exports", pass_context=True)
async def run_export(context: procrastinate.JobContext, *, export_id: int) -> None:
    """Write one export's file. Idempotent: a retried job (its worker died) starts over."""
    services = jobs.services(context)
    export = await _claim(services.session_factory, export_id, services.clock.now())
    if export is None:
        return  # finished, failed or expired already: nothing to redo
    try:
        await _write_export(services, export)
    except asyncio.CancelledError:
        await _fail(services.session_factory, export_id, services.clock.now(),
                    "导出被中断（工作进程停止），请重新导出")
        raise
    except OSError:
        log.exception("export %s: writing the file failed", export_id)
        await _fail(services.session_factory, export_id, services.clock.now(), "写入导出文件失败，请稍后重新导出")
    except Exception:
        log.exception("export %s failed", export_id)
        await _fail(services.session_factory, export_id, services.clock.now(), "导出失败（服务器内部错误），请稍后重试")


async def _claim(sessions: async_sessionmaker, export_id: int, now: datetime) -> Export | None:
    async with sessions() as session, session.begin():
        return await session.scalar(
            update(Export).where(Export.id == export_id, Export.state.in_(rules.ACTIVE_STATES))
            .values(state=ExportState.RUNNING, started_at=now, rows_done=0).returning(Export))


async def _fail(sessions: async_sessionmaker, export_id: int, now: datetime, reason: str) -> None:
    async with sessions() as session, session.begin():
        await session.execute(update(Export).where(Export.id == export_id, Export.state == ExportState.RUNNING)
                              .values(state=ExportState.FAILED, failure_reason=reason, finished_at=now))


async def _progress(sessions: async_sessionmaker, export_id: int, **values: int) -> None:
    async with sessions() as session, session.begin():
        await session.execute(update(Export).where(Export.id == export_id).values(**values))


async def _write_export(services: AppServices, export: Export) -> None:
    settings, clock = services.settings, services.clock
    today = china_today(clock)
    target = export_path(settings.export_dir, export)
    partial = target.with_suffix(".part")
    await asyncio.to_thread(settings.export_dir.mkdir, parents=True, exist_ok=True)
    writer = await asyncio.to_thread(open_writer, export.format, partial, export.kind)
    try:
        done = await _stream_rows(services.session_factory, export, writer, settings.export_progress_rows, today)
        await asyncio.to_thread(writer.close)
    except BaseException:
        await asyncio.to_thread(writer.abort)
        raise
    await asyncio.to_thread(partial.replace, target)
    size = (await asyncio.to_thread(target.stat)).st_size
    now = clock.now()
    await _progress(services.session_factory, export.id, rows_done=done, file_size=size)
    async with services.session_factory() as session, session.begin():
        await session.execute(update(Export).where(Export.id == export.id, Export.state == ExportState.RUNNING).values(
            state=ExportState.SUCCEEDED, finished_at=now, expires_at=now + timedelta(hours=settings.export_keep_hours)))


async def _stream_rows(sessions: async_sessionmaker, export: Export, writer: RowWriter, every: int,
                       today: date) -> int:
    """Count, then stream, in one snapshot; write batches in a thread; report progress."""
    stmt, line = export_plan(export.kind, ExportFilter.from_json(export.filter), export.region_code, today,
                             unmask=export.full_identity)
    done = reported = 0
    async with sessions() as session:
        conn = await session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        await conn.exec_driver_sql("SET TRANSACTION READ ONLY")
        total = await session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
        await _progress(sessions, export.id, rows_total=total or 0)
        result = await session.stream(stmt.execution_options(yield_per=BATCH_ROWS))
        async for batch in result.partitions(BATCH_ROWS):
            lines = [line(r) for r in batch]
            await asyncio.to_thread(writer.write, lines)
            done += len(lines)
            if rules.progress_due(done, reported, every):
                await _progress(sessions, export.id, rows_done=done)
                reported = done
        await session.rollback()
    return done


def export_plan(kind: ExportKind, f: ExportFilter, region_code: str, today: date, *,
                unmask: bool) -> tuple[Select, Callable[[Any], tuple]]:
    """The query of a kind and how one of its rows becomes a line of the file. Every kind is
    scoped and filtered the same way, through the declaration it is about (its work unit's
    region, its year, its state today, its last change)."""
    if kind is ExportKind.RESULTS:
        return _filtered(result_rows(), f, region_code, today), lambda r: rules.result_row(_result(r), unmask=unmask)
    if kind is ExportKind.CERTIFICATES:
        return (_filtered(certificate_rows(), f, region_code, today),
                lambda r: rules.certificate_row(_certificate(r), unmask=unmask))
    return (declaration_rows(f, region_code, today),
            lambda r: rules.declaration_row(_row(r), today=today, unmask=unmask))


def declaration_rows(f: ExportFilter, region_code: str, today: date) -> Select:
    """The export's query: one row per declaration, with the names a HR system needs."""
    stmt = (
        select(Declaration.id, Declaration.year, Person.name, Person.id_number, Unit.name.label("unit_name"),
               Unit.uscc, Unit.region_code, Region.name.label("region_name"),
               CatalogSeries.name.label("series_name"), Declaration.level, CatalogTitle.name.label("title_name"),
               CatalogSpecialty.name.label("specialty_name"), Declaration.method, Declaration.status,
               Declaration.correction_deadline, Declaration.confirmed_at, Declaration.accepted_at,
               Declaration.updated_at)
        .join(Person, Person.id == Declaration.person_id)
        .join(Unit, Unit.id == Declaration.work_unit_id)
        .join(Region, Region.code == Unit.region_code)
        .join(CatalogSeries, CatalogSeries.code == Declaration.series_code)
        .join(CatalogTitle, CatalogTitle.code == Declaration.title_code)
        .join(CatalogSpecialty, CatalogSpecialty.code == Declaration.specialty_code)
        .where(Declaration.status != DeclarationStatus.DRAFT)
        .order_by(Declaration.id)
    )
    return _filtered(stmt, f, region_code, today)


def result_rows() -> Select:
    """One row per session candidate whose ballot is closed (tallied), in session order."""
    return (
        select(Declaration.id, Declaration.year, Person.name, Person.id_number, Unit.name.label("unit_name"),
               Unit.region_code, CatalogSeries.name.label("series_name"), Declaration.level,
               CatalogTitle.name.label("title_name"), CatalogSpecialty.name.label("specialty_name"),
               Committee.name.label("committee_name"), ReviewSession.name.label("session_name"),
               ReviewSession.meeting_on, SessionCandidate.present, SessionCandidate.agree,
               SessionCandidate.disagree, SessionCandidate.abstain, SessionCandidate.passed, Declaration.status)
        .select_from(SessionCandidate)
        .join(ReviewSession, ReviewSession.id == SessionCandidate.session_id)
        .join(Committee, Committee.id == ReviewSession.committee_id)
        .join(Declaration, Declaration.id == SessionCandidate.declaration_id)
        .join(Person, Person.id == Declaration.person_id)
        .join(Unit, Unit.id == Declaration.work_unit_id)
        .join(CatalogSeries, CatalogSeries.code == Declaration.series_code)
        .join(CatalogTitle, CatalogTitle.code == Declaration.title_code)
        .join(CatalogSpecialty, CatalogSpecialty.code == Declaration.specialty_code)
        .where(SessionCandidate.passed.is_not(None))
        .order_by(SessionCandidate.id)
    )


def certificate_rows() -> Select:
    """One row per certificate, revoked ones included, in issue order. What it shows comes
    from the certificate (copied at issue); only the full ID number is read from the person."""
    return (
        select(Certificate.number, Certificate.declaration_id, Certificate.holder_name, Person.id_number,
               Certificate.series_name, Certificate.level_name, Certificate.title_name,
               Certificate.specialty_name, Certificate.committee_name, Certificate.region_code,
               Certificate.issued_by, Certificate.issued_on, Certificate.revoked_at)
        .select_from(Certificate)
        .join(Declaration, Declaration.id == Certificate.declaration_id)
        .join(Person, Person.id == Certificate.person_id)
        .join(Unit, Unit.id == Declaration.work_unit_id)
        .order_by(Certificate.id)
    )


def _filtered(stmt: Select, f: ExportFilter, region_code: str, today: date) -> Select:
    status = case((and_(Declaration.status == DeclarationStatus.RETURNED, Declaration.correction_deadline < today),
                   literal(DeclarationStatus.ABANDONED.value)), else_=Declaration.status)
    if region_code != PROVINCE_CODE:
        stmt = stmt.where(Unit.region_code == region_code)
    if f.year is not None:
        stmt = stmt.where(Declaration.year == f.year)
    if f.states:
        stmt = stmt.where(status.in_([s.value for s in f.states]))
    if f.updated_since is not None:
        stmt = stmt.where(Declaration.updated_at >= f.updated_since)
    return stmt


def _row(r) -> rules.DeclarationExportRow:
    return rules.DeclarationExportRow(
        global_id=rules.declaration_global_id(r.id), year=r.year, name=r.name, id_number=r.id_number,
        unit_name=r.unit_name, unit_credit_code=r.uscc, region_code=r.region_code, region_name=r.region_name,
        series_name=r.series_name, level=_value(r.level), title_name=r.title_name, specialty_name=r.specialty_name,
        method=_value(r.method), status=DeclarationStatus(_value(r.status)), correction_deadline=r.correction_deadline,
        confirmed_at=r.confirmed_at, accepted_at=r.accepted_at, updated_at=r.updated_at,
    )


def _result(r) -> rules.ResultExportRow:
    return rules.ResultExportRow(
        global_id=rules.declaration_global_id(r.id), year=r.year, name=r.name, id_number=r.id_number,
        unit_name=r.unit_name, region_code=r.region_code, series_name=r.series_name, level=_value(r.level),
        title_name=r.title_name, specialty_name=r.specialty_name, committee_name=r.committee_name,
        session_name=r.session_name, meeting_on=r.meeting_on, present=r.present, agree=r.agree,
        disagree=r.disagree, abstain=r.abstain, passed=r.passed, status=DeclarationStatus(_value(r.status)),
    )


def _certificate(r) -> rules.CertificateExportRow:
    return rules.CertificateExportRow(
        number=r.number, declaration_global_id=rules.declaration_global_id(r.declaration_id),
        holder_name=r.holder_name, id_number=r.id_number, series_name=r.series_name, level_name=r.level_name,
        title_name=r.title_name, specialty_name=r.specialty_name, committee_name=r.committee_name,
        region_code=r.region_code, issued_by=r.issued_by, issued_on=r.issued_on,
        revoked_on=beijing_date(r.revoked_at) if r.revoked_at is not None else None,
    )


def _value(v: Any) -> str:
    return v.value if hasattr(v, "value") else str(v)


# --- writers: each appends rows as they come; nothing is held but the current batch --------

Columns = tuple[tuple[str, str], ...]


class RowWriter(Protocol):
    def write(self, rows: list[tuple]) -> None: ...
    def close(self) -> None: ...
    def abort(self) -> None: ...


class _TextWriter:
    def __init__(self, path: Path, encoding: str) -> None:
        self.path = path
        self.file: IO[str] = path.open("w", encoding=encoding, newline="")

    def close(self) -> None:
        self.file.close()

    def abort(self) -> None:
        self.file.close()
        self.path.unlink(missing_ok=True)


class CsvWriter(_TextWriter):
    def __init__(self, path: Path, columns: Columns) -> None:
        super().__init__(path, "utf-8-sig")  # the BOM: Excel reads the Chinese right
        self.csv = csv.writer(self.file)
        self.csv.writerow([header for _, header in columns])

    def write(self, rows: list[tuple]) -> None:
        self.csv.writerows(rows)


class JsonLinesWriter(_TextWriter):
    def __init__(self, path: Path, columns: Columns) -> None:
        super().__init__(path, "utf-8")
        self.keys = tuple(key for key, _ in columns)

    def write(self, rows: list[tuple]) -> None:
        self.file.write("".join(orjson.dumps(dict(zip(self.keys, r, strict=True))).decode() + "\n" for r in rows))


class XlsxWriter:
    """xlsxwriter in constant_memory mode: each row is flushed to a temporary file as soon as
    the next one starts, so memory does not grow with the rows."""

    def __init__(self, path: Path, columns: Columns, sheet: str) -> None:
        self.path = path
        self.book = xlsxwriter.Workbook(str(path), {"constant_memory": True, "tmpdir": str(path.parent)})
        self.sheet = self.book.add_worksheet(sheet)
        self.sheet.write_row(0, 0, [header for _, header in columns])
        self.next_row = 1

    def write(self, rows: list[tuple]) -> None:
        for r in rows:
            self.sheet.write_row(self.next_row, 0, r)
            self.next_row += 1

    def close(self) -> None:
        self.book.close()

    def abort(self) -> None:
        try:
            self.book.close()
        finally:
            self.path.unlink(missing_ok=True)


def open_writer(fmt: ExportFormat, path: Path, kind: ExportKind) -> RowWriter:
    columns = rules.COLUMNS[kind]
    if fmt is ExportFormat.CSV:
        return CsvWriter(path, columns)
    if fmt is ExportFormat.JSONL:
        return JsonLinesWriter(path, columns)
    return XlsxWriter(path, columns, rules.LABELS[kind])


# --- expiry ---------------------------------------------------------------------------------

@jobs.queue.periodic(cron="* * * * *", periodic_id="exports.expire")
@jobs.queue.task(name="exports.expire", queue="exports", pass_context=True)
async def expire_exports_job(context: procrastinate.JobContext, timestamp: int) -> None:
    """Every minute: finished exports past their time become EXPIRED and lose their file."""
    services = jobs.services(context)
    await expire_exports(services.session_factory, services.settings.export_dir, services.clock.now())


async def expire_exports(sessions: async_sessionmaker, export_dir: Path, now: datetime) -> int:
    async with sessions() as session, session.begin():
        expired = list(await session.scalars(
            update(Export).where(Export.state == ExportState.SUCCEEDED, Export.expires_at <= now)
            .values(state=ExportState.EXPIRED).returning(Export)))
    for export in expired:  # after the commit: a file is removed only once its row says so
        await asyncio.to_thread(export_path(export_dir, export).unlink, missing_ok=True)
    return len(expired)
