"""A real webhook receiver on 127.0.0.1 (uvicorn, real sockets) for the delivery tests.

It records every POST (headers, raw body) and answers `status` (200 by default); `hold`
makes it keep requests waiting until released (a worker killed mid-delivery); `stop()` takes
it off the network (connection refused) and `start()` brings it back on the same port.
"""

from __future__ import annotations

import asyncio
import socket
from dataclasses import dataclass, field

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    port: int = 0
    status: int = 200
    received: list[Received] = field(default_factory=list)
    hold: asyncio.Event | None = None  # set: answer; unset: keep the request waiting
    arrived: asyncio.Event = field(default_factory=asyncio.Event)
    _server: uvicorn.Server | None = None
    _task: asyncio.Task | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/zhicheng"

    async def _hook(self, request: Request) -> Response:
        self.received.append(Received({k.lower(): v for k, v in request.headers.items()}, await request.body()))
        self.arrived.set()
        if self.hold is not None:
            await self.hold.wait()
        return Response(status_code=self.status)

    async def start(self) -> Receiver:
        if not self.port:
            with socket.socket() as s:
                s.bind(("127.0.0.1", 0))
                self.port = s.getsockname()[1]
        app = Starlette(routes=[Route("/hooks/zhicheng", self._hook, methods=["POST"])])
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="off")
        self._server = uvicorn.Server(config)
        self._task = asyncio.create_task(self._server.serve())
        while not self._server.started:
            await asyncio.sleep(0.01)
        return self

    async def stop(self) -> None:
        if self._server is not None and self._task is not None:
            self._server.should_exit = True
            if self.hold is not None:
                self.hold.set()
            await self._task
            self._server = self._task = None

    async def wait_for(self, count: int, timeout: float = 60.0) -> list[Received]:
        """The first `count` requests, waiting for them to arrive."""
        async def enough() -> None:
            while len(self.received) < count:
                self.arrived.clear()
                await self.arrived.wait()
        await asyncio.wait_for(enough(), timeout)
        return self.received[:count]
