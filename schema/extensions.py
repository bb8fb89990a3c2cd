"""Errors on their way out: which reach the client as they are, and how each is logged."""

from __future__ import annotations

import logging

import strawberry
from graphql import GraphQLError
from strawberry.extensions import MaskErrors
from strawberry.types import ExecutionContext

from core.errors import PublicError
from core.outage import UNAVAILABLE_CODE, UNAVAILABLE_MESSAGE, database_unavailable

log = logging.getLogger("zhicheng.graphql")

#: Client input is echoed in error messages ("Cannot query field 'x'…"); a log line keeps
#: this much of it. strawberry logged str(error), which prints the source line: an 800 KB
#: one-line document wrote ~4.8 MB of log, with a traceback per client mistake.
MAX_LOGGED_MESSAGE = 300


def should_mask_error(error: GraphQLError) -> bool:
    """Mask only unexpected exceptions. Parse/validation errors (no original error) and
    our public errors are the client's to read; a stack trace or SQL never is."""
    original = error.original_error
    return not (original is None or isinstance(original, (PublicError, GraphQLError)))


class ApiMaskErrors(MaskErrors):
    """Masks unexpected errors as 服务器内部错误, except that the database being unavailable
    is said as such (SERVICE_UNAVAILABLE; the view answers 503 when nothing else failed)."""

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        if not database_unavailable(error.original_error):
            return super().anonymise_error(error)
        return GraphQLError(UNAVAILABLE_MESSAGE, nodes=error.nodes, source=error.source,
                            positions=error.positions, path=error.path, extensions={"code": UNAVAILABLE_CODE})


def _clip(text: str) -> str:
    text = text.replace("\n", " ")
    return text if len(text) <= MAX_LOGGED_MESSAGE else f"{text[:MAX_LOGGED_MESSAGE]}… ({len(text)} chars)"


def log_errors(errors: list[GraphQLError], execution_context: ExecutionContext | None = None) -> None:
    """The client's mistakes of a request as one INFO line (they came back in the answer and
    are the client's to fix; a document of 150 unknown fields is 150 errors), an unavailable
    database as one WARNING line, and ERROR with the traceback only for what is this
    server's own fault."""
    context = getattr(execution_context, "context", None)
    request_id = getattr(context, "request_id", "-")
    client = [e for e in errors if not should_mask_error(e)]
    if client:
        log.info("client error%s [%s]: %s", f"s ({len(client)})" if len(client) > 1 else "", request_id,
                 _clip(" | ".join(e.message for e in client[:3])))
    for error in errors:
        if not should_mask_error(error):
            continue
        path = ".".join(str(p) for p in error.path or ()) or "-"
        if database_unavailable(error.original_error):
            log.warning("database unavailable [%s] at %s: %s: %s", request_id, path,
                        type(error.original_error).__name__, _clip(str(error.original_error)))
        else:
            log.error("internal error [%s] at %s: %s", request_id, path, _clip(error.message),
                      exc_info=error.original_error)


class ApiSchema(strawberry.Schema):
    """strawberry's Schema with our error log (strawberry logs every error at ERROR, with
    the whole document and a traceback)."""

    def process_errors(self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None) -> None:
        log_errors(errors, execution_context)
