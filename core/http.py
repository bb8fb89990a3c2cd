"""Pure ASGI middleware for the HTTP edge: body caps and the multipart CSRF guard."""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.middleware.body_limit import RequestBodyLimitMiddleware
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

PREFLIGHT_HEADER = "graphql-require-preflight"


def _is_multipart(headers: Headers) -> bool:
    return headers.get("content-type", "").lower().startswith("multipart/")


class BodyLimits:
    """Cap request bodies: small for JSON GraphQL, one file's worth for multipart uploads."""

    def __init__(self, app: ASGIApp, *, json_limit: int, multipart_limit: int) -> None:
        self.small = RequestBodyLimitMiddleware(app, max_body_size=json_limit)
        self.large = RequestBodyLimitMiddleware(app, max_body_size=multipart_limit)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and _is_multipart(Headers(scope=scope)):
            await self.large(scope, receive, send)
        else:
            await self.small(scope, receive, send)


class MultipartCsrfGuard:
    """A browser sends a multipart form cross-site without a preflight; a custom header
    forces one, so uploads must carry `GraphQL-Require-Preflight` (or `X-Requested-With`)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            headers = Headers(scope=scope)
            if _is_multipart(headers) and not (
                headers.get(PREFLIGHT_HEADER) or headers.get("x-requested-with")
            ):
                response = JSONResponse(
                    {"errors": [{"message": "上传请求须带 GraphQL-Require-Preflight 请求头",
                                 "extensions": {"code": "CSRF_HEADER_REQUIRED"}}]},
                    status_code=400,
                )
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)
