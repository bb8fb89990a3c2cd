"""Errors on their way out: which reach the client as they are, and how each is logged."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import strawberry
from graphql import GraphQLError
from strawberry.extensions import MaskErrors, SchemaExtension
from strawberry.types import ExecutionContext

from core.errors import PublicError
from core.outage import UNAVAILABLE_CODE, UNAVAILABLE_MESSAGE, database_unavailable
from core.request_context import current_request, note_error_codes

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


class RecordOperation(SchemaExtension):
    """Tells the request's record (core.request_context) the operation's name, for the
    request's log line and the per-operation duration metric."""

    def on_operation(self) -> Iterator[None]:
        yield
        record = current_request()
        if record is not None:
            record.operation = self.execution_context.operation_name


def error_code(error: GraphQLError) -> str:
    """The code an error is counted and logged under: its `extensions.code`, else what kind
    of failure it is (graphql-core's parse and validation errors carry no code)."""
    if should_mask_error(error):
        return UNAVAILABLE_CODE if database_unavailable(error.original_error) else "INTERNAL_SERVER_ERROR"
    code = (error.extensions or {}).get("code")
    if isinstance(code, str):
        return code
    return "GRAPHQL_PARSE_FAILED" if error.message.startswith("Syntax Error") else "GRAPHQL_VALIDATION_FAILED"


def _clip(text: str) -> str:
    text = text.replace("\n", " ")
    return text if len(text) <= MAX_LOGGED_MESSAGE else f"{text[:MAX_LOGGED_MESSAGE]}… ({len(text)} chars)"


def log_errors(errors: list[GraphQLError], execution_context: ExecutionContext | None = None) -> None:
    """The client's mistakes of a request as one INFO line (they came back in the answer and
    are the client's to fix; a document of 150 unknown fields is 150 errors), an unavailable
    database as one WARNING line, and ERROR with the traceback only for what is this
    server's own fault."""
    # The request id is on every line (app.logs); the codes go to the request's summary line.
    note_error_codes(error_code(e) for e in errors)
    client = [e for e in errors if not should_mask_error(e)]
    if client:
        log.info("client error%s: %s", f"s ({len(client)})" if len(client) > 1 else "",
                 _clip(" | ".join(e.message for e in client[:3])))
    for error in errors:
        if not should_mask_error(error):
            continue
        path = ".".join(str(p) for p in error.path or ()) or "-"
        if database_unavailable(error.original_error):
            log.warning("database unavailable at %s: %s: %s", path,
                        type(error.original_error).__name__, _clip(str(error.original_error)))
        else:
            log.error("internal error at %s: %s", path, _clip(error.message),
                      exc_info=error.original_error)


class ApiSchema(strawberry.Schema):
    """strawberry's Schema with our error log (strawberry logs every error at ERROR, with
    the whole document and a traceback)."""

    def process_errors(self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None) -> None:
        log_errors(errors, execution_context)
