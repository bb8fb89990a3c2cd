"""The hostile suite: attacks on the API as a client on the network would make them.

Every test here talks to a real server — `zhicheng serve` in a child process on a free
port of 127.0.0.1, on the test database — over real sockets, because what it guards
(slow bodies, overload, headers, logs) lives in the HTTP server and the process, which an
in-process ASGI client skips. `live_server` is module-scoped: a module that needs a server
of its own settings (a small pool, a low concurrency limit) asks for `start_server(env=…)`.
"""

from __future__ import annotations

# The fixtures live in tests/support/live.py, shared with tests/browser.
from tests.support.live import LiveServer, live_server, start_server

__all__ = ["LiveServer", "live_server", "start_server"]
