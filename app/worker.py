"""The worker process (`zhicheng worker`): runs the job queue's tasks (core/jobs.py).

It shares nothing with the web processes but PostgreSQL. procrastinate holds the queue
connection (psycopg, LISTEN/NOTIFY); the tasks work through our SQLAlchemy engine, like a
request. SIGTERM or SIGINT stops it gracefully: no new job is taken, running ones get
`ZHICHENG_WORKER_SHUTDOWN_SECONDS` to finish, then are cancelled (a second signal cancels
them at once).

Beside the jobs it runs the webhook sender (app/webhooks.py), a loop that delivers the
outbox, and stops it with the worker.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import logging
from collections.abc import AsyncIterator

import procrastinate

from app.webhooks import WebhookSender
from core import db, jobs
from core.clock import Clock
from core.config import Settings
from core.services import AppServices, build_services
from resolvers import catalog

log = logging.getLogger(__name__)

# The modules that declare tasks on `core.jobs.queue`: imported before the worker starts,
# so that every task a job names is known. Add yours here.
TASK_MODULES: tuple[str, ...] = ("core.jobs", "resolvers.exports")


def import_tasks() -> None:
    for name in TASK_MODULES:
        importlib.import_module(name)


async def run_worker(url: str, settings: Settings, *, wait: bool = True, clock: Clock | None = None,
                     install_signal_handlers: bool = True) -> None:
    """Run jobs until stopped (a signal, or this coroutine cancelled); with `wait=False`
    only until the queue is empty (tests)."""
    import_tasks()
    engine = db.create_engine(url, pool_size=settings.worker_concurrency + 1, pool_timeout=settings.db_pool_timeout,
                              ping_after_idle=settings.db_ping_after_idle)
    services = build_services(settings, engine, clock)
    # A connection of procrastinate's own per run (its pool: one listens, one fetches and
    # heart-beats, one per running job), so a run starts afresh after an earlier one closed.
    connector = procrastinate.PsycopgConnector(conninfo=jobs.psycopg_conninfo(url), min_size=2,
                                               max_size=settings.worker_concurrency + 2,
                                               timeout=settings.db_pool_timeout)
    try:
        await catalog.reload(services.session_factory)
        with jobs.queue.replace_connector(connector) as queue:
            async with queue.open_async(), sending_webhooks(services):
                await queue.run_worker_async(
                    wait=wait, concurrency=settings.worker_concurrency,
                    additional_context={jobs.SERVICES_KEY: services},
                    shutdown_graceful_timeout=settings.worker_shutdown_seconds,
                    install_signal_handlers=install_signal_handlers, listen_notify=True,
                )
    finally:
        await engine.dispose()


@contextlib.asynccontextmanager
async def sending_webhooks(services: AppServices) -> AsyncIterator[None]:
    """The webhook sender's loop for as long as the worker runs; on exit it ends its round."""
    sender = WebhookSender(services)
    stop = asyncio.Event()
    task = asyncio.create_task(sender.run_forever(stop))
    try:
        yield
    finally:
        stop.set()
        try:
            await task
        finally:
            await sender.aclose()
