"""What /metrics exposes (prometheus_client), and the hooks that feed it.

- `zhicheng_graphql_request_duration_seconds{operation}`: a histogram of each GraphQL
  request, from its first byte in to its answer out, by operation name;
- `zhicheng_graphql_errors_total{code}`: errors by code, top-level ones and the typed
  refusals in mutation payloads alike;
- `zhicheng_sql_statements_total`: counted at the engine, so the benchmark reports
  statements per request and operators can watch for N+1 regressions;
- `zhicheng_db_pool_in_use`, `zhicheng_db_pool_waiting`: connections checked out, and
  requests waiting for a slot (a slot is the right to one connection: core.http's
  ConcurrencyLimit keeps the slots no more than the pool, so the wait happens there and
  never inside the pool); `zhicheng_requests_in_flight`, `zhicheng_requests_shed_total`;
- the process's CPU and memory (prometheus_client's process collector; per worker as
  `zhicheng_worker_*{pid}` with several workers).

With `--workers N` each worker is a process with its own values: `zhicheng serve` points
PROMETHEUS_MULTIPROC_DIR at a fresh directory before the workers start, prometheus_client
then keeps every value in a file there, and /metrics adds up the files of all workers
(whichever worker answers the scrape).
"""

from __future__ import annotations

import os
import re
import resource

from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    generate_latest,
    multiprocess,
)
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from core.request_context import SHED, RequestRecord

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
#: prometheus_client chose its value store (memory, or files) from the environment when it
#: was imported, just above; the exposition has to follow the same choice.
MULTIPROCESS = bool(os.environ.get(MULTIPROC_ENV))

# `_created` series double the exposition and Prometheus has no use for them.
disable_created_metrics()

REQUEST_DURATION = Histogram(
    "zhicheng_graphql_request_duration_seconds", "GraphQL requests by operation name, first byte in to answer out",
    ["operation"])
ERRORS = Counter("zhicheng_graphql_errors",
                 "GraphQL requests answered with an error of this code (top-level or in a mutation payload)", ["code"])
SQL_STATEMENTS = Counter("zhicheng_sql_statements", "SQL statements sent to PostgreSQL")
POOL_IN_USE = Gauge("zhicheng_db_pool_in_use", "database connections checked out of the pool",
                    multiprocess_mode="livesum")
POOL_WAITING = Gauge("zhicheng_db_pool_waiting", "requests waiting for a slot, that is for a database connection",
                     multiprocess_mode="livesum")
IN_FLIGHT = Gauge("zhicheng_requests_in_flight", "API requests holding a slot", multiprocess_mode="livesum")
SHED_TOTAL = Counter("zhicheng_requests_shed", "API requests answered 503 SERVER_BUSY without running")
# The process collector reads /proc of the process that answers the scrape: with several
# workers that is one of them, so each worker writes its own after every request instead.
# (Not registered with a single process, where the process collector says it.)
_WORKERS_ONLY = REGISTRY if MULTIPROCESS else None
WORKER_CPU = Gauge("zhicheng_worker_cpu_seconds", "CPU time of each worker process", multiprocess_mode="liveall",
                   registry=_WORKERS_ONLY)
WORKER_MAX_RSS = Gauge("zhicheng_worker_max_resident_memory_bytes", "peak resident memory of each worker process",
                       multiprocess_mode="liveall", registry=_WORKERS_ONLY)

#: Operation names come from the client's document: a label of each would let a client
#: create series without end. Only plain names are kept, and only the first of them.
_PLAIN_NAME = re.compile(r"[A-Za-z0-9_]{1,64}")
MAX_OPERATION_NAMES = 200
_seen_operations: set[str] = set()


def operation_label(name: str | None) -> str:
    """`anonymous` for an unnamed operation, the name if it is plain (≤ 64 characters of
    [A-Za-z0-9_]) and among the first MAX_OPERATION_NAMES seen by this process, else `other`."""
    if not name:
        return "anonymous"
    if not _PLAIN_NAME.fullmatch(name):
        return "other"
    if name not in _seen_operations:
        if len(_seen_operations) >= MAX_OPERATION_NAMES:
            return "other"
        _seen_operations.add(name)
    return name


def _count_statement(*_args: object) -> None:
    SQL_STATEMENTS.inc()


def watch_engine(engine: AsyncEngine) -> None:
    """Count the engine's statements and follow its pool. Idempotent: tests build many
    apps on one engine."""
    sync_engine = engine.sync_engine
    if not event.contains(sync_engine, "before_cursor_execute", _count_statement):
        event.listen(sync_engine, "before_cursor_execute", _count_statement)
    pool = sync_engine.pool
    if getattr(pool, "_zhicheng_watched", False):
        return
    pool._zhicheng_watched = True  # type: ignore[attr-defined]  # a marker of our own on the pool

    def checked_out(*_args: object) -> None:
        POOL_IN_USE.set(_in_use(pool))

    def checked_in(*_args: object) -> None:
        # The checkin event fires before the connection is back in the pool.
        POOL_IN_USE.set(max(0, _in_use(pool) - 1))

    event.listen(pool, "checkout", checked_out)
    event.listen(pool, "checkin", checked_in)


def _in_use(pool: object) -> int:
    checkedout = getattr(pool, "checkedout", None)
    return int(checkedout()) if callable(checkedout) else 0


def slots_changed(running: int, waiting: int) -> None:
    """core.http.ConcurrencyLimit's hook: requests running and waiting for a slot."""
    IN_FLIGHT.set(running)
    POOL_WAITING.set(waiting)


def observe_request(record: RequestRecord, seconds: float) -> None:
    """Count a finished request (core.http.RequestLog calls this for each)."""
    if record.outcome == SHED:
        SHED_TOTAL.inc()
    elif record.graphql:
        REQUEST_DURATION.labels(operation_label(record.operation)).observe(seconds)
        for code in record.error_codes:
            ERRORS.labels(code if _PLAIN_NAME.fullmatch(code) else "other").inc()
    if MULTIPROCESS:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        WORKER_CPU.set(usage.ru_utime + usage.ru_stime)
        WORKER_MAX_RSS.set(usage.ru_maxrss * 1024)


def render() -> bytes:
    """The exposition: this process's registry, or every worker's files added up."""
    if not MULTIPROCESS:
        return generate_latest(REGISTRY)
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    return generate_latest(registry)


def worker_exited(pid: int | None = None) -> None:
    """Drop an exited worker's live gauges (its in-use connections are no longer in use)."""
    if MULTIPROCESS:
        multiprocess.mark_process_dead(pid or os.getpid())

