"""bench/export: 10^6 declarations exported by the job worker, per format, with its memory.

    createdb -h 127.0.0.1 -U postgres -T zhicheng_bench zb_export      # a copy: never the seed itself
    python3 -m bench.export --database-url postgresql://postgres@127.0.0.1:5432/zb_export \\
        [--formats CSV,JSONL,XLSX] [--data-dir /tmp/zb-export] [--output bench/results/export-1.md]

Migrates the copy, then per format: queues one province-wide DECLARATIONS export as
startExport would (the export row and its job in one transaction, for the seed's first
admin), starts `zhicheng worker` as a child process, samples the worker's RSS every 0.2 s
while polling the export's progress, and stops the worker when the export is done. Prints
and saves rows, wall time (the export's started_at → finished_at), rows/s, file size and
the worker's RSS at 10 %, 50 % and 100 % of the rows and at its peak: flat RSS means the
writer keeps nothing but the current batch.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import psutil

from core import db, jobs, migrate
from resolvers.exports import run_export
from rules.exports import ExportFormat, ExportKind, ExportState, file_name

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Run:
    fmt: ExportFormat
    rows: int = 0
    seconds: float = 0.0
    size: int = 0
    state: str = ""
    samples: list[tuple[float, int]] = field(default_factory=list)  # (fraction done, RSS bytes)

    def rss_at(self, fraction: float) -> int:
        return next((rss for done, rss in self.samples if done >= fraction), self.samples[-1][1])

    @property
    def peak(self) -> int:
        return max(rss for _, rss in self.samples)


async def queue_export(url: str, fmt: ExportFormat) -> int:
    """The export row and its job, in one transaction, as the startExport step writes them."""
    engine = db.create_engine(url, pool_size=1)
    try:
        async with db.create_session_factory(engine)() as session, session.begin():
            from sqlalchemy import text

            # The owner does not matter to the worker: the seed's first admin, else its first account.
            account = await session.scalar(text(
                "SELECT coalesce((SELECT min(account_id) FROM admin), (SELECT min(id) FROM account))"))
            now = datetime.now(UTC)
            export_id = await session.scalar(text(
                "INSERT INTO export (account_id, region_code, kind, format, filter, state, rows_done, file_name, "
                "created_at) VALUES (:a, '370000', :k, :f, CAST(:filter AS jsonb), 'QUEUED', 0, '', :now) RETURNING id"),
                {"a": account, "k": ExportKind.DECLARATIONS.value, "f": fmt.value, "now": now,
                 "filter": '{"regionCode": "370000", "states": []}'})
            await session.execute(text("UPDATE export SET file_name = :n WHERE id = :i"),
                                  {"n": file_name(ExportKind.DECLARATIONS, fmt, export_id, now), "i": export_id})
            await jobs.defer(session, run_export, export_id=export_id)
        return export_id
    finally:
        await engine.dispose()


async def watch(url: str, export_id: int, worker: psutil.Process, run: Run) -> None:
    conn = await asyncpg.connect(db.plain_url(url))
    try:
        while True:
            row = await conn.fetchrow("SELECT state, rows_done, rows_total, file_size, started_at, finished_at "
                                      "FROM export WHERE id = $1", export_id)
            rss = worker.memory_info().rss
            done = row["rows_done"] / row["rows_total"] if row["rows_total"] else 0.0
            if row["state"] in (ExportState.SUCCEEDED.value, ExportState.FAILED.value):
                run.samples.append((1.0, rss))
                run.state, run.rows, run.size = row["state"], row["rows_done"], row["file_size"] or 0
                run.seconds = (row["finished_at"] - row["started_at"]).total_seconds()
                return
            if row["state"] == ExportState.RUNNING.value:
                run.samples.append((done, rss))
            await asyncio.sleep(0.2)
    finally:
        await conn.close()


def export_one(url: str, fmt: ExportFormat, data_dir: Path) -> Run:
    export_id = asyncio.run(queue_export(url, fmt))
    env = {**os.environ, "DATABASE_URL": url, "ZHICHENG_DATA_DIR": str(data_dir), "ZHICHENG_WORKER_CONCURRENCY": "1",
           "ZHICHENG_LOG_LEVEL": "WARNING"}
    env.pop("ZHICHENG_SERVE_DATABASE_URL", None)
    child = subprocess.Popen([sys.executable, "-c", "from app.cli import main; main()", "worker"], env=env,
                             stdout=subprocess.DEVNULL)
    run = Run(fmt)
    try:
        asyncio.run(watch(url, export_id, psutil.Process(child.pid), run))
    finally:
        child.send_signal(signal.SIGTERM)
        child.wait(timeout=60)
    return run


def mib(n: int) -> str:
    return f"{n / 2**20:.0f} MiB"


def report(runs: list[Run], url: str) -> str:
    lines = [
        "# bench/export: 10^6 declarations, one worker process",
        "",
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform.node()}, {os.cpu_count()} cores (shared with other "
        f"work), PostgreSQL copy `{db.make_url(url).database}` of the province-scale seed. Wall time is the "
        "export's started_at → finished_at (count, stream, write, rename); RSS is the worker process's, sampled "
        "every 0.2 s.",
        "",
        "| format | state | rows | wall | rows/s | file | RSS at 10 % | 50 % | 100 % | peak |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in runs:
        lines.append(f"| {r.fmt.value} | {r.state} | {r.rows:,} | {r.seconds:.0f} s | {r.rows / r.seconds:,.0f} | "
                     f"{mib(r.size)} | {mib(r.rss_at(0.1))} | {mib(r.rss_at(0.5))} | {mib(r.rss_at(1.0))} | "
                     f"{mib(r.peak)} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True, help="a COPY of zhicheng_bench (it is migrated)")
    parser.add_argument("--formats", default="CSV,JSONL,XLSX")
    parser.add_argument("--data-dir", default="/tmp/zhicheng-bench-export")
    parser.add_argument("--output", default=str(ROOT / "bench" / "results" / "export-1.md"))
    args = parser.parse_args()
    started = time.monotonic()
    migrate.upgrade(args.database_url)
    runs = []
    for name in args.formats.split(","):
        run = export_one(args.database_url, ExportFormat(name.strip().upper()), Path(args.data_dir))
        print(f"{run.fmt.value}: {run.state} {run.rows} rows in {run.seconds:.1f} s, peak RSS {mib(run.peak)}",
              flush=True)
        runs.append(run)
    text = report(runs, args.database_url)
    print(text)
    Path(args.output).write_text(text, encoding="utf-8")
    print(f"wrote {args.output} ({time.monotonic() - started:.0f} s in all)")


if __name__ == "__main__":
    main()
