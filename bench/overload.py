"""Overload: many more concurrent clients than the server admits, /healthz sampled meanwhile.

    .venv/bin/python -m bench.overload --database-url postgresql://postgres@127.0.0.1:5432/postgres

Budget (hardening issue, item 3): under 200 concurrent clients `/healthz` p99 < 100 ms and no
5xx other than 503 (shed with Retry-After). Runs on an empty database: it registers and logs
in a person of its own (database `zhicheng_bench_overload` unless `--database`), then each of
`--clients` keep-alive connections sends an authenticated page query in a closed loop (a shed
request waits its Retry-After; `--retry-storm`: is retried at once) while one more connection
asks `/healthz` every 20 ms. Prints the status histogram, the API's throughput and latencies and /healthz's.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import os
import tempfile
import uuid
from pathlib import Path

import httpx
import orjson

from bench.httpload import LoadResult, build_request
from bench.run import HOST, start_server
from core import db
from core.config import PROJECT_ROOT
from rules.identity import resident_id_check_char

REGISTER = """mutation($input: RegisterPersonInput!) { registerPerson(input: $input) { errors { code message } } }"""
LOGIN = """mutation($login: String!, $password: String!) { login(login: $login, password: $password) { token } }"""
# Authentication (one statement) plus a page of the person's declarations (one statement).
PAGE = "{ me { loginName } myDeclarations(first: 50) { totalCount edges { node { id status year } } } }"
PASSWORD = "Overload-2026"


async def register(port: int) -> str:
    login = f"overload{uuid.uuid4().hex[:8]}"
    first17 = f"37010219850312{uuid.uuid4().int % 1000:03d}"
    person = {"loginName": login, "idNumber": first17 + resident_id_check_char(first17), "name": "压测",
              "mobile": "13800138000", "password": PASSWORD}
    async with httpx.AsyncClient(base_url=f"http://{HOST}:{port}", timeout=30) as client:
        answer = (await client.post("/graphql", json={"query": REGISTER, "variables": {"input": person}})).json()
        assert answer["data"]["registerPerson"]["errors"] == [], answer
        answer = (await client.post("/graphql", json={"query": LOGIN,
                                                       "variables": {"login": login, "password": PASSWORD}})).json()
        return answer["data"]["login"]["token"]


async def _read(reader: asyncio.StreamReader) -> tuple[int, dict[bytes, bytes]]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    headers = {name.strip().lower(): value.strip()
               for name, _, value in (line.partition(b":") for line in lines[1:] if line)}
    await reader.readexactly(int(headers.get(b"content-length", b"0")))
    return int(lines[0].split(b" ", 2)[1]), headers


async def api_clients(port: int, token: str, clients: int, duration: float, honour_retry_after: bool,
                      statuses: collections.Counter[int]) -> LoadResult:
    """`clients` keep-alive connections in a closed loop; a 503 waits its Retry-After first
    (a well-behaved client) unless told not to (a retry storm)."""
    page = build_request(HOST, port, "/graphql", orjson.dumps({"query": PAGE}), {"Authorization": f"Bearer {token}"})
    result = LoadResult()
    loop = asyncio.get_running_loop()
    deadline = loop.time() + duration

    async def client() -> None:
        reader, writer = await asyncio.open_connection(HOST, port)
        try:
            while loop.time() < deadline:
                started = loop.time()
                writer.write(page)
                status, headers = await _read(reader)
                result.latencies.append(loop.time() - started)
                statuses[status] += 1
                if status == 503 and honour_retry_after:
                    await asyncio.sleep(min(float(headers.get(b"retry-after", b"1")), max(0.0, deadline - loop.time())))
        finally:
            writer.close()

    started = loop.time()
    await asyncio.gather(*(client() for _ in range(clients)))
    result.elapsed = loop.time() - started
    return result


async def health(port: int, duration: float) -> LoadResult:
    """One /healthz probe every 20 ms, as a load balancer polls."""
    result = LoadResult()
    reader, writer = await asyncio.open_connection(HOST, port)
    loop = asyncio.get_running_loop()
    await asyncio.sleep(0.5)  # once the load is on
    deadline = loop.time() + duration - 1
    try:
        while loop.time() < deadline:
            started = loop.time()
            writer.write(f"GET /healthz HTTP/1.1\r\nHost: {HOST}:{port}\r\n\r\n".encode())
            status, _ = await _read(reader)
            result.latencies.append(loop.time() - started)
            result.errors += status != 200
            await asyncio.sleep(0.02)
    finally:
        writer.close()
    return result


async def measure(port: int, token: str, clients: int, duration: float,
                  honour_retry_after: bool) -> tuple[LoadResult, LoadResult, dict[int, int]]:
    statuses: collections.Counter[int] = collections.Counter()
    api, probes = await asyncio.gather(api_clients(port, token, clients, duration, honour_retry_after, statuses),
                                       health(port, duration))
    return api, probes, dict(sorted(statuses.items()))


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="bench.overload", description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="a PostgreSQL server (default: DATABASE_URL, else embedded)")
    parser.add_argument("--database", default="zhicheng_bench_overload", help="the database to use (created)")
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--duration", type=float, default=15)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--retry-storm", action="store_true",
                        help="clients retry a 503 at once instead of after its Retry-After")
    args = parser.parse_args(argv)

    embedded = None
    server_url = args.database_url or os.environ.get("DATABASE_URL")
    if not server_url:
        embedded = db.EmbeddedPostgres(PROJECT_ROOT / "var" / "bench-pgdata")
        server_url = embedded.start()
    url = db.with_database(server_url, args.database)
    logs = Path(tempfile.mkdtemp(prefix="bench-overload-"))
    server = start_server(url, args.workers, logs)
    try:
        async def go():
            await server.wait_ready("/readyz")
            token = await register(server.port)
            return await measure(server.port, token, args.clients, args.duration, not args.retry_storm)

        api, probes, statuses = asyncio.run(go())
    finally:
        server.stop()
        if embedded:
            embedded.stop()

    five_xx = {s: n for s, n in statuses.items() if s >= 500 and s != 503}
    behaviour = "retrying a 503 at once" if args.retry_storm else "honouring Retry-After"
    print(f"{args.clients} clients ({behaviour}) for {args.duration:g} s, {args.workers} worker(s); "
          f"server log {server.log_path}")
    print(f"status histogram: {statuses}")
    ok = statuses.get(200, 0)
    print(f"API: {api.count} answers, {ok / api.elapsed:.1f} pages/s answered 200; latency of every answer "
          f"p50 {ms(api.percentile(50))} ms, p99 {ms(api.percentile(99))} ms, max {ms(max(api.latencies))} ms")
    print(f"/healthz: {probes.count} probes, {probes.errors} not 200; p50 {ms(probes.percentile(50))} ms, "
          f"p99 {ms(probes.percentile(99))} ms, max {ms(max(probes.latencies))} ms")
    met = probes.percentile(99) < 0.1 and not five_xx and probes.errors == 0
    print(f"budget (/healthz p99 < 100 ms, no 5xx but 503): {'met' if met else 'NOT met'}"
          + (f" — other 5xx: {five_xx}" if five_xx else ""))


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        main()
