"""Alembic environment: async engine from DATABASE_URL, or a connection handed in by the app."""

from __future__ import annotations

import asyncio
import os

from alembic import context
from sqlalchemy import pool
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

import models
from core.db import asyncpg_url
from core.jobs import QUEUE_TABLES

target_metadata = models.Base.metadata
config = context.config


def _ours(name: str | None, type_: str, _parent_names) -> bool:
    """The job queue's tables are procrastinate's (migration 0018), not our models': the
    drift check (`alembic check`) leaves them out."""
    return not (type_ == "table" and name in QUEUE_TABLES)


def _configure_and_run(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata, compare_type=True,
                      include_name=_ours)
    with context.begin_transaction():
        context.run_migrations()


async def _run_async(url: str) -> None:
    engine = create_async_engine(asyncpg_url(url), poolclass=pool.NullPool)
    async with engine.connect() as connection:
        await connection.run_sync(_configure_and_run)
    await engine.dispose()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:  # the app (or a test) passes its own connection
        _configure_and_run(connection)
        return
    url = config.attributes.get("url") or os.environ.get("DATABASE_URL")
    if not url:
        raise SystemExit("DATABASE_URL is not set; use `zhicheng migrate`, which starts the embedded server")
    asyncio.run(_run_async(url))


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported")
run_migrations_online()
