"""The GraphQL endpoint: strawberry's ASGI view with our per-request context."""

from __future__ import annotations

import json
import logging

import orjson
from cross_web import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send
from strawberry.asgi import GraphQL

from app.auth import authenticate_on, bearer_token
from core.http import json_error
from core.outage import RETRY_AFTER_SECONDS, UNAVAILABLE_CODE
from core.request_context import current_request
from core.services import AppServices
from schema import schema
from schema.context import Context

log = logging.getLogger("zhicheng.http")


class GraphQLApp(GraphQL):
    """strawberry's ASGI view with our context, a fast JSON encoder, JSON errors for
    refused requests, and 503 for answers the database could not give."""

    def __init__(self, services: AppServices, **kwargs) -> None:
        super().__init__(schema, **kwargs)
        self.services = services

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        record = current_request()
        if record is not None:
            record.graphql = True
        try:
            response = await self.run(Request(scope=scope, receive=receive))
        except HTTPException as refused:  # strawberry's refusals (bad JSON, mutation over GET …)
            if record is not None:
                record.note_codes(["BAD_REQUEST"])
            response = json_error(refused.status_code, "BAD_REQUEST", refused.reason)
        finally:
            # Whatever path strawberry took, the request's connection goes back to the pool
            # before the answer is sent: a client slow to read it holds no connection.
            await self._close_context(scope)
        if record is not None:
            record.outcome = record.graphql_outcome()
        await response(scope, receive, send)

    @staticmethod
    async def _close_context(scope: Scope) -> None:
        context = scope.get("state", {}).get("graphql_context")
        if context is None:
            return
        try:
            await context.close()
        except Exception as error:  # a connection that died with the database; the pool drops it
            log.warning("closing the request's session failed: %s: %.200s", type(error).__name__, error)

    async def get_context(self, request: Request, response: Response) -> Context:
        context = Context(services=self.services, request=request, viewer=None)
        request.state.graphql_context = context
        token = bearer_token(request)
        if token:
            context.viewer = await authenticate_on(context.session, self.services, token)
        record = current_request()
        if record is not None and context.viewer is not None:
            record.account_id = context.viewer.account.id  # the id only: never a name or an ID number
        return context

    def decode_json(self, data: str | bytes) -> object:
        # json raises RecursionError for nesting deeper than ~1,000 and ValueError for
        # integers of more than 4,300 digits; strawberry would let both become a 500.
        try:
            return json.loads(data)
        except (ValueError, RecursionError):
            raise HTTPException(400, "请求体不是可解析的 JSON（语法错误、嵌套过深或数字过长）") from None

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)

    def create_response(self, response_data, sub_response: Response) -> Response:
        response = super().create_response(response_data, sub_response)
        if _only_unavailable(response_data):
            response.status_code = 503
            response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response


def _only_unavailable(response_data: object) -> bool:
    """Whether every error of the answer (or of every answer of a batch) is the database's."""
    results = response_data if isinstance(response_data, list) else [response_data]
    errors = [e for r in results if isinstance(r, dict) for e in (r.get("errors") or [])]
    return bool(errors) and all((e.get("extensions") or {}).get("code") == UNAVAILABLE_CODE for e in errors)
