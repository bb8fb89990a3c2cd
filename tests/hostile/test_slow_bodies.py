"""Issue item 1: clients that send their body one byte at a time must not hold the pool.

Before: strawberry authenticated the bearer token (on a pooled connection, in a transaction)
before reading the body; 25 such clients left 20 sessions "idle in transaction" and every
other request waited 30 s for a connection, then got a 500."""

from __future__ import annotations

import asyncio

import httpx

from tests.hostile.helpers import idle_in_transaction, open_slow_post, response_status

SLOW_CLIENTS = 12  # three times the pool's capacity (2 + 2 overflow)


async def test_slow_bodies_hold_no_connection_and_time_out(start_server, database_url):
    server = start_server(env={"ZHICHENG_DB_POOL_SIZE": "2", "ZHICHENG_BODY_TIMEOUT": "3"})
    slow = [await open_slow_post(server.port) for _ in range(SLOW_CLIENTS)]
    try:
        await asyncio.sleep(0.5)
        # Everyone else is answered as usual, through the same token lookup.
        async with httpx.AsyncClient(timeout=5) as client:
            response = await client.post(f"{server.url}/graphql", json={"query": "{ regions { code } }"},
                                         headers={"Authorization": "Bearer someone-else"})
        assert response.status_code == 200 and response.json()["data"]["regions"]
        assert await idle_in_transaction(database_url) == 0
        # Once the body timeout passes, each slow client is told so and let go.
        statuses = await asyncio.wait_for(asyncio.gather(*(response_status(r) for r, _ in slow)), timeout=10)
        assert statuses == [408] * SLOW_CLIENTS
    finally:
        for _, writer in slow:
            writer.close()
