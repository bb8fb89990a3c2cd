"""Process set-up for the command line: which database, migrations, one step per transaction."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from core import db, migrate
from core.config import Settings
from core.services import AppServices, build_services
from resolvers import catalog
from resolvers.env import Env
from resolvers.reference import sync_reference_data


@dataclass
class Database:
    url: str
    embedded: db.EmbeddedPostgres | None = None

    def stop(self) -> None:
        if self.embedded is not None:
            self.embedded.stop()


def open_database(settings: Settings) -> Database:
    """DATABASE_URL when given; otherwise the embedded PostgreSQL in var/pgdata."""
    if settings.database_url:
        return Database(url=settings.database_url)
    embedded = db.EmbeddedPostgres(settings.data_dir / "pgdata")
    return Database(url=embedded.start(), embedded=embedded)


async def prepare_database(url: str) -> None:
    """Create the database if needed, migrate to head, load reference data; this process then
    serves the database's catalogue (the command line's steps validate against it)."""
    await db.ensure_database(url)
    await asyncio.to_thread(migrate.upgrade, url)
    engine = db.create_engine(url, pool_size=1)
    try:
        sessions = db.create_session_factory(engine)
        async with sessions() as session, session.begin():
            await sync_reference_data(session)
        await catalog.reload(sessions)
    finally:
        await engine.dispose()


async def run_in_transaction(services: AppServices, step, **kwargs):
    """One workflow step in a transaction of its own, as the command line runs it."""
    async with services.session_factory() as session, session.begin():
        return await step(Env.of(services, session, request_id="cli"), **kwargs)


def with_services(settings: Settings, database: Database, work):
    """Prepare the database, run `await work(services)` on one connection, stop the database."""

    async def run():
        await prepare_database(database.url)
        engine = db.create_engine(database.url, pool_size=1)
        try:
            return await work(build_services(settings, engine))
        finally:
            await engine.dispose()

    try:
        return asyncio.run(run())
    finally:
        database.stop()
