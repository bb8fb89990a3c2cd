"""Migration 0002 and the models agree (the search indexes and partial unique indexes included)."""

from __future__ import annotations

import asyncio

from core import migrate


async def test_no_drift_after_units_and_routes(database_url):
    await asyncio.to_thread(migrate.check, database_url)
