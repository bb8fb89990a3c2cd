"""bench/explain: the plans of the statements the hot reads run, checked for sequential scans.

    python3 -m bench.explain [--database-url URL]    # as a report; bench.run calls it too

Runs GraphQL requests in-process (ASGI, no HTTP) against the bench database, records every
SQL statement the API sends with its parameters, and asks PostgreSQL for each one's plan
(`EXPLAIN (FORMAT JSON)`, the statement is not executed). A plan that reads one of the big
tables sequentially is a missing or unusable index: at 10^6 declarations it is the
difference between milliseconds and seconds.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import httpx
import orjson
from sqlalchemy import event

from core import db
from core.config import Settings

# The tables that grow with the province; the catalogue and year tables are small by nature.
BIG_TABLES = frozenset({"declaration", "review_step", "person", "unit", "account", "declaration_record",
                        "declaration_event", "material", "reporting_path", "session_token"})


@dataclass
class Explained:
    """What one GraphQL request's statements do to the big tables."""
    name: str
    statements: int = 0
    seq_scans: list[str] = field(default_factory=list)  # "table (statement n)"
    scans: set[str] = field(default_factory=set)        # "Index Only Scan on review_step", …

    def add_plan(self, plan: dict[str, Any], statement_number: int) -> None:
        for node_type, relation in scans_of(plan):
            if relation in BIG_TABLES:
                self.scans.add(f"{node_type} on {relation}")
                if node_type == "Seq Scan":
                    self.seq_scans.append(f"{relation} (statement {statement_number})")


def plan_nodes(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield plan
    for child in plan.get("Plans", []):
        yield from plan_nodes(child)


def scans_of(plan: dict[str, Any]) -> list[tuple[str, str]]:
    """(node type, relation) for every node of a plan that reads a table."""
    return [(node["Node Type"], node["Relation Name"]) for node in plan_nodes(plan) if "Relation Name" in node]


async def explain_requests(url: str, requests: list[tuple[str, str, dict, str]], password: str) -> list[Explained]:
    """`requests` are (name, query, variables, login); each is run once and its SQL explained."""
    # Imported here: the server module reads its settings at import, bench.run only needs this function.
    from core.services import build_services
    from server import create_app

    engine = db.create_engine(url, pool_size=2)
    captured: list[tuple[str, Any]] = []

    @event.listens_for(engine.sync_engine, "before_cursor_execute")
    def record(_conn, _cursor, statement, parameters, _context, _many):
        captured.append((statement, parameters))

    app = create_app(build_services(Settings(), engine), engine)
    results: list[Explained] = []
    tokens: dict[str, str] = {}
    plain = await asyncpg.connect(db.plain_url(url))
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as client:
            for name, query, variables, login in requests:
                if login not in tokens:
                    body = {"query": "mutation($l:String!,$p:String!){login(login:$l,password:$p){token}}",
                            "variables": {"l": login, "p": password}}
                    tokens[login] = (await client.post("/graphql", json=body)).json()["data"]["login"]["token"]
                captured.clear()
                answer = (await client.post("/graphql", json={"query": query, "variables": variables},
                                            headers={"Authorization": f"Bearer {tokens[login]}"})).json()
                if answer.get("errors"):
                    raise SystemExit(f"bench.explain: {name} answered errors: {answer['errors']}")
                explained = Explained(name, statements=len(captured))
                for n, (statement, parameters) in enumerate(captured, 1):
                    if not statement.lstrip().upper().startswith(("SELECT", "WITH", "UPDATE", "DELETE")):
                        continue
                    raw = await plain.fetchval(f"EXPLAIN (FORMAT JSON) {statement}", *(parameters or ()))
                    explained.add_plan(orjson.loads(raw)[0]["Plan"], n)
                results.append(explained)
    finally:
        await plain.close()
        await engine.dispose()
    return results


def report_lines(results: list[Explained]) -> list[str]:
    lines = ["| request | SQL statements | scans of the big tables | sequential scans |", "|---|---|---|---|"]
    for r in results:
        lines.append(f"| {r.name} | {r.statements} | {', '.join(sorted(r.scans)) or '–'} | "
                     f"{', '.join(r.seq_scans) or 'none'} |")
    return lines


def main(argv: list[str] | None = None) -> None:
    from bench.run import BENCH_DB, BENCH_PASSWORD, Bench, hot_read_plans, parse_args, resolve_database

    parser = argparse.ArgumentParser(prog="bench.explain", description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url")
    parser.add_argument("--database", default=BENCH_DB, help=f"the seeded database (default {BENCH_DB})")
    args = parser.parse_args(argv)

    async def go() -> None:
        url, embedded = resolve_database(args.database_url, args.database)
        try:
            bench = Bench(parse_args(["--database-url", url]), url)
            try:
                targets = await bench.pick_targets()
            finally:
                await bench.close()
            results = await explain_requests(url, hot_read_plans(targets), BENCH_PASSWORD)
            print("\n".join(report_lines(results)))
        finally:
            if embedded is not None:
                embedded.stop()

    asyncio.run(go())


if __name__ == "__main__":
    main()
