"""The Starlette app: routes, middleware, lifespan; and the factory each uvicorn worker calls."""

from __future__ import annotations

import contextlib
import os

from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import Route

from app.downloads import download_route
from app.graphql_view import GraphQLApp
from app.health import health_routes
from core import db
from core.config import Settings
from core.http import BodyLimits, MultipartCsrfGuard
from core.services import AppServices, build_services

# Set by `zhicheng serve` before it starts the workers (app.cli).
SERVE_URL_ENV = "ZHICHENG_SERVE_DATABASE_URL"


def create_app(services: AppServices, engine: AsyncEngine, lifespan=None) -> Starlette:
    graphql = GraphQLApp(services, multipart_uploads_enabled=True, allow_queries_via_get=True)
    routes = [
        Route("/graphql", graphql, methods=["GET", "POST"]),
        download_route(services),
        *health_routes(engine),
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


def app_from_env() -> Starlette:
    """The app factory each uvicorn worker calls: the database was prepared by `serve`."""
    settings = Settings.from_env()
    engine = db.create_engine(os.environ[SERVE_URL_ENV], pool_size=settings.db_pool_size)

    @contextlib.asynccontextmanager
    async def lifespan(_app):
        yield
        await engine.dispose()

    return create_app(build_services(settings, engine), engine, lifespan=lifespan)
