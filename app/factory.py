"""The Starlette app: routes, middleware, lifespan; and the factory each uvicorn worker calls."""

from __future__ import annotations

import asyncio
import contextlib
import os

from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import Route

from app.downloads import certificate_route, download_route
from app.exports import export_download_route
from app.graphiql import graphiql_routes
from app.graphql_view import GraphQLApp, GraphQLResponseMediaType
from app.health import health_routes
from app.oauth import token_route
from app.verify_page import verify_route
from core import db, metrics
from core.config import Settings
from core.http import BufferedBody, ConcurrencyLimit, ErrorGuard, MultipartCsrfGuard, RequestLog, SecurityHeaders
from core.services import AppServices, build_services
from resolvers import catalog

# Set by `zhicheng serve` before it starts the workers (app.cli).
SERVE_URL_ENV = "ZHICHENG_SERVE_DATABASE_URL"


def create_app(services: AppServices, engine: AsyncEngine, lifespan=None) -> Starlette:
    graphql = GraphQLApp(services, multipart_uploads_enabled=True, allow_queries_via_get=True)
    settings = services.settings
    routes = [
        # Every method reaches the view, which answers any but GET and POST with a JSON 405.
        Route("/graphql", graphql),
        *graphiql_routes(),
        download_route(services),
        certificate_route(services),
        verify_route(services),
        export_download_route(services),
        token_route(services),
        *health_routes(engine, settings.metrics_token),
    ]
    return Starlette(
        routes=routes,
        # Outermost first. The request id comes first, so every line logged for the request
        # carries it (refusals of the layers below included). The body is complete before a
        # request takes a slot, and a slot before anything opens a database session.
        middleware=[
            Middleware(RequestLog, on_finish=metrics.observe_request),
            Middleware(SecurityHeaders),
            Middleware(GraphQLResponseMediaType),
            Middleware(ErrorGuard),
            Middleware(MultipartCsrfGuard),
            Middleware(
                BufferedBody,
                json_limit=settings.max_json_body,
                # The file itself plus room for the operations and map parts.
                multipart_limit=settings.max_upload_bytes + 256 * 1024,
                json_timeout=settings.body_timeout,
                upload_timeout=settings.upload_timeout,
            ),
            Middleware(ConcurrencyLimit, limit=settings.request_slots, queue=settings.max_waiting,
                       wait_timeout=settings.queue_timeout, on_change=metrics.slots_changed),
        ],
        lifespan=lifespan,
    )


def app_from_env() -> Starlette:
    """The app factory each uvicorn worker calls: the database was prepared by `serve`."""
    settings = Settings.from_env()
    engine = db.create_engine(os.environ[SERVE_URL_ENV], pool_size=settings.db_pool_size,
                              pool_timeout=settings.db_pool_timeout,
                              ping_after_idle=settings.db_ping_after_idle)

    services = build_services(settings, engine)

    @contextlib.asynccontextmanager
    async def lifespan(_app):
        # The catalogue is data in the database: serve it from the first request, then follow
        # other workers' changes (resolvers/catalog.py says why by polling).
        await catalog.reload(services.session_factory)
        watcher = asyncio.create_task(catalog.watch(services.session_factory, settings.catalog_refresh_seconds))
        try:
            yield
        finally:
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher
            await engine.dispose()
            metrics.worker_exited()

    return create_app(services, engine, lifespan=lifespan)
