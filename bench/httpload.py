"""A small closed-loop HTTP/1.1 load generator on raw asyncio streams.

httpx costs more CPU per request than the server under test on this 2-core machine, so the
client would be measured instead of the server; this one keeps each connection alive and
does no more than write a request and read Content-Length bytes back.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class LoadResult:
    latencies: list[float] = field(default_factory=list)  # seconds
    errors: int = 0
    elapsed: float = 0.0
    last_body: bytes = b""

    @property
    def count(self) -> int:
        return len(self.latencies)

    def percentile(self, p: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]

    @property
    def rps(self) -> float:
        return self.count / self.elapsed if self.elapsed else 0.0


def build_request(host: str, port: int, path: str, body: bytes, headers: dict[str, str]) -> bytes:
    lines = [f"POST {path} HTTP/1.1", f"Host: {host}:{port}", "Content-Type: application/json",
             f"Content-Length: {len(body)}", "Connection: keep-alive"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    return status, await reader.readexactly(length)


async def run_load(
    host: str,
    port: int,
    path: str,
    make_request: Callable[[int], bytes],
    *,
    concurrency: int,
    total: int | None = None,
    duration: float | None = None,
    check: Callable[[int, bytes], bool] = lambda status, body: status == 200,
) -> LoadResult:
    """Send requests from `concurrency` connections until `total` are done or `duration` passes.

    `make_request(i)` returns the raw bytes of request number i (see `build_request`)."""
    result = LoadResult()
    counter = iter(range(10**12))
    started = time.perf_counter()
    deadline = started + duration if duration else None

    async def worker() -> None:
        reader, writer = await asyncio.open_connection(host, port)
        try:
            while True:
                i = next(counter)
                if (total is not None and i >= total) or (deadline and time.perf_counter() > deadline):
                    return
                t0 = time.perf_counter()
                writer.write(make_request(i))
                status, body = await _read_response(reader)
                result.latencies.append(time.perf_counter() - t0)
                result.last_body = body
                if not check(status, body):
                    result.errors += 1
        finally:
            writer.close()

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    result.elapsed = time.perf_counter() - started
    return result
