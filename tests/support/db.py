"""Reading the test database beside the app: row counts (to prove a refusal changed nothing)
and the SQL statements a request sends (for N+1 assertions)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

# Data the migrations seed (the commitment letter, the server's keys) survives truncation
# like reference data.
REFERENCE_TABLES = frozenset({
    "region", "catalog_series", "catalog_title", "catalog_specialty", "catalog_title_specialty", "catalog_version",
    "commitment_letter",
    "server_key",
    # The webhook dispatcher's position (one row): transaction ids only grow, so a position
    # left by an earlier test is still before every later event.
    "webhook_fanout",
})


def truncate_statement() -> str:
    """Empties every table but the reference data; run after `SET zhicheng.allow_truncate = 'on'`
    (the audit log refuses TRUNCATE otherwise, migration 0002)."""
    import models
    from core.jobs import QUEUE_TABLES

    tables = [t.name for t in models.Base.metadata.sorted_tables if t.name not in REFERENCE_TABLES]
    tables += sorted(QUEUE_TABLES)  # the job queue's (migration 0018): no job outlives its test
    return f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"


async def table_count(engine, table: str) -> int:
    """Row count of a table, read outside the app, to prove a refusal changed nothing."""
    async with engine.connect() as conn:
        return (await conn.execute(text(f"SELECT count(*) FROM {table}"))).scalar_one()


class StatementCounter:
    """Counts the SQL statements the app sends (for N+1 assertions)."""

    def __init__(self) -> None:
        self.count = 0
        self.active = False

    def __call__(self, *args: Any) -> None:
        if self.active:
            self.count += 1


async def count_statements(api, counter, query: str, token: str, variables: dict | None = None
                           ) -> tuple[dict, int]:
    """Statements of `query` beyond those of authenticating the token (measured with `me`)."""
    async def run(q: str, v: dict | None = None) -> tuple[dict, int]:
        counter.count, counter.active = 0, True
        try:
            data = await api(q, v, token=token)
        finally:
            counter.active = False
        return data, counter.count

    _, auth = await run("{ me { loginName } }")
    data, total = await run(query, variables)
    return data, total - auth
