"""The results stage at session scale: startResultsPublicity and confirmResults of one session
of N candidates (default 2,000, two thirds passing), through GraphQL in-process.

    .venv/bin/python -m bench.results_stage --database-url postgresql://postgres@127.0.0.1:5432/postgres

Creates its own database (`zb_results_stage` on that server, dropped at the end; never the
bench database), builds the committee world with the tests' own steps (tests/support: a
route to a committee with an office, through the API) and the candidates with their set-based
seeds (approved declarations, then a tallied CLOSED session: what closeBallot leaves), then
times each mutation over HTTP in-process (ASGI; no sockets) for `--rounds` fresh sessions, and
counts the SQL statements each sends: a set-based step sends the same few whatever N is.
Writes bench/results/results-stage.md and .json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import platform
import statistics
import time
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import httpx
from sqlalchemy import event, text

from app.database import prepare_database
from app.factory import create_app
from core import db
from core.clock import FakeClock
from core.config import Argon2Params, Settings
from core.services import build_services
from schema.ids import decode_id, encode_id
from tests.support.api import Api
from tests.support.committee import CommitteeWorld, seed_tallied_session
from tests.support.review import pass_time, seed_approved

RESULTS = Path(__file__).parent / "results"
START = """mutation($s: ID!) { startResultsPublicity(sessionId: $s) { publicity { entryCount } errors { code } } }"""
CONFIRM = """mutation($s: ID!) { confirmResults(sessionId: $s) { grantedCount notPassedCount errors { code } } }"""
PUBLIC = """query($s: ID) { resultsPublicity(sessionId: $s, first: 100) { totalCount nodes { holderName idNumber } } }"""


async def _accept_all(engine, accepting_gid: str, committee_gid: str, now) -> list[int]:
    """The seeded approved declarations at the accepting unit, accepted by its committee."""
    async with engine.begin() as conn:
        ids = (await conn.execute(text(
            "UPDATE declaration SET status = 'ACCEPTED', current_unit_id = NULL, committee_id = :c, accepted_at = :now "
            "WHERE current_unit_id = :u AND status = 'APPROVED' RETURNING id"),
            {"c": decode_id(committee_gid, "Committee", "id"), "u": decode_id(accepting_gid, "Unit", "id"),
             "now": now})).scalars().all()
    return sorted(ids)


async def _session_of(world: CommitteeWorld, n: int, tag: str) -> str:
    now = world.services.clock.now()
    await seed_approved(world.engine, world.accepting["id"], [
        {"name": f"候选人{i}", "work_unit": world.base["id"], "confirmed_at": now} for i in range(n)], tag)
    ids = await _accept_all(world.engine, world.accepting["id"], world.committee["id"], now)
    # Two thirds pass (17 of 25 agree), the rest fail (16 of 25).
    tallies = {encode_id("Declaration", d): (25, 17, 8, 0) if i % 3 else (25, 16, 9, 0) for i, d in enumerate(ids)}
    await seed_tallied_session(world.engine, world.committee["id"], tallies, now=now)
    async with world.engine.connect() as conn:
        session = (await conn.execute(text("SELECT max(id) FROM review_session"))).scalar_one()
        await conn.execute(text("ANALYZE"))
    return encode_id("ReviewSession", session)


class Statements:
    def __init__(self, engine) -> None:
        self.count = 0
        event.listen(engine.sync_engine, "before_cursor_execute", self)

    def __call__(self, *args) -> None:
        self.count += 1


async def _timed(api: Api, statements: Statements, query: str, variables: dict,
                 token: str | None) -> tuple[float, int, dict]:
    before = statements.count
    started = time.perf_counter()
    data = await api(query, variables, token)
    return (time.perf_counter() - started) * 1000, statements.count - before, data


async def run(url: str, candidates: int, rounds: int) -> dict:
    await prepare_database(url)
    engine = db.create_engine(url, pool_size=4)
    statements = Statements(engine)
    clock = FakeClock(datetime(2026, 3, 2, 1, 0, tzinfo=UTC))
    settings = Settings(argon2=Argon2Params(time_cost=1, memory_cost=64, parallelism=1))
    services = build_services(settings, engine, clock)
    app = create_app(services, engine)
    measured: dict[str, list] = {"startResultsPublicity": [], "resultsPublicity": [], "confirmResults": []}
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as client:
            api = Api(client)
            world = await CommitteeWorld(api, engine, services).setup()
            for r in range(rounds):
                session = await _session_of(world, candidates, f"rb{r}_")
                ms, sql, data = await _timed(api, statements, START, {"s": session}, world.office)
                assert data["startResultsPublicity"]["errors"] == [], data
                measured["startResultsPublicity"].append((ms, sql))
                ms, sql, data = await _timed(api, statements, PUBLIC, {"s": session}, None)
                assert len(data["resultsPublicity"]["nodes"]) == 100, data
                measured["resultsPublicity"].append((ms, sql))
                await pass_time(engine, clock, days=9)
                ms, sql, data = await _timed(api, statements, CONFIRM, {"s": session}, world.admin)
                assert data["confirmResults"]["errors"] == [], data
                measured["confirmResults"].append((ms, sql))
                granted = data["confirmResults"]["grantedCount"]
    finally:
        await engine.dispose()
    return {
        "candidates": candidates, "granted_per_round": granted, "rounds": rounds,
        "operations": {name: {"ms": [round(m, 1) for m, _ in runs], "median_ms": round(statistics.median(
            m for m, _ in runs), 1), "sql_statements": [s for _, s in runs]} for name, runs in measured.items()},
        "machine": {"python": platform.python_version(), "cpus": __import__("os").cpu_count(),
                    "when": datetime.now(UTC).isoformat(timespec="seconds")},
    }


async def _drop(url: str) -> None:
    admin = await asyncpg.connect(db.plain_url(db.with_database(url, "postgres")))
    try:
        await admin.execute('DROP DATABASE IF EXISTS "zb_results_stage" WITH (FORCE)')
    finally:
        await admin.close()


def _markdown(result: dict) -> str:
    lines = [f"# Results stage at session scale ({result['candidates']} candidates, "
             f"{result['granted_per_round']} granted per session)", "",
             "`python -m bench.results_stage` — in-process GraphQL (ASGI, no sockets), a fresh session per round; "
             "SQL statements include the caller's token lookup.", "",
             "| operation | median ms | each round (ms) | SQL statements |", "|---|---|---|---|"]
    for name, op in result["operations"].items():
        lines.append(f"| `{name}` | {op['median_ms']} | {', '.join(map(str, op['ms']))} | "
                     f"{', '.join(map(str, op['sql_statements']))} |")
    m = result["machine"]
    lines += ["", f"Python {m['python']}, {m['cpus']} CPUs (shared with other work), {m['when']}.", ""]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True, help="a PostgreSQL server (postgresql://…/any database)")
    parser.add_argument("--candidates", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    url = db.with_database(args.database_url, "zb_results_stage")
    asyncio.run(_drop(url))  # a leftover of an interrupted run
    try:
        result = asyncio.run(run(url, args.candidates, args.rounds))
    finally:
        asyncio.run(_drop(url))
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "results-stage.json").write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    (RESULTS / "results-stage.md").write_text(_markdown(result))
    print(_markdown(result))


if __name__ == "__main__":
    main()
