"""The committed SDL and the migrations stay true to the code."""

from __future__ import annotations

import asyncio
import os

import asyncpg
from alembic import command

from core import db, migrate
from core.config import PROJECT_ROOT
from schema import schema


def test_committed_sdl_matches_the_schema():
    committed = (PROJECT_ROOT / "schema.graphql").read_text(encoding="utf-8")
    assert committed == schema.as_str() + "\n", "schema drifted: run `zhicheng export-schema` and commit"


async def test_models_and_migrations_agree(database_url):
    # `alembic check` compares the migrated test database with the models.
    await asyncio.to_thread(migrate.check, database_url)


async def test_migrations_go_down_and_up_on_an_empty_database(server_url):
    name = f"zc_migration_cycle_{os.getpid()}"  # parallel runs on one server must not meet
    admin = await asyncpg.connect(db.plain_url(db.with_database(server_url, "postgres")))
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{name}"')
        url = db.with_database(server_url, name)
        await asyncio.to_thread(migrate.upgrade, url)
        await asyncio.to_thread(command.downgrade, migrate.alembic_config(url), "base")
        conn = await asyncpg.connect(db.plain_url(url))
        tables = await conn.fetch(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'alembic_version'"
        )
        await conn.close()
        assert tables == []
        await asyncio.to_thread(migrate.upgrade, url)
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
