"""The job queue (作业队列): work that must not run on a request's event loop.

procrastinate keeps the queue in PostgreSQL (tables from migration 0018): a worker process
(`zhicheng worker`, or the one `zhicheng serve` starts) takes jobs with
`FOR UPDATE SKIP LOCKED` and is woken by LISTEN/NOTIFY when one is deferred.

Declaring a task (in the resolvers module of its workflow area; list the module in
app/worker.py's TASK_MODULES so the worker imports it):

    @jobs.queue.task(name="exports.run", queue="exports", pass_context=True)
    async def run_export(context: JobContext, *, export_id: int) -> None:
        services = jobs.services(context)            # settings, clock, session factory
        async with services.session_factory() as session, session.begin():
            ...

Deferring it from a workflow step: `await jobs.defer(env.session, run_export, export_id=e.id)`.
The job row is inserted on the step's own connection, in its transaction, so the job exists
if and only if the step commits (a refused step rolls it back with everything else), and the
worker's NOTIFY fires at that commit. `schedule_at=env.clock.now() + delay` holds it back.
Never call procrastinate's own `task.defer_async()` from a step: it takes a connection of
procrastinate's pool, outside the step's transaction.

A periodic task (e.g. a sweep every minute) is declared once and deferred by the worker
itself, each tick at most once across every worker:

    @jobs.queue.periodic(cron="* * * * *", periodic_id="exports.expire")
    @jobs.queue.task(name="exports.expire", queue="exports", pass_context=True)
    async def expire_exports(context: JobContext, timestamp: int) -> None: ...

Arguments travel as JSON: pass ids and plain values, never ORM objects. A task may run more
than once (a worker killed mid-job leaves it to be retried): make it idempotent.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING, Any

import procrastinate
from procrastinate import builtin_tasks
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession

if TYPE_CHECKING:
    from core.services import AppServices

# procrastinate's tables (migration 0018): not models of ours, left out of the drift check
# and emptied with the rest between tests.
QUEUE_TABLES = frozenset({
    "procrastinate_jobs", "procrastinate_events", "procrastinate_periodic_defers", "procrastinate_workers",
})

# The app every task is registered on. Its connector has no connection parameters: the worker
# opens it on a pool of its own (app/worker.py), and steps defer through their own session.
queue = procrastinate.App(connector=procrastinate.PsycopgConnector())

# Key of the worker's AppServices in a job's context (JobContext.additional_context).
SERVICES_KEY = "services"

_DEFER = text("""
    SELECT unnest(procrastinate_defer_jobs_v1(ARRAY[ROW(
        CAST(:queue AS varchar), CAST(:task AS varchar), CAST(:priority AS integer), CAST(:lock AS text),
        CAST(:queueing_lock AS text), CAST(:args AS jsonb), CAST(:scheduled_at AS timestamptz)
    )::procrastinate_job_to_defer_v1]))
""")


async def defer(session: AsyncSession, task: procrastinate.tasks.Task, *, schedule_at: datetime | None = None,
                **kwargs: Any) -> int:
    """Queue `task(**kwargs)` in the session's transaction; the job's id. procrastinate's
    own SQL function does the insert (the row it would have written itself). `schedule_at`
    (from the step's clock: `env.clock.now() + delay`) holds the job back until then."""
    job = task.configure(schedule_at=schedule_at).make_new_job(**kwargs)
    result = await session.execute(_DEFER, {
        "queue": job.queue, "task": job.task_name, "priority": job.priority, "lock": job.lock,
        "queueing_lock": job.queueing_lock, "args": json.dumps(job.task_kwargs), "scheduled_at": job.scheduled_at,
    })
    return result.scalar_one()


def services(context: procrastinate.JobContext) -> AppServices:
    """The worker's settings, clock and session factory, from inside a task."""
    return context.additional_context[SERVICES_KEY]


def psycopg_conninfo(url: str) -> str:
    """Our database URL (any driver prefix; the embedded server's Unix socket in `?host=`)
    as the libpq URI psycopg takes."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


# A worker that dies mid-job (SIGKILL, a lost host) stops beating its heart (every 10 s);
# after this long its jobs are put back in the queue: at least once, never lost.
STALLED_AFTER_SECONDS = 60


@queue.periodic(cron="* * * * *", periodic_id="jobs.retry_stalled")
@queue.task(name="jobs.retry_stalled", queue="maintenance", pass_context=True)
async def retry_stalled_jobs(context: procrastinate.JobContext, timestamp: int) -> None:
    """Every minute: jobs left `doing` by a worker that stopped beating go back to `todo`."""
    manager = context.app.job_manager
    for job in await manager.get_stalled_jobs(seconds_since_heartbeat=STALLED_AFTER_SECONDS):
        await manager.retry_job(job)


# Finished jobs are kept this long for inspection (procrastinate keeps them forever by default:
# the two every-minute sweeps alone would add a million rows a year).
JOB_HISTORY_HOURS = 7 * 24


@queue.periodic(cron="17 * * * *", periodic_id="jobs.prune_finished")
@queue.task(name="jobs.prune_finished", queue="maintenance", pass_context=True)
async def prune_finished_jobs(context: procrastinate.JobContext, timestamp: int) -> None:
    """Hourly: jobs that ended (succeeded, failed, cancelled, aborted) over a week ago go."""
    await builtin_tasks.remove_old_jobs(context, max_hours=JOB_HISTORY_HOURS, remove_failed=True,
                                        remove_cancelled=True, remove_aborted=True)
