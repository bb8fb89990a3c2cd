"""The command line.

    zhicheng --version
    zhicheng serve [--host 127.0.0.1] [--port $PORT|8000] [--demo]   (--help lists the settings)
    zhicheng settings [--markdown]
    zhicheng migrate
    zhicheng create-admin --login L --region CODE
    zhicheng export-schema [--output schema.graphql]
    zhicheng worker
    zhicheng load-registry FILE.csv
    zhicheng reset-admin-password --login L
    zhicheng verify-audit
    zhicheng documents add FILE.graphql… | documents list [--all] | documents retire ID
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import getpass
import importlib.metadata
import logging.config
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from app.database import open_database, prepare_database, run_in_transaction, with_services
from app.factory import SERVE_URL_ENV
from app.first_start import first_start
from app.logs import log_config
from app.worker import run_worker
from core.config import PROJECT_ROOT, Settings, declared, settings_help, settings_table
from core.metrics import MULTIPROC_ENV
from core.services import AppServices
from resolvers import accounts, admin, audit, permission
from resolvers import trusted_documents as documents
from resolvers.env import Env
from rules.errors import RuleViolation, RuleViolations
from rules.trusted_documents import DocumentSource
from schema import schema
from schema.trusted_documents import check_document


def serve(args: argparse.Namespace) -> None:
    import uvicorn

    settings = Settings.from_env()
    database = open_database(settings)
    metrics_dir = None
    worker: subprocess.Popen | None = None
    try:
        asyncio.run(prepare_database(database.url))
        asyncio.run(first_start(database.url, args.demo))
        print(f"  GraphiQL: http://{args.host}:{args.port}/graphql", flush=True)
        # Workers are separate processes: they find the database through the environment.
        # Nothing else is shared between them (sessions, lockouts live in PostgreSQL).
        os.environ[SERVE_URL_ENV] = database.url
        if args.workers > 1:
            # Each worker keeps its metrics in files here and /metrics adds them up (core.metrics).
            # A fresh directory: files left by an earlier run would be counted again.
            metrics_dir = tempfile.mkdtemp(prefix="zhicheng-metrics-")
            os.environ[MULTIPROC_ENV] = metrics_dir
        if args.worker and settings.serve_worker == "ON":
            worker = start_worker_process()
        # uvicorn handles SIGINT/SIGTERM (lifespan shutdown runs), then re-raises the signal
        # to the handler it found. Make that handler exit normally so `finally` stops PostgreSQL.
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        # uvicorn's access log is off: core.http.RequestLog writes one line per request
        # with the request id, the duration and the outcome (--no-access-log quiets it).
        uvicorn.run("app.factory:app_from_env", factory=True, host=args.host, port=args.port,
                    workers=args.workers, log_level=settings.log_level.lower(), access_log=False,
                    log_config=log_config(settings.log_level, request_log=args.access_log))
    finally:
        if worker is not None:
            stop_worker_process(worker, settings)
        database.stop()
        if metrics_dir is not None:
            shutil.rmtree(metrics_dir, ignore_errors=True)


def start_worker_process() -> subprocess.Popen:
    """`zhicheng worker` as a child of `serve`, on the database `serve` prepared (the URL is in
    the environment). In a session of its own: a Ctrl-C at the terminal reaches `serve` only,
    which then stops the worker once (a second signal would cancel its running jobs)."""
    command = [sys.executable, "-c", "from app.cli import main; main()", "worker"]
    return subprocess.Popen(command, start_new_session=True)


def stop_worker_process(worker: subprocess.Popen, settings: Settings) -> None:
    """SIGTERM, the worker's grace period for running jobs, then SIGKILL; before the embedded
    PostgreSQL stops under it."""
    if worker.poll() is None:
        worker.send_signal(signal.SIGTERM)
    try:
        worker.wait(timeout=settings.worker_shutdown_seconds + 10)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait()


def cmd_worker(_: argparse.Namespace) -> None:
    """Run queued jobs (exports, webhook deliveries) until SIGTERM/SIGINT."""
    settings = Settings.from_env()
    # Until procrastinate installs its own handlers (graceful stop), a SIGTERM exits through
    # `finally`, which stops the embedded PostgreSQL.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    served = os.environ.get(SERVE_URL_ENV)
    if served:  # a child of `serve`, which prepared the database and stops it after us
        asyncio.run(_until_orphaned(run_worker(served, settings)))
        return
    database = open_database(settings)
    try:
        asyncio.run(prepare_database(database.url))
        print("worker: running jobs (SIGTERM or Ctrl-C stops it)", flush=True)
        asyncio.run(run_worker(database.url, settings))
    finally:
        database.stop()


async def _until_orphaned(work, poll_seconds: float = 2.0) -> None:
    """Run `work`; stop it gracefully when the parent (`serve`) is gone, e.g. SIGKILLed."""
    parent = os.getppid()
    task = asyncio.create_task(work)
    while not task.done():
        await asyncio.wait({task}, timeout=poll_seconds)
        if not task.done() and os.getppid() != parent:
            task.cancel()  # procrastinate stops as on a signal: running jobs may finish
            with contextlib.suppress(asyncio.CancelledError):
                await task
            return
    task.result()


class _MigrationProgress(logging.Handler):
    """Prints each revision as Alembic starts applying it ("Running upgrade A -> B, doc")."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.applied = 0

    def emit(self, record: logging.LogRecord) -> None:
        step = record.args[0] if isinstance(record.args, tuple) and record.args else None
        revisions = getattr(step, "to_revisions_no_deps", None)
        if revisions is None:
            return
        self.applied += 1
        print(f"  applying {', '.join(revisions)}: {getattr(step, 'doc', '') or ''}".rstrip(), flush=True)


@contextlib.contextmanager
def migration_progress() -> Iterator[_MigrationProgress]:
    """Alembic's per-revision lines as progress on stdout, instead of log lines."""
    logger = logging.getLogger("alembic.runtime.migration")
    handler, propagate = _MigrationProgress(), logger.propagate
    logger.addHandler(handler)
    logger.propagate = False
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate


def cmd_migrate(_: argparse.Namespace) -> None:
    settings = Settings.from_env()
    database = open_database(settings)
    started = time.monotonic()
    try:
        with migration_progress() as progress:
            asyncio.run(prepare_database(database.url))
        print(f"migrated to head ({progress.applied} revisions applied, reference data loaded, "
              f"{time.monotonic() - started:.1f} s)")
    finally:
        database.stop()


def cmd_create_admin(args: argparse.Namespace) -> None:
    settings = Settings.from_env()
    database = open_database(settings)
    password = os.environ.get("ZHICHENG_ADMIN_PASSWORD") or getpass.getpass("password: ")

    async def work(services: AppServices) -> None:
        await run_in_transaction(services, accounts.create_admin, login_name=args.login,
                                 password=password, region_code=args.region, name=args.name)

    try:
        with_services(settings, database, work)
        print(f"admin {args.login} created for region {args.region}")
    except (RuleViolation, RuleViolations) as exc:
        _print_errors(exc)
        raise SystemExit(2) from None


def _print_errors(exc: RuleViolation | RuleViolations) -> None:
    for e in exc.errors if isinstance(exc, RuleViolations) else [exc]:
        print(f"error: {e.code.value}: {e.message}", file=sys.stderr)


def _audited(action: str, step):
    """A step of the server's command line, in the audit log like an admin's (no account:
    whoever ran it had the server's shell)."""

    async def audited(env: Env, **kwargs):
        return await _run_audited(env, action, step, **kwargs)

    return audited


async def _run_audited(env: Env, action: str, step, **kwargs):
    result = await step(env, **kwargs)
    note = env.audit
    reason = f"命令行; {note.reason}" if note.reason else "命令行"
    await audit.record(env, action, object_type=note.object_type, object_id=note.object_id, reason=reason,
                       region_code=note.region_code)
    return result


def cmd_load_registry(args: argparse.Namespace) -> None:
    """Replace the code registry the permission check compares name + code against: the
    same checks as importRegistry, all or nothing."""
    settings = Settings.from_env()
    path = Path(args.file)
    if path.stat().st_size > settings.registry_max_bytes:
        print(f"error: REGISTRY_TOO_LARGE: more than {settings.registry_max_bytes} bytes", file=sys.stderr)
        raise SystemExit(2)
    data = path.read_bytes()
    print(f"read {len(data)} bytes from {path}; checking every row …", flush=True)

    def loaded(done: int, total: int) -> None:
        print(f"  loaded {done}/{total}", flush=True)

    async def work(services: AppServices):
        return await run_in_transaction(services, _audited("registry.import", permission.import_registry),
                                        data=data, file_name=path.name, progress=loaded)

    try:
        load = with_services(settings, open_database(settings), work)
    except permission.RegistryRejected as exc:
        for row in exc.report.rejected:
            print(f"line {row.line}: {row.code.value}: {row.uscc or ''}: {row.message}", file=sys.stderr)
        more = exc.report.rejected_count - len(exc.report.rejected)
        if more:
            print(f"… and {more} more bad rows", file=sys.stderr)
        print(f"error: {exc.code.value}: {exc.message}", file=sys.stderr)
        raise SystemExit(2) from None
    except (RuleViolation, RuleViolations) as exc:
        _print_errors(exc)
        raise SystemExit(2) from None
    print(f"loaded {load.entries} registry entries")


def cmd_reset_admin_password(args: argparse.Namespace) -> None:
    """Recover a lost admin password on the server: a new one-time password, printed once;
    the admin's sessions end and its next login must change it."""
    settings = Settings.from_env()

    async def work(services: AppServices):
        return await run_in_transaction(services, _audited("account.reset_password", admin.reset_admin_password),
                                        login_name=args.login)

    try:
        reset = with_services(settings, open_database(settings), work)
    except (RuleViolation, RuleViolations) as exc:
        _print_errors(exc)
        raise SystemExit(2) from None
    print(f"new one-time password for {reset.account.login_name}: {reset.temporary_password}\n"
          "(shown once; the first login with it must change it with changePassword)")


def cmd_verify_audit(_: argparse.Namespace) -> None:
    """Recompute the audit log's hash chain; exit 1 at the first row that does not fit."""
    settings = Settings.from_env()

    async def work(services: AppServices):
        async with services.session_factory() as session, session.begin():
            return await audit.verify_chain(session)

    report = with_services(settings, open_database(settings), work)
    if report.ok:
        print(f"audit chain intact: {report.checked} entries")
        return
    print(f"audit chain BROKEN at entry {report.first_broken_id} ({report.checked} entries verified before it)",
          file=sys.stderr)
    raise SystemExit(1)


async def _add_file(env: Env, *, path: Path) -> documents.Registered:
    text = path.read_text(encoding="utf-8")
    check_document(schema._schema, text)
    return await documents.add_document(env, text=text, name=path.name, source=DocumentSource.FILE)


def cmd_documents_add(args: argparse.Namespace) -> None:
    """Register each file as a trusted document (a frontend's build output): idempotent, and
    all files or none (one bad file refuses the lot, so a deploy never half-registers)."""
    settings = Settings.from_env()
    paths = [Path(f) for f in args.files]

    async def work(services: AppServices):
        async def add_all(env: Env) -> list[documents.Registered]:
            added = []
            for path in paths:
                try:
                    added.append(await _run_audited(env, "trusted_document.add", _add_file, path=path))
                except RuleViolation as exc:
                    raise RuleViolation(exc.code, f"{path}: {exc.message}", exc.field) from None
            return added
        return await run_in_transaction(services, add_all)

    try:
        registered = with_services(settings, open_database(settings), work)
    except (RuleViolation, RuleViolations) as exc:
        _print_errors(exc)
        raise SystemExit(2) from None
    for path, r in zip(paths, registered, strict=True):
        print(f"{r.document.id}  {'added' if r.added else 'known'}  {path}")


def cmd_documents_list(args: argparse.Namespace) -> None:
    settings = Settings.from_env()

    async def work(services: AppServices):
        async with services.session_factory() as session:
            return await documents.all_documents(session, include_retired=args.all)

    for d in with_services(settings, open_database(settings), work):
        state = f"retired {d.retired_at:%Y-%m-%d}" if d.retired_at else "active"
        print(f"{d.id}  {d.source.value:5}  {d.added_at:%Y-%m-%d}  {state:18}  {d.name or ''}")


def cmd_documents_retire(args: argparse.Namespace) -> None:
    settings = Settings.from_env()

    async def work(services: AppServices):
        return await run_in_transaction(services, _audited("trusted_document.retire", documents.retire_document),
                                        document_id=args.id)

    try:
        retired = with_services(settings, open_database(settings), work)
    except (RuleViolation, RuleViolations) as exc:
        _print_errors(exc)
        raise SystemExit(2) from None
    print(f"retired {retired.id}")


def cmd_export_schema(args: argparse.Namespace) -> None:
    sdl = schema.as_str() + "\n"
    if args.output == "-":
        sys.stdout.write(sdl)
    else:
        Path(args.output).write_text(sdl, encoding="utf-8")
        print(f"wrote {args.output}")


def cmd_settings(args: argparse.Namespace) -> None:
    """The settings: the README's table, or the values this environment gives them."""
    if args.markdown:
        sys.stdout.write(settings_table())
        return
    settings = Settings.from_env()
    for f in declared():
        value = getattr(settings, f.name)
        shown = ("set" if value else "unset") if not f.repr else value
        print(f"{f.metadata['env']}={shown}")


def version() -> str:
    try:
        return importlib.metadata.version("zhicheng")
    except importlib.metadata.PackageNotFoundError:  # run from a source tree never installed
        return "unknown"


def main(argv: list[str] | None = None) -> None:
    logging.config.dictConfig(log_config(Settings.from_env().log_level))
    parser = argparse.ArgumentParser(prog="zhicheng", description="职称申报评审管理系统 API server")
    parser.add_argument("--version", action="version", version=f"zhicheng {version()}")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("serve", help="serve the API (GraphiQL at /graphql)", epilog=settings_help(),
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    p.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    p.add_argument("--demo", action="store_true", help="load a small demo province with known passwords")
    p.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "1")),
                   help="worker processes (default 1, or WEB_CONCURRENCY)")
    p.add_argument("--no-access-log", dest="access_log", action="store_false",
                   help="log requests only when shed or failed by the server")
    p.add_argument("--no-worker", dest="worker", action="store_false",
                   help="do not start a job worker (run `zhicheng worker` elsewhere; or ZHICHENG_SERVE_WORKER=OFF)")
    p.set_defaults(func=serve)

    p = sub.add_parser("worker", help="run queued jobs (exports, webhook deliveries) until SIGTERM")
    p.set_defaults(func=cmd_worker)

    p = sub.add_parser("settings", help="print every setting's environment variable and value")
    p.add_argument("--markdown", action="store_true", help="the README's table: variable, default, meaning")
    p.set_defaults(func=cmd_settings)

    p = sub.add_parser("migrate", help="apply database migrations and load reference data")
    p.set_defaults(func=cmd_migrate)

    p = sub.add_parser("create-admin", help="create a title-office admin (password from stdin or "
                                            "ZHICHENG_ADMIN_PASSWORD)")
    p.add_argument("--login", required=True)
    p.add_argument("--region", required=True, help="370000 for the province, or a city code")
    p.add_argument("--name", default="职称管理机构")
    p.set_defaults(func=cmd_create_admin)

    p = sub.add_parser("export-schema", help="write the GraphQL SDL")
    p.add_argument("--output", default=str(PROJECT_ROOT / "schema.graphql"))
    p.set_defaults(func=cmd_export_schema)

    p = sub.add_parser("load-registry", help="replace the USCC registry (CSV: name,code) used by permission "
                                             "checks; a file with any bad row is refused whole")
    p.add_argument("file")
    p.set_defaults(func=cmd_load_registry)

    p = sub.add_parser("reset-admin-password", help="print a new one-time password for an admin "
                                                    "(a lost one); its next login must change it")
    p.add_argument("--login", required=True)
    p.set_defaults(func=cmd_reset_admin_password)

    p = sub.add_parser("verify-audit", help="verify the audit log's hash chain")
    p.set_defaults(func=cmd_verify_audit)

    p = sub.add_parser("documents", help="trusted documents (persisted queries): add, list, retire")
    docs = p.add_subparsers(dest="documents_command", required=True)
    d = docs.add_parser("add", help="register .graphql files as trusted documents (idempotent; all or none)")
    d.add_argument("files", nargs="+")
    d.set_defaults(func=cmd_documents_add)
    d = docs.add_parser("list", help="list the registered documents: id, source, date, state, name")
    d.add_argument("--all", action="store_true", help="retired ones too")
    d.set_defaults(func=cmd_documents_list)
    d = docs.add_parser("retire", help="retire a document: requests naming it are refused from then on")
    d.add_argument("id", help="the document's SHA-256 (hex, optionally sha256:…)")
    d.set_defaults(func=cmd_documents_retire)

    args = parser.parse_args(argv)
    args.func(args)
