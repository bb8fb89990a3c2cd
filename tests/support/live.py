"""A live server for the tests that need real sockets (tests/hostile, tests/browser), and calls
to it from a chosen source address.

`live_server` is `zhicheng serve` in a child process on a free port of 127.0.0.1, on the test
database, module-scoped; `start_server(env=…)` starts one with its own settings. Both folders'
conftests re-export the fixtures.

Linux routes all of 127.0.0.0/8 to loopback, so a client bound to 127.0.0.2 reaches a server
on 127.0.0.1 and is seen there as 127.0.0.2: one machine plays an attacker and an owner on
different addresses, through the real socket path (no header the server might trust)."""

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
                 # No job worker beside it unless a test asks (`env={"ZHICHENG_SERVE_WORKER": "ON"}`):
                 # the test database's jobs are the in-process tests' to run.
                 "ZHICHENG_SERVE_WORKER": "OFF",
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


# --- calls from a chosen source address ---------------------------------------------------

LOGIN_ALL = """mutation($login: String!, $password: String!) {
  login(login: $login, password: $password) { token me { loginName } errors { code field message } } }"""


def graphql_from(server, address: str, query: str, variables: dict | None = None, token: str | None = None,
                 headers: dict | None = None) -> dict:
    """POST one operation from `address`; the whole JSON body."""
    sent = {**({"Authorization": f"Bearer {token}"} if token else {}), **(headers or {})}
    transport = httpx.HTTPTransport(local_address=address)
    with httpx.Client(transport=transport, timeout=20) as client:
        response = client.post(f"{server.url}/graphql", json={"query": query, "variables": variables or {}},
                               headers=sent)
    assert response.status_code == 200, response.text
    return response.json()


def login_from(server, address: str, login: str, password: str, **kwargs) -> dict:
    """The `login` payload of one attempt from `address`."""
    body = graphql_from(server, address, LOGIN_ALL, {"login": login, "password": password}, **kwargs)
    assert "errors" not in body, body
    return body["data"]["login"]
