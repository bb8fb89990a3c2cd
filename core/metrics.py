"""Process counters exposed at /metrics (Prometheus text format).

SQL statements are counted at the engine, so the benchmark can report statements per
request and operators can watch for N+1 regressions in production.
"""

from __future__ import annotations

import resource
import time

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine


class Metrics:
    def __init__(self) -> None:
        self.sql_statements = 0
        self.started = time.time()

    def watch(self, engine: AsyncEngine) -> None:
        event.listen(engine.sync_engine, "before_cursor_execute", self._count)

    def _count(self, *_args) -> None:
        self.sql_statements += 1

    def render(self) -> str:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return (
            "# TYPE zhicheng_sql_statements_total counter\n"
            f"zhicheng_sql_statements_total {self.sql_statements}\n"
            "# TYPE process_cpu_seconds_total counter\n"
            f"process_cpu_seconds_total {usage.ru_utime + usage.ru_stime:.3f}\n"
            "# TYPE process_max_resident_memory_bytes gauge\n"
            f"process_max_resident_memory_bytes {usage.ru_maxrss * 1024}\n"
            "# TYPE process_start_time_seconds gauge\n"
            f"process_start_time_seconds {self.started:.0f}\n"
        )
