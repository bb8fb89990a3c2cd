"""The job queue (core/jobs.py, app/worker.py): its schema comes from our migration, a job
deferred by a step exists iff the step commits, and a worker runs it."""

from __future__ import annotations

import dataclasses
import os
import signal
import subprocess
import sys
from importlib import resources
from pathlib import Path

import procrastinate
from sqlalchemy import text

from app.worker import run_worker
from core import db, jobs
from core.config import PROJECT_ROOT
from tests.conftest import TEST_SETTINGS
from tests.support.db import table_count

RAN: list[dict] = []


@jobs.queue.task(name="tests.remember", queue="tests", pass_context=True)
async def remember(context: procrastinate.JobContext, *, value: str) -> None:
    services = jobs.services(context)  # the worker's: the task reads through our engine
    async with services.session_factory() as session:
        answer = (await session.execute(text("SELECT :v"), {"v": value})).scalar_one()
    RAN.append({"value": answer, "job": context.job.id})


def test_migration_applies_the_installed_procrastinate_schema():
    """0018 applies a copy of the pinned version's schema: an upgrade that changes it needs a
    migration of ours (its procrastinate/sql/migrations files), and this fails until then."""
    installed = (resources.files("procrastinate.sql") / "schema.sql").read_text(encoding="utf-8")
    copy = (PROJECT_ROOT / "migrations" / "procrastinate" / "schema-3.10.0.sql").read_text(encoding="utf-8")
    assert installed == copy


async def test_a_job_exists_only_if_its_transaction_commits(engine, database_url, clean_db):
    sessions = db.create_session_factory(engine)
    async with sessions() as session, session.begin():
        await jobs.defer(session, remember, value="rolled back")
        await session.rollback()
    assert await table_count(engine, "procrastinate_jobs") == 0

    async with sessions() as session, session.begin():
        job_id = await jobs.defer(session, remember, value="committed")
    assert await table_count(engine, "procrastinate_jobs") == 1

    RAN.clear()
    await run_worker(database_url, TEST_SETTINGS, wait=False, install_signal_handlers=False)
    assert [{"value": "committed", "job": job_id}] == RAN
    async with engine.connect() as conn:
        status = (await conn.execute(text("SELECT status::text FROM procrastinate_jobs WHERE id = :i"),
                                     {"i": job_id})).scalar_one()
    assert status == "succeeded"


async def test_a_deferred_job_waits_for_its_time(engine, database_url, clean_db, clock):
    sessions = db.create_session_factory(engine)
    async with sessions() as session, session.begin():
        later = await jobs.defer(session, remember, value="later", schedule_at=clock.now().replace(year=2099))
    RAN.clear()
    await run_worker(database_url, TEST_SETTINGS, wait=False, install_signal_handlers=False)
    assert RAN == []
    async with engine.connect() as conn:
        status = (await conn.execute(text("SELECT status::text FROM procrastinate_jobs WHERE id = :i"),
                                     {"i": later})).scalar_one()
    assert status == "todo"


async def test_finished_jobs_are_pruned_after_a_week(engine, database_url, clean_db):
    sessions = db.create_session_factory(engine)
    async with sessions() as session, session.begin():
        old = await jobs.defer(session, remember, value="old")
        recent = await jobs.defer(session, remember, value="recent")
    await run_worker(database_url, TEST_SETTINGS, wait=False, install_signal_handlers=False)
    async with engine.begin() as conn:
        await conn.execute(text("UPDATE procrastinate_events SET at = at - interval '8 days' WHERE job_id = :j"),
                           {"j": old})
    async with sessions() as session, session.begin():
        prune = await jobs.defer(session, jobs.prune_finished_jobs, timestamp=0)
    await run_worker(database_url, TEST_SETTINGS, wait=False, install_signal_handlers=False)
    async with engine.connect() as conn:
        left = set((await conn.execute(text("SELECT id FROM procrastinate_jobs"))).scalars())
    assert old not in left and {recent, prune} <= left


def test_worker_command_stops_gracefully_on_sigterm(database_url, tmp_path: Path):
    """`zhicheng worker` on a prepared database: up, then SIGTERM ends it with exit code 0."""
    env = {**os.environ, "DATABASE_URL": database_url, "ZHICHENG_DATA_DIR": str(tmp_path),
           "ZHICHENG_WORKER_SHUTDOWN_SECONDS": "5"}
    env.pop("ZHICHENG_SERVE_DATABASE_URL", None)
    proc = subprocess.Popen([sys.executable, "-c", "from app.cli import main; main()", "worker"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert proc.stdout is not None
        for line in proc.stdout:  # migrations first (nothing to do), then procrastinate's log line
            if "Starting worker" in line:
                break
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == 0
    finally:
        if proc.poll() is None:
            proc.kill()


def test_serve_settings_can_leave_the_worker_out():
    from core.config import Settings

    assert Settings().serve_worker == "ON"
    assert Settings.from_env({"ZHICHENG_SERVE_WORKER": "off"}).serve_worker == "OFF"
    assert dataclasses.replace(TEST_SETTINGS, worker_concurrency=3).worker_concurrency == 3
