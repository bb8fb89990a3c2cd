"""The request being served: its id, and what the request's log line and metrics report.

`core.http.RequestLog` opens a `RequestRecord` per HTTP request and keeps it in a context
variable, so the log formatter (every line of the request carries its id), the GraphQL view
(operation, account, outcome) and the error log (codes) reach it without being handed it.
Tasks started inside the request (sibling resolvers under `asyncio.gather`) copy the context
and so see the same record.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from contextvars import ContextVar, Token
from dataclasses import dataclass, field

#: A client's X-Request-ID is kept when it is a sane token (a proxy's or a load balancer's
#: id joins our logs to theirs); anything else — too long, spaces, quotes, non-ASCII — is
#: replaced, so a header cannot forge log structure or grow the audit row (64 chars).
_CLIENT_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")

OK, CLIENT_ERROR, SERVER_ERROR, SHED = "ok", "client_error", "server_error", "shed"
#: Error codes that are this server's fault, not the client's.
SERVER_CODES = frozenset({"INTERNAL_SERVER_ERROR", "SERVICE_UNAVAILABLE"})
#: At most this many distinct codes are kept per request (a document of 150 unknown fields
#: is 150 errors of one code; distinct codes are few).
MAX_CODES = 10


def request_id_from(header: str | None) -> str:
    """The client's X-Request-ID if it is a sane token, else a fresh uuid4 hex."""
    if header is not None and _CLIENT_ID.fullmatch(header):
        return header
    return uuid.uuid4().hex


@dataclass
class RequestRecord:
    id: str
    #: Set by the GraphQL view: this request ran (or tried to run) a GraphQL operation.
    graphql: bool = False
    operation: str | None = None
    account_id: int | None = None
    #: The public client_id of an API client's request (it has no account).
    api_client_id: str | None = None
    #: Set where it is decided (shedding, the view); else derived from the status.
    outcome: str | None = None
    error_codes: list[str] = field(default_factory=list)

    def note_codes(self, codes: Iterable[str]) -> None:
        for code in codes:
            if code not in self.error_codes and len(self.error_codes) < MAX_CODES:
                self.error_codes.append(code)

    def graphql_outcome(self) -> str:
        if any(code in SERVER_CODES for code in self.error_codes):
            return SERVER_ERROR
        return CLIENT_ERROR if self.error_codes else OK


_CURRENT: ContextVar[RequestRecord | None] = ContextVar("zhicheng_request", default=None)


def current_request() -> RequestRecord | None:
    return _CURRENT.get()


def current_request_id() -> str | None:
    record = _CURRENT.get()
    return record.id if record is not None else None


def begin_request(record: RequestRecord) -> Token[RequestRecord | None]:
    """Make `record` the current request; returns the token `end_request` takes."""
    return _CURRENT.set(record)


def end_request(token: Token[RequestRecord | None]) -> None:
    _CURRENT.reset(token)


def note_error_codes(codes: Iterable[str]) -> None:
    """Record the error codes of the current request (GraphQL errors, payload refusals)."""
    record = _CURRENT.get()
    if record is not None:
        record.note_codes(codes)
