"""bench/profile: where a hot read spends its time, with cProfile, in-process (no HTTP).

    python3 -m bench.profile [--database-url URL] [--database zhicheng_bench] [--unit-login bench_unitN]
                             [--requests 200] [--trusted]

Runs reviewQueue pages of 50 through the ASGI app (as bench.run's query) against the
seeded bench database and prints the functions with the most cumulative and own time.
With --trusted the page is sent by documentId (registered first: the database must be
migrated to 0017), as a trusted document answered by its compiled statement.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import hashlib
import io
import pstats
import time

import httpx

from bench.run import BENCH_PASSWORD, REVIEW_QUEUE
from bench.seed import BENCH_DB, server_url
from core import db
from core.config import Settings
from core.services import build_services
from server import create_app


async def _register(client: httpx.AsyncClient, engine) -> str:
    from sqlalchemy import text as sql_text

    doc_id = hashlib.sha256(REVIEW_QUEUE.encode()).hexdigest()
    async with engine.begin() as conn:
        await conn.execute(sql_text("INSERT INTO trusted_document (id, text, name, source, added_at) "
                                    "VALUES (:id, :text, 'bench reviewQueue', 'FILE', now()) "
                                    "ON CONFLICT (id) DO UPDATE SET retired_at = NULL"),
                           {"id": doc_id, "text": REVIEW_QUEUE})
    return doc_id


async def page_request(client: httpx.AsyncClient, engine, login: str, state: str,
                       trusted: bool) -> tuple[dict, dict[str, str]]:
    """Log in as `login`; the review-queue page's request body (as text, or by documentId
    when `trusted`) and its headers."""
    body = {"query": "mutation($l:String!,$p:String!){login(login:$l,password:$p){token}}",
            "variables": {"l": login, "p": BENCH_PASSWORD}}
    token = (await client.post("/graphql", json=body)).json()["data"]["login"]["token"]
    query: dict = {"query": REVIEW_QUEUE, "variables": {"filter": {"state": state}, "first": 50}}
    if trusted:
        query = {"documentId": await _register(client, engine), "variables": query["variables"]}
    return query, {"Authorization": f"Bearer {token}"}


async def profile(url: str, login: str, requests: int, state: str, trusted: bool = False) -> None:
    engine = db.create_engine(url, pool_size=2)
    app = create_app(build_services(Settings(), engine), engine)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as client:
        query, headers = await page_request(client, engine, login, state, trusted)
        first = (await client.post("/graphql", json=query, headers=headers)).json()
        assert "errors" not in first, first["errors"]
        profiler = cProfile.Profile()
        started = time.perf_counter()
        profiler.enable()
        for _ in range(requests):
            await client.post("/graphql", json=query, headers=headers)
        profiler.disable()
        elapsed = time.perf_counter() - started
    await engine.dispose()
    print(f"{requests} reviewQueue pages of 50{' (trusted document)' if trusted else ''} in {elapsed:.2f} s: {elapsed / requests * 1000:.1f} ms each "
          f"(in-process, profiler on)")
    for key in ("cumulative", "tottime"):
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(key).print_stats(30)
        print(out.getvalue())


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="bench.profile", description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url")
    parser.add_argument("--unit-login", default="bench_unit9", help="a supervising department by default")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--state", default="APPROVED")
    parser.add_argument("--database", default=BENCH_DB, help=f"the seeded database (default {BENCH_DB})")
    parser.add_argument("--trusted", action="store_true", help="send the page as a trusted document (documentId)")
    args = parser.parse_args(argv)
    base, embedded = server_url(args.database_url)
    try:
        asyncio.run(profile(db.with_database(base, args.database), args.unit_login, args.requests, args.state,
                            args.trusted))
    finally:
        if embedded:
            embedded.stop()


if __name__ == "__main__":
    main()
