"""/healthz (the process lives), /readyz (the database answers too) and /metrics (Prometheus)."""

from __future__ import annotations

import hmac
import logging

from prometheus_client import CONTENT_TYPE_PLAIN_0_0_4
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from core import metrics

log = logging.getLogger("zhicheng")


def health_routes(engine: AsyncEngine, metrics_token: str | None = None) -> list[Route]:
    """/metrics tells how busy the server is and how much SQL it runs, which is nobody's
    business but the operator's: it answers only `Authorization: Bearer <metrics_token>`
    (401 otherwise) and, with no token configured, not at all (404)."""
    async def healthz(_: Request) -> Response:
        return JSONResponse({"status": "ok"})

    metrics.watch_engine(engine)

    async def metrics_endpoint(request: Request) -> Response:
        if not metrics_token:
            return JSONResponse({"error": "Not Found"}, status_code=404)
        scheme, _, given = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), metrics_token.encode()):
            return JSONResponse({"error": "需要监控令牌"}, status_code=401, headers={"WWW-Authenticate": "Bearer"})
        return Response(metrics.render(), media_type=CONTENT_TYPE_PLAIN_0_0_4)

    async def readyz(_: Request) -> Response:
        try:
            async with engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
        except Exception as error:
            # One line: probes repeat every few seconds for as long as the outage lasts.
            log.warning("readiness check failed: %s: %.200s", type(error).__name__, error)
            return JSONResponse({"status": "unavailable", "database": False}, status_code=503)
        return JSONResponse({"status": "ok", "database": True})

    return [
        Route("/healthz", healthz),
        Route("/readyz", readyz),
        Route("/metrics", metrics_endpoint),
    ]
