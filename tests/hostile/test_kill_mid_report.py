"""A server killed with SIGKILL in the middle of reporting 5,000 declarations leaves each
of them in exactly one consistent state, all of them the same one (a report is one
transaction), and an intact audit chain.

The route and the unit come from ReviewWorld (in-process, cheap); 5,000 approved
declarations awaiting report at the work unit are seeded set-based; then a real server (a
`zhicheng serve` child) gets `reportDeclarations` of all of them over HTTP while the test
watches pg_stat_activity and sends SIGKILL as soon as the report's first write statement is
running. PostgreSQL rolls the orphaned transaction back when it finds the client gone; the
test waits for that backend to end before it reads.
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import httpx

from core import db
from schema.ids import decode_id, encode_id
from tests.support.api import PASSWORD
from tests.support.review import REPORT, ReviewWorld, rows, seed_approved

COUNT = 5_000
ZHICHENG = Path(sys.executable).with_name("zhicheng")
# The report's statements that write (resolvers/reporting.py), in the order it runs them.
WRITES = ("UPDATE review_step s SET awaiting_report", "UPDATE declaration d SET status",
          "INSERT INTO review_step", "INSERT INTO declaration_event")

# One row per declaration: every fact that differs between "reported" and "not reported".
_STATES = """
SELECT d.status, d.current_unit_id = :dept AS at_dept, d.current_unit_id = :base AS at_base,
       count(*) FILTER (WHERE s.unit_id = :base AND s.awaiting_report) AS awaiting,
       count(*) FILTER (WHERE s.unit_id = :base AND NOT s.awaiting_report AND s.reported_at IS NOT NULL
                        AND s.reported_to_unit_id = :dept) AS closed,
       count(*) FILTER (WHERE s.unit_id = :dept AND s.decision IS NULL) AS open_at_dept,
       count(*) AS steps,
       (SELECT count(*) FROM declaration_event e WHERE e.declaration_id = d.id AND e.action = 'REPORT') AS reports
FROM declaration d JOIN review_step s ON s.declaration_id = d.id
WHERE d.id = ANY(CAST(:ids AS bigint[]))
GROUP BY d.id
"""
REPORTED = ("PENDING_REVIEW", True, False, 0, 1, 1, 2, 1)
NOT_REPORTED = ("APPROVED", False, True, 1, 0, 0, 1, 0)


async def _kill_at_write(database_url: str, process: subprocess.Popen, request: asyncio.Task, target: int) -> str:
    """Poll the server's statements; SIGKILL it while WRITES[target] or a later write runs.
    Says what it saw."""
    watcher = await asyncpg.connect(db.plain_url(database_url))
    started = time.monotonic()
    try:
        while not request.done():
            running = await watcher.fetch(
                "SELECT pid, query FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND state = 'active'")
            for row in running:
                write = next((w for w in WRITES[target:] if w in row["query"]), None)
                if write is not None:
                    process.send_signal(signal.SIGKILL)
                    killed_after = time.monotonic() - started
                    await _backend_gone(watcher, row["pid"])
                    return f"killed during “{write} …”, {killed_after:.2f} s after the request"
        return "the report finished before any write was seen: killed after it"
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
        await watcher.close()


async def _backend_gone(conn, pid: int) -> None:
    """PostgreSQL ends a backend whose client vanished (rolling its transaction back) once its
    statement finishes; wait for that, so what the test reads next is final."""
    deadline = time.monotonic() + 30
    while await conn.fetchval("SELECT count(*) FROM pg_stat_activity WHERE pid = $1", pid):
        assert time.monotonic() < deadline, "the killed server's backend did not end"
        await asyncio.sleep(0.02)


async def test_sigkill_mid_report_leaves_every_declaration_consistent(api, engine, services, database_url,
                                                                     start_server):
    world = await ReviewWorld(api, engine, services).setup()
    await seed_approved(engine, world.base["id"], [
        {"name": f"申报人{i}", "work_unit": world.base["id"], "confirmed_at": datetime(2026, 3, 1, tzinfo=UTC)}
        for i in range(COUNT)], tag="killed")
    base, dept = decode_id(world.base["id"], "Unit", "id"), decode_id(world.dept["id"], "Unit", "id")
    ids = [r.id for r in await rows(engine, "SELECT id FROM declaration WHERE current_unit_id = :u "
                                    "AND status = 'APPROVED'", u=base)]
    assert len(ids) == COUNT

    server = await asyncio.to_thread(start_server)
    async with httpx.AsyncClient(base_url=server.url, timeout=60) as client:
        # Logged in on the served app itself (its real clock; the in-process app's is fake).
        login = await client.post("/graphql", json={
            "query": "mutation($l: String!, $p: String!) { login(login: $l, password: $p) { token } }",
            "variables": {"l": world.base["loginName"], "p": PASSWORD}})
        token = login.json()["data"]["login"]["token"]
        request = asyncio.create_task(client.post(
            "/graphql", json={"query": REPORT, "variables": {"ids": [encode_id("Declaration", i) for i in ids]}},
            headers={"Authorization": f"Bearer {token}"}))
        # Each run kills at one of the writes, drawn at random (ZHICHENG_KILL_AT=0..3 chooses).
        target = int(os.environ.get("ZHICHENG_KILL_AT", random.randrange(len(WRITES))))
        what = await _kill_at_write(database_url, server.process, request, target)
        try:
            answer = await request
            print(f"{what}; the client got HTTP {answer.status_code}")
        except httpx.HTTPError as exc:
            print(f"{what}; the client got {type(exc).__name__}")

    states = Counter(tuple(r) for r in await rows(engine, _STATES, ids=ids, base=base, dept=dept))
    print(f"after the kill: {dict(states)}")
    assert sum(states.values()) == COUNT
    assert set(states) <= {REPORTED, NOT_REPORTED}, states
    assert len(states) == 1, f"a report is one transaction, but it was cut in two: {states}"

    verified = subprocess.run([str(ZHICHENG), "verify-audit"], env={**os.environ, "DATABASE_URL": database_url},
                              capture_output=True, text=True, timeout=60)
    assert verified.returncode == 0, verified.stdout + verified.stderr
