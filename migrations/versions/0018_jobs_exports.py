"""the job queue: procrastinate's tables, types, functions and triggers

Exports and webhook deliveries run as jobs in a worker process (issue 15). The queue lives
in PostgreSQL and is procrastinate's: this revision applies the schema its pinned version
(3.10.0) ships, from a copy kept beside the migrations (migrations/procrastinate/), so that
upgrading the package never changes what this revision creates. A later procrastinate with
schema changes gets a revision of ours applying its migration files
(procrastinate/sql/migrations/) in order; tests/test_jobs.py fails while the installed
package's schema differs from the copy.

The SQL holds PL/pgSQL bodies and `%` characters: it is sent as one simple-protocol script
on the driver's connection, not through SQLAlchemy's text() (bind parameters) or a
prepared statement (one statement only).

Revision ID: 0018
Revises: 0016b
"""

from pathlib import Path

from alembic import op
from sqlalchemy.util import await_only

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None

SCHEMA = Path(__file__).resolve().parent.parent / "procrastinate" / "schema-3.10.0.sql"


def _run_script(sql: str) -> None:
    driver = op.get_bind().connection.driver_connection  # asyncpg, inside Alembic's greenlet
    await_only(driver.execute(sql))


def upgrade() -> None:
    _run_script(SCHEMA.read_text(encoding="utf-8"))


def downgrade() -> None:
    _run_script("""
        DROP TABLE procrastinate_events, procrastinate_periodic_defers, procrastinate_jobs,
                   procrastinate_workers CASCADE;
        DO $$
        DECLARE f regprocedure;
        BEGIN
            FOR f IN SELECT p.oid::regprocedure FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                     WHERE n.nspname = current_schema() AND p.proname LIKE 'procrastinate\\_%'
            LOOP
                EXECUTE 'DROP FUNCTION ' || f;
            END LOOP;
        END $$;
        DROP TYPE procrastinate_job_to_defer_v1, procrastinate_job_event_type, procrastinate_job_status;
    """)
