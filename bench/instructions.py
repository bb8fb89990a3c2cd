"""bench/instructions: instructions per review-queue page, counted by valgrind's callgrind.

    python3 -m bench.instructions [--database-url URL] [--database zhicheng_bench]
                                  [--unit-login bench_unitN] [--trusted] [--state APPROVED]

Runs the page of bench.run (in-process through the ASGI app, as bench.profile does) under
`valgrind --tool=callgrind` twice, with FEW and MANY requests after the login, and prints
(instructions of MANY − instructions of FEW) / (MANY − FEW): the instructions one request
costs the API process (client included), without start-up and first-request costs. Unlike
CPU seconds, the count does not depend on what else the machine runs: on this project's
shared 2-core machine two runs minutes apart differ by ±20 % in seconds, and by well under
1 % in instructions. With --trusted the page is sent by documentId (compiled statement).
Needs valgrind (Debian's `valgrind`); each run takes a minute or two.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import shutil
import subprocess
import sys

from bench.seed import BENCH_DB, server_url
from core import db

FEW, MANY = 5, 20


async def _requests(url: str, login: str, count: int, trusted: bool, state: str) -> None:
    import httpx

    from bench.profile import page_request
    from core.config import Settings
    from core.services import build_services
    from server import create_app

    engine = db.create_engine(url, pool_size=2)
    app = create_app(build_services(Settings(), engine), engine)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as client:
        query, headers = await page_request(client, engine, login, state, trusted)
        for _ in range(count):
            answer = (await client.post("/graphql", json=query, headers=headers)).json()
            assert "errors" not in answer and answer["data"]["reviewQueue"]["edges"], answer
    await engine.dispose()


def _count(args: argparse.Namespace, url: str, requests: int) -> int:
    command = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable, "-m",
               "bench.instructions", "--run", str(requests), "--url", url, "--unit-login", args.unit_login,
               "--state", args.state, *(["--trusted"] if args.trusted else [])]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    found = re.search(r"Collected : (\d+)", done.stderr)
    if done.returncode != 0:
        raise SystemExit(f"the measured run failed ({done.returncode}):\n{done.stderr[-3000:]}")
    if found is None:
        raise SystemExit(f"callgrind printed no count:\n{done.stderr[-2000:]}")
    return int(found.group(1))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="bench.instructions", description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url")
    parser.add_argument("--database", default=BENCH_DB, help=f"the seeded database (default {BENCH_DB})")
    parser.add_argument("--unit-login", default="bench_unit9", help="a supervising department by default")
    parser.add_argument("--state", default="APPROVED")
    parser.add_argument("--trusted", action="store_true", help="send the page as a trusted document (documentId)")
    parser.add_argument("--run", type=int, help=argparse.SUPPRESS)  # inside valgrind: make this many requests
    parser.add_argument("--url", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.run is not None:
        asyncio.run(_requests(args.url, args.unit_login, args.run, args.trusted, args.state))
        return
    if shutil.which("valgrind") is None:
        raise SystemExit("bench.instructions needs valgrind (apt-get install valgrind)")
    base, embedded = server_url(args.database_url)
    try:
        url = db.with_database(base, args.database)
        few, many = _count(args, url, FEW), _count(args, url, MANY)
    finally:
        if embedded:
            embedded.stop()
    page = "trusted document (documentId)" if args.trusted else "as text"
    print(f"review-queue page of 50, {page}, {args.state}, as {args.unit_login}: "
          f"{(many - few) / (MANY - FEW) / 1e6:.2f} M instructions per request "
          f"(callgrind, {MANY} − {FEW} requests)")


if __name__ == "__main__":
    main()
