"""core.http.ConcurrencyLimit: a request waiting for CPU elsewhere (a login's password hash)
steps aside from its slot, so reads go on; it takes a slot back afterwards, never shed."""

from __future__ import annotations

import asyncio

from core.http import ConcurrencyLimit, slot_released


def _scope(path: str) -> dict:
    return {"type": "http", "method": "POST", "path": path, "headers": []}


async def _call(app, path: str) -> int:
    sent: list[dict] = []

    async def receive() -> dict:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict) -> None:
        sent.append(message)

    await app(_scope(path), receive, send)
    return next(m["status"] for m in sent if m["type"] == "http.response.start")


def _limited(step_aside: bool):
    hashing, done = asyncio.Event(), asyncio.Event()

    async def app(scope, receive, send) -> None:
        if scope["path"] == "/graphql/login":
            if step_aside:
                async with slot_released():
                    hashing.set()
                    await done.wait()
            else:
                hashing.set()
                await done.wait()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"{}"})

    return ConcurrencyLimit(app, limit=1, queue=10, wait_timeout=0.3, paths=("/graphql",)), hashing, done


async def test_a_login_hashing_hands_its_slot_to_a_read():
    limiter, hashing, done = _limited(step_aside=True)
    login = asyncio.create_task(_call(limiter, "/graphql/login"))
    await hashing.wait()
    assert await _call(limiter, "/graphql/read") == 200  # served while the login hashes
    done.set()
    assert await login == 200  # the login took a slot back and answered
    assert (limiter.running, limiter.waiters) == (0, [])


async def test_without_stepping_aside_the_read_waits_and_is_shed():
    limiter, hashing, done = _limited(step_aside=False)
    login = asyncio.create_task(_call(limiter, "/graphql/login"))
    await hashing.wait()
    assert await _call(limiter, "/graphql/read") == 503
    done.set()
    assert await login == 200
    assert (limiter.running, limiter.waiters) == (0, [])


async def test_coming_back_waits_its_turn_and_is_never_shed():
    limiter, hashing, done = _limited(step_aside=True)
    login = asyncio.create_task(_call(limiter, "/graphql/login"))
    await hashing.wait()
    blocker = asyncio.Event()

    async def slow_read(scope, receive, send) -> None:
        await blocker.wait()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"{}"})

    limiter.app, original = slow_read, limiter.app
    read = asyncio.create_task(_call(limiter, "/graphql/read"))  # takes the slot the login gave up
    await asyncio.sleep(0.05)
    limiter.app = original
    done.set()  # the login wants a slot back while the read holds the only one
    await asyncio.sleep(0.5)  # longer than wait_timeout: a returning request is not shed
    assert not login.done()
    blocker.set()
    assert await read == 200 and await login == 200
    assert (limiter.running, limiter.waiters) == (0, [])
