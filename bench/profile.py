"""bench/profile: where a hot read spends its time, with cProfile, in-process (no HTTP).

    python3 -m bench.profile [--database-url URL] [--unit-login bench_unitN] [--requests 200]

Runs reviewQueue pages of 50 through the ASGI app (as bench.run's query) against the
seeded bench database and prints the functions with the most cumulative and own time.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
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


async def profile(url: str, login: str, requests: int, state: str) -> None:
    engine = db.create_engine(url, pool_size=2)
    app = create_app(build_services(Settings(), engine), engine)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as client:
        body = {"query": "mutation($l:String!,$p:String!){login(login:$l,password:$p){token}}",
                "variables": {"l": login, "p": BENCH_PASSWORD}}
        token = (await client.post("/graphql", json=body)).json()["data"]["login"]["token"]
        headers = {"Authorization": f"Bearer {token}"}
        query = {"query": REVIEW_QUEUE, "variables": {"filter": {"state": state}, "first": 50}}
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
    print(f"{requests} reviewQueue pages of 50 in {elapsed:.2f} s: {elapsed / requests * 1000:.1f} ms each "
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
    args = parser.parse_args(argv)
    base, embedded = server_url(args.database_url)
    try:
        asyncio.run(profile(db.with_database(base, BENCH_DB), args.unit_login, args.requests, args.state))
    finally:
        if embedded:
            embedded.stop()


if __name__ == "__main__":
    main()
