"""The GraphQL endpoint: strawberry's ASGI view with our per-request context, our GraphiQL page
(app/graphiql.py), and every refusal as a GraphQL JSON body in the media type the client asked for.

GraphQL over HTTP (the GraphQL Foundation's spec): a client whose Accept names
`application/graphql-response+json` gets its answers in that media type, and a request error
(the document does not parse or validate, an unknown operation name …, no `data` entry) with a
4xx status; a client of plain `application/json` (or no Accept) gets 200 for every GraphQL
result, as before. Transport refusals (malformed JSON, wrong content type, GET mutation, a body
too large) are 4xx with a JSON error body in either case: GraphiQL shows their message instead
of "Unexpected token".
"""

from __future__ import annotations

import json
import logging

import orjson
from cross_web import HTTPException
from starlette.datastructures import Headers, MutableHeaders
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from strawberry.asgi import GraphQL
from strawberry.exceptions import MissingQueryError
from strawberry.http import GraphQLHTTPResponse
from strawberry.http.parse_content_type import parse_content_type
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType

from app import graphiql
from app.auth import authenticate_on, bearer_token
from core.http import json_error
from core.outage import RETRY_AFTER_SECONDS, UNAVAILABLE_CODE
from core.request_context import current_request
from core.services import AppServices
from resolvers.env import ClientViewer
from schema import schema
from schema.context import Context

log = logging.getLogger("zhicheng.http")

GRAPHQL_RESPONSE = "application/graphql-response+json"
#: POST bodies the endpoint reads; anything else is 415.
_BODY_TYPES = ("application/json", "multipart/form-data")
_CODES = {400: "BAD_REQUEST", 404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED", 415: "UNSUPPORTED_MEDIA_TYPE"}
_OPERATION_NAMES = {OperationType.MUTATION: "变更（mutation）", OperationType.SUBSCRIPTION: "订阅（subscription）",
                    OperationType.QUERY: "查询（query）"}


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
        if scope["method"] not in ("GET", "POST"):
            # Before anything is read or authenticated; Starlette would answer in plain text.
            response: Response = json_error(405, "METHOD_NOT_ALLOWED", "GraphQL 接口只接受 GET 和 POST 请求",
                                            {"Allow": "GET, POST"})
            if record is not None:
                record.note_codes(["METHOD_NOT_ALLOWED"])
            await response(scope, receive, send)
            return
        try:
            response = await self.run(Request(scope=scope, receive=receive))
        except HTTPException as refused:  # strawberry's refusals and ours (bad JSON, mutation over GET …)
            response = _refusal(refused)
            if record is not None:
                record.note_codes([_error_code(response)])
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
            caller = await authenticate_on(context.session, self.services, token,
                                           client_address=context.client_address)
            if isinstance(caller, ClientViewer):
                context.client = caller
            else:
                context.viewer = caller
        record = current_request()
        if record is not None and context.viewer is not None:
            record.account_id = context.viewer.account.id  # the id only: never a name or an ID number
        if record is not None and context.client is not None:
            record.api_client_id = context.client.api_client.client_id
        return context

    async def render_graphql_ide(self, request: Request) -> Response:
        return graphiql.page_response(request)

    async def parse_http_body(self, request_adapter):
        if request_adapter.method == "POST":
            media_type, _ = parse_content_type(request_adapter.content_type or "")
            if media_type not in _BODY_TYPES:
                raise HTTPException(415, "请求体须为 application/json（上传文件用 multipart/form-data），"
                                         f"收到的是 {media_type or '无 Content-Type'}")
        try:
            return await super().parse_http_body(request_adapter)
        except AttributeError:
            # strawberry calls `.get` on whatever the body decoded to: `"x"` or `5` was a 500.
            raise HTTPException(400, "请求体须是一个 JSON 对象，如 {\"query\": \"{ me { loginName } }\"}") from None

    def decode_json(self, data: str | bytes) -> object:
        # json raises RecursionError for nesting deeper than ~1,000 and ValueError for
        # integers of more than 4,300 digits; strawberry would let both become a 500.
        try:
            return json.loads(data)
        except (ValueError, RecursionError):
            raise HTTPException(400, "请求体不是可解析的 JSON（语法错误、嵌套过深或数字过长）") from None

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)

    async def process_result(self, request: Request, result: ExecutionResult) -> GraphQLHTTPResponse:
        response_data = await super().process_result(request, result)
        if _request_error(result) and prefers_graphql_response(request.headers.get("accept", "")):
            # The spec: an error before execution has no `data` entry (and a 4xx status, below).
            response_data.pop("data", None)
        return response_data

    def create_response(self, response_data, sub_response: Response) -> Response:
        response = super().create_response(response_data, sub_response)
        if isinstance(response_data, dict) and "data" not in response_data:
            response.status_code = 400  # a request error answered as application/graphql-response+json
        elif _only_unavailable(response_data):
            response.status_code = 503
            response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response


def _error_code(response: Response) -> str:
    """The code of an error body made by `json_error` (for the request's log line)."""
    try:
        return str(orjson.loads(bytes(response.body))["errors"][0]["extensions"]["code"])
    except (ValueError, KeyError, IndexError, TypeError):
        return "BAD_REQUEST"


def _refusal(refused: HTTPException) -> Response:
    """A refused request as a GraphQL error body; strawberry's English reasons for the
    common ones replaced by what the client can do about it."""
    cause = refused.__cause__
    if isinstance(cause, CannotGetOperationTypeError):
        message = ("文档中没有可执行的操作" if cause.operation_name is None
                   else f"文档中没有名为 {cause.operation_name} 的操作（operationName）")
        return json_error(400, "BAD_REQUEST", message)
    if isinstance(cause, InvalidOperationTypeError):
        # GraphQL over HTTP: a mutation over GET is 405, and only POST is allowed for it.
        return json_error(405, "METHOD_NOT_ALLOWED",
                          f"{_OPERATION_NAMES[cause.operation_type]}只能用 POST 发送，不能用 GET",
                          {"Allow": "POST"})
    if isinstance(cause, MissingQueryError):
        return json_error(400, "BAD_REQUEST", "请求中没有 GraphQL 查询（query）")
    status = refused.status_code
    return json_error(status, _CODES.get(status, "BAD_REQUEST"), refused.reason)


def _request_error(result: ExecutionResult) -> bool:
    """An error before execution: nothing was resolved (no data) and no error has a path."""
    errors = result.errors or []
    return result.data is None and bool(errors) and all(not e.path for e in errors)


def _only_unavailable(response_data: object) -> bool:
    """Whether every error of the answer (or of every answer of a batch) is the database's."""
    results = response_data if isinstance(response_data, list) else [response_data]
    errors = [e for r in results if isinstance(r, dict) for e in (r.get("errors") or [])]
    return bool(errors) and all((e.get("extensions") or {}).get("code") == UNAVAILABLE_CODE for e in errors)


# --- the media type of the answers ------------------------------------------------------


def _quality(accept: str, media_type: str) -> float:
    """The q of `media_type` in an Accept header (0 when absent)."""
    for part in accept.split(","):
        name, *params = (p.strip() for p in part.split(";"))
        if name.lower() != media_type:
            continue
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    return float(value)
                except ValueError:
                    return 0.0
        return 1.0
    return 0.0


def prefers_graphql_response(accept: str) -> bool:
    """Whether to answer `application/graphql-response+json`: the client names it, at least
    as much as `application/json`. Without it (no Accept, `*/*`) answers stay application/json."""
    wanted = _quality(accept, GRAPHQL_RESPONSE)
    return wanted > 0 and wanted >= _quality(accept, "application/json")


class GraphQLResponseMediaType:
    """Every JSON answer of `/graphql` — results and the refusals of the middleware around it
    (413, 408, 503 …) — in `application/graphql-response+json` when the client prefers it."""

    def __init__(self, app: ASGIApp, path: str = "/graphql") -> None:
        self.app = app
        self.path = path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (scope["type"] != "http" or scope["path"] != self.path
                or not prefers_graphql_response(Headers(scope=scope).get("accept", ""))):
            await self.app(scope, receive, send)
            return

        async def send_as_graphql_response(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(raw=list(message.get("headers", [])))
                if headers.get("content-type", "").startswith("application/json"):
                    headers["content-type"] = f"{GRAPHQL_RESPONSE}; charset=utf-8"
                    message["headers"] = headers.raw
            await send(message)

        await self.app(scope, receive, send_as_graphql_response)
