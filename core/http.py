"""Pure ASGI middleware for the HTTP edge, outermost first as app.factory stacks them:

- `RequestLog`: a request id for every request (logs, audit rows, the X-Request-ID
  response header) and one log line summing each request up;
- `SecurityHeaders`: nosniff, no referrer, no framing and a CSP on every response;
- `ErrorGuard`: an exception that escapes a request becomes a JSON error, never a plain
  500 — and 503 with Retry-After when it says the database is unavailable;
- `MultipartCsrfGuard`: uploads must carry a header that forces a CORS preflight;
- `BufferedBody`: the whole body is read (size- and time-bounded) before the app runs;
- `ConcurrencyLimit`: per-worker load shedding for the API routes.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import tempfile
import time
from collections.abc import AsyncIterator, Callable, Iterable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import IO

from starlette.datastructures import Headers, MutableHeaders
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core.outage import RETRY_AFTER_SECONDS, UNAVAILABLE_CODE, UNAVAILABLE_MESSAGE, database_unavailable
from core.request_context import (
    CLIENT_ERROR,
    OK,
    SERVER_ERROR,
    SHED,
    RequestRecord,
    begin_request,
    current_request,
    end_request,
    note_error_codes,
    request_id_from,
)

log = logging.getLogger("zhicheng.http")

PREFLIGHT_HEADER = "graphql-require-preflight"


def _is_multipart(headers: Headers) -> bool:
    return headers.get("content-type", "").lower().startswith("multipart/")


def json_error(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    """A response in the shape of a GraphQL error, so clients have one error format."""
    return JSONResponse({"errors": [{"message": message, "extensions": {"code": code}}]},
                        status_code=status, headers=headers)


def unavailable_response() -> JSONResponse:
    return json_error(503, UNAVAILABLE_CODE, UNAVAILABLE_MESSAGE, {"Retry-After": str(RETRY_AFTER_SECONDS)})


# --- security headers -------------------------------------------------------------------

#: JSON, files and errors load nothing and may not be framed.
DEFAULT_CSP = "default-src 'none'; frame-ancestors 'none'"
#: The GraphiQL page (app/graphiql.py): its scripts and styles are files of this server, with
#: no inline script; fonts are data: URIs inside GraphiQL's CSS; queries go to this origin
#: only. The one inline style allowed, by its hash, is the <style> GraphiQL's dialogs
#: (settings, shortcuts) insert to lock the page's scroll (react-remove-scroll-bar, GraphiQL
#: 3.8.3); its text holds the page's scrollbar width, 0 on this page. A GraphiQL upgrade that
#: changes it shows as a CSP error in tests/browser, which names the new hash.
GRAPHIQL_CSP = ("default-src 'none'; script-src 'self'; "
                "style-src 'self' 'sha256-Y/huXlwoYkVyQlxwSVcCi1RCDGDCSVBzDt0hYP9qlTc='; font-src data:; "
                "img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; "
                "frame-ancestors 'none'")
#: Material downloads: whatever a browser makes of an uploaded file, it runs no script,
#: loads nothing and has an opaque origin.
DOWNLOAD_CSP = f"{DEFAULT_CSP}; sandbox"

_ALWAYS = {"x-content-type-options": "nosniff", "referrer-policy": "no-referrer", "x-frame-options": "DENY"}


class SecurityHeaders:
    """Adds the headers every response carries; a route's own CSP (downloads) wins."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(raw=list(message.get("headers", [])))
                for name, value in _ALWAYS.items():
                    headers.setdefault(name, value)
                html = headers.get("content-type", "").startswith("text/html")
                headers.setdefault("content-security-policy", GRAPHIQL_CSP if html else DEFAULT_CSP)
                message["headers"] = headers.raw
            await send(message)

        await self.app(scope, receive, send_with_headers)


# --- errors -----------------------------------------------------------------------------


class ErrorGuard:
    """An exception escaping a request: 503 JSON with Retry-After when the database is
    unavailable (pool timeout, refused or dropped connection), one WARNING line; else a
    500 JSON error with its traceback logged at ERROR. Starlette would answer plain text."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as error:
            if started:
                raise
            if database_unavailable(error):
                log.warning("database unavailable on %s %s: %s: %.200s", scope["method"], scope["path"],
                            type(error).__name__, error)
                note_error_codes([UNAVAILABLE_CODE])
                response = unavailable_response()
            else:
                log.error("unhandled error on %s %s", scope["method"], scope["path"], exc_info=error)
                note_error_codes(["INTERNAL_SERVER_ERROR"])
                response = json_error(500, "INTERNAL_SERVER_ERROR", "服务器内部错误")
            await response(scope, receive, send)


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
                response = json_error(400, "CSRF_HEADER_REQUIRED", "上传请求须带 GraphQL-Require-Preflight 请求头")
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


# --- request bodies ---------------------------------------------------------------------

# Bodies up to this size stay in memory; larger ones (uploads) spool to a temporary file.
_IN_MEMORY = 1024 * 1024
_CHUNK = 1024 * 1024


class _TooLarge(Exception):
    pass


class _Disconnected(Exception):
    pass


class BufferedBody:
    """Read the whole request body, bounded in size and time, before the app sees the request.

    strawberry builds the GraphQL context (which authenticates the bearer token on a pooled
    connection) before it reads the body, so a client trickling its body held a connection
    in "idle in transaction" for as long as it liked: 25 such clients emptied a pool of 20.
    Here the app runs only once the body is complete; a body that takes longer than
    `json_timeout` (`upload_timeout` for multipart) gets 408, a bigger one 413."""

    def __init__(self, app: ASGIApp, *, json_limit: int, multipart_limit: int,
                 json_timeout: float, upload_timeout: float) -> None:
        self.app = app
        self.json = (json_limit, json_timeout)
        self.multipart = (multipart_limit, upload_timeout)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        limit, timeout = self.multipart if _is_multipart(headers) else self.json
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            await self._too_large(limit)(scope, receive, send)
            return
        with tempfile.SpooledTemporaryFile(max_size=_IN_MEMORY) as body:
            try:
                async with asyncio.timeout(timeout):
                    size = await self._read(receive, body, limit)
            except _Disconnected:
                return  # nobody is waiting for an answer
            except _TooLarge:
                await self._too_large(limit)(scope, receive, send)
                return
            except TimeoutError:
                log.info("request body not received within %.0f s: %s %s", timeout, scope["method"], scope["path"])
                response = json_error(408, "REQUEST_TIMEOUT", f"请求体未在 {timeout:g} 秒内发送完毕",
                                      {"Connection": "close"})
                await response(scope, receive, send)
                return
            body.seek(0)
            await self.app(scope, _replay(body, size, receive), send)

    @staticmethod
    async def _read(receive: Receive, body: IO[bytes], limit: int) -> int:
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise _Disconnected
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                raise _TooLarge
            body.write(chunk)
            if not message.get("more_body", False):
                return size

    @staticmethod
    def _too_large(limit: int) -> JSONResponse:
        return json_error(413, "PAYLOAD_TOO_LARGE", f"请求体超过 {limit} 字节的上限", {"Connection": "close"})


def _replay(body: IO[bytes], size: int, receive: Receive) -> Receive:
    """The buffered body as the app's `receive`, then the client's own (its disconnect)."""
    done = False

    async def replay() -> Message:
        nonlocal done
        if done:
            return await receive()
        chunk = body.read(_CHUNK)
        done = body.tell() >= size
        return {"type": "http.request", "body": chunk, "more_body": not done}

    return replay


# --- load shedding ----------------------------------------------------------------------


@dataclass
class _Lease:
    """The slot a request holds (`held` is False while it has stepped aside or answered)."""

    limiter: ConcurrencyLimit
    held: bool = True


_lease: ContextVar[_Lease | None] = ContextVar("zhicheng_request_slot", default=None)


@contextlib.asynccontextmanager
async def slot_released() -> AsyncIterator[None]:
    """Hand the request's slot to a waiting request while this one waits for CPU elsewhere,
    holding no database connection (a login's Argon2 hash on the hashing lane), and take a
    slot back afterwards, in line with the others but never shed. Without it a burst of 32
    logins held all 8 slots for seconds: review-queue p99 4.3 s against 0.6 s (bench.run)."""
    lease = _lease.get()
    if lease is None or not lease.held:
        yield
        return
    lease.held = False
    lease.limiter._release()
    try:
        yield
    finally:
        await lease.limiter._reacquire()
        lease.held = True


class ConcurrencyLimit:
    """At most `limit` API requests of this worker run at once, `queue` more wait up to
    `wait_timeout` seconds for a slot; the others are answered 503 SERVER_BUSY with
    `Retry-After` at once. Health routes are not limited, so `/healthz` answers in
    milliseconds however busy the API is.

    With `limit` no larger than the connection pool (each request holds at most one
    connection), no request waits on the pool: measured before, 200 concurrent
    review-queue requests waited 30 s for connections inside authentication and 36 of
    them became 500s."""

    def __init__(self, app: ASGIApp, *, limit: int, queue: int, wait_timeout: float,
                 paths: Iterable[str] = ("/graphql", "/materials/", "/oauth/"),
                 on_change: Callable[[int, int], None] | None = None) -> None:
        self.app = app
        self.limit, self.queue, self.wait_timeout = limit, queue, wait_timeout
        self.paths = tuple(paths)
        self.running = 0
        self.waiters: list[asyncio.Future[None]] = []
        # Told (running, waiting) whenever either changes: the metrics' gauges.
        self.on_change = on_change

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(self.paths):
            await self.app(scope, receive, send)
            return
        if not await self._acquire():
            record = current_request()
            if record is not None:
                record.outcome = SHED
            response = json_error(503, "SERVER_BUSY", "服务器繁忙，请稍后重试",
                                  {"Retry-After": str(RETRY_AFTER_SECONDS)})
            await response(scope, receive, send)
            return
        lease = _Lease(self)
        token = _lease.set(lease)

        async def send_and_release(message: Message) -> None:
            # The answer is complete once it starts (the view closed its session before
            # sending): a client slow to read it keeps its socket, not a slot.
            if lease.held and message["type"] == "http.response.start":
                lease.held = False
                self._release()
            await send(message)

        try:
            await self.app(scope, receive, send_and_release)
        finally:
            _lease.reset(token)
            if lease.held:
                lease.held = False
                self._release()

    async def _acquire(self) -> bool:
        """A slot for a new request: False (shed) when the line is full or the wait too long."""
        if self._take_free_slot():
            return True
        if len(self.waiters) >= self.queue:
            return False
        return await self._wait_in_line(self.wait_timeout)

    async def _reacquire(self) -> None:
        """A slot for a request already admitted (back from `slot_released`): it waits its
        turn however long the line, and is never answered 503 mid-way."""
        if not self._take_free_slot():
            await self._wait_in_line(None)

    def _take_free_slot(self) -> bool:
        if self.running < self.limit and not self.waiters:
            self.running += 1
            self._changed()
            return True
        return False

    async def _wait_in_line(self, timeout: float | None) -> bool:
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.waiters.append(waiter)
        self._changed()
        try:
            async with asyncio.timeout(timeout):
                await waiter  # a finishing request hands its slot over (`running` stays counted)
        except TimeoutError:
            pass  # the slot may still have been handed over just before the timeout fired
        except BaseException:
            if _handed_over(waiter):
                self._release()
            raise
        finally:
            if waiter in self.waiters:
                self.waiters.remove(waiter)
                self._changed()
        return _handed_over(waiter)

    def _release(self) -> None:
        while self.waiters:
            waiter = self.waiters.pop(0)
            if not waiter.done():
                waiter.set_result(None)  # the slot passes to the oldest waiter
                self._changed()
                return
        self.running -= 1
        self._changed()

    def _changed(self) -> None:
        if self.on_change is not None:
            self.on_change(self.running, len(self.waiters))


def _handed_over(waiter: asyncio.Future[None]) -> bool:
    return waiter.done() and not waiter.cancelled()


# --- request ids and the request log ----------------------------------------------------

REQUEST_ID_HEADER = "x-request-id"
request_log = logging.getLogger("zhicheng.request")
#: Probes answered 2xx are logged at DEBUG: a load balancer asks every few seconds.
_PROBES = ("/healthz", "/readyz", "/metrics")
#: The path is the client's; the line keeps this much of it (and never the query string).
_MAX_PATH = 200
_LEVELS = {OK: logging.INFO, CLIENT_ERROR: logging.INFO, SHED: logging.WARNING, SERVER_ERROR: logging.ERROR}


class RequestLog:
    """Outermost. Gives each request an id — the client's `X-Request-ID` when it is a sane
    token (≤ 64 characters of [A-Za-z0-9._-]), else a new uuid4 hex — current for all the
    request does (core.request_context: every log line of the request, its audit rows) and
    returned in the `X-Request-ID` response header. When the request is over, one line sums
    it up: method, path, status, duration, outcome (ok / client_error / server_error /
    shed) and, for GraphQL, the operation, the account id and the error codes; then
    `on_finish` (the metrics) counts it. This line replaces uvicorn's access log."""

    def __init__(self, app: ASGIApp, *, on_finish: Callable[[RequestRecord, float], None] | None = None) -> None:
        self.app = app
        self.on_finish = on_finish

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        record = RequestRecord(request_id_from(Headers(scope=scope).get(REQUEST_ID_HEADER)))
        header = (REQUEST_ID_HEADER.encode(), record.id.encode())
        status = 0  # no answer started: the client went away, or an exception escaped
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []), header]
            await send(message)

        token = begin_request(record)
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            seconds = time.perf_counter() - started
            record.outcome = record.outcome or _outcome(status)
            try:
                _log_request(scope, record, status, seconds)
                if self.on_finish is not None:
                    self.on_finish(record, seconds)
            finally:
                end_request(token)


def _outcome(status: int) -> str:
    if status == 0 or 400 <= status < 500:
        return CLIENT_ERROR
    return SERVER_ERROR if status >= 500 else OK


def _log_request(scope: Scope, record: RequestRecord, status: int, seconds: float) -> None:
    outcome = record.outcome or OK
    path = scope.get("path", "")[:_MAX_PATH]
    level = _LEVELS.get(outcome, logging.INFO)
    if outcome == OK and path in _PROBES:
        level = logging.DEBUG
    if not request_log.isEnabledFor(level):
        return
    method = str(scope.get("method", ""))[:16]
    fields: dict[str, object] = {"method": method, "path": path, "status": status,
                                 "duration_ms": round(seconds * 1000, 2), "outcome": outcome}
    client = scope.get("client")
    if client:
        fields["client"] = client[0]
    if record.graphql:
        fields.update(operation=(record.operation or "")[:100] or None, account_id=record.account_id,
                      error_codes=record.error_codes)
        if record.api_client_id is not None:
            fields["api_client_id"] = record.api_client_id
    summary = f"{method} {path} {status} {outcome}"
    if record.graphql:
        summary += f" {fields['operation'] or 'anonymous'}"
    request_log.log(level, "%s", summary, extra={"fields": fields})
