"""Reading the test database beside the app: row counts (to prove a refusal changed nothing)
and the SQL statements a request sends (for N+1 assertions)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text


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
