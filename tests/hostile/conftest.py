"""The hostile suite: attacks on the API as a client on the network would make them.

Every test here talks to a real server — `zhicheng serve` in a child process on a free
port of 127.0.0.1, on the test database — over real sockets, because what it guards
(slow bodies, overload, headers, logs) lives in the HTTP server and the process, which an
in-process ASGI client skips. `live_server` is module-scoped: a module that needs a server
of its own settings (a small pool, a low concurrency limit) asks for `start_server(env=…)`.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

ZHICHENG = Path(sys.executable).with_name("zhicheng")
HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


@dataclass
class LiveServer:
    """A served API: its base URL, its process, and the log it writes."""

    url: str
    port: int
    process: subprocess.Popen
    log: Path

    def graphql(self, query: str, variables: dict | None = None, token: str | None = None,
                timeout: float = 10) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.post(f"{self.url}/graphql", json={"query": query, "variables": variables or {}},
                          headers=headers, timeout=timeout)

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def _start(database_url: str, log_dir: Path, env: dict[str, str] | None = None,
           workers: int = 1) -> LiveServer:
    port = free_port()
    log = log_dir / f"server-{port}.log"
    child_env = {**os.environ, "DATABASE_URL": database_url, "ZHICHENG_DATA_DIR": str(log_dir),
                 # The first admin's one-time password goes to the log, not a terminal.
                 "ZHICHENG_ADMIN_PASSWORD": os.environ.get("ZHICHENG_ADMIN_PASSWORD", "Hostile-Admin-1"),
                 **(env or {})}
    argv = [str(ZHICHENG), "serve", "--host", HOST, "--port", str(port), "--workers", str(workers)]
    with log.open("wb") as out:
        process = subprocess.Popen(argv, env=child_env, stdout=out, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL)
    server = LiveServer(f"http://{HOST}:{port}", port, process, log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}:\n{server.log_text()}")
        try:
            if httpx.get(f"{server.url}/readyz", timeout=1).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"server did not become ready:\n{server.log_text()}")


@pytest.fixture(scope="module")
def start_server(database_url: str, tmp_path_factory) -> Iterator:
    """`start_server(env={...})`: a server of this module's own settings, stopped at the end."""
    started: list[LiveServer] = []

    def start(env: dict[str, str] | None = None, workers: int = 1) -> LiveServer:
        server = _start(database_url, tmp_path_factory.mktemp("live"), env, workers)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture(scope="module")
def live_server(start_server) -> LiveServer:
    """A server with the default settings, shared by the tests of a module."""
    return start_server()
