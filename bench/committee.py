"""bench/committee: close and tally a province-size review session.

    python3 -m bench.committee [--database-url URL] [--candidates 2000] [--panel 25] [--runs 3]

Seeds a database of its own (`zhicheng_bench_committee`, dropped and recreated, never
zhicheng_bench): one committee with its office, `--candidates` declarations IN_REVIEW in
one VOTING session, a panel of `--panel` experts all present (five of them share a unit
with some candidates, so recusals are in the tally), and every present, non-recused
expert's sealed ballot on every candidate (rules.ballot, under a fixed bench key). Then it
times what an expert and the office do through the workflow functions, each in its own
transaction as the API runs them: one expert (re)casting votes on every candidate, and
closeBallot (open 50,000 seals, tally, PASSED/NOT_PASSED with timeline events, delete the
ballots). Between runs the close is undone and the ballots restored. The issue's budget:
the close of 2,000 candidates × 25 experts under 2 s.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import secrets
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import asyncpg

from bench.seed import prepare, server_url
from core import db
from core.config import PROJECT_ROOT, Settings
from core.services import build_services
from resolvers import ballots
from resolvers.accounts import load_viewer
from resolvers.env import Env
from rules import ballot as ballot_rules
from rules.committee import group_count

DATABASE = "zhicheng_bench_committee"
BENCH_KEY = "c0" * 32
BUDGET_SECONDS = 2.0

_SEED = """
WITH acc AS (
    INSERT INTO account (kind, login_name, password_hash, created_at, password_changed_at)
    SELECT 'UNIT', 'cb_unit' || g, 'x', now(), now() FROM generate_series(1, $1::int) g RETURNING id, login_name
)
INSERT INTO unit (account_id, name, no_code_reason, region_code, contact_name, contact_mobile, permission_status,
                  created_at)
SELECT id, '评审基准单位' || substr(login_name, 8), 'bench', '370100', '联系人', '13800138000', 'APPROVED', now()
FROM acc ORDER BY id
"""


async def seed(conn: asyncpg.Connection, candidates: int, panel: int, rng: random.Random) -> dict:
    units = 1 + candidates // 40  # the accepting unit, then work units of ~40 candidates each
    await conn.execute(_SEED, units)
    unit_ids = [r["id"] for r in await conn.fetch("SELECT id FROM unit ORDER BY id")]
    accepting, work_units = unit_ids[0], unit_ids[1:]
    office_account = await conn.fetchval(
        "INSERT INTO account (kind, login_name, password_hash, created_at, password_changed_at) "
        "VALUES ('COMMITTEE_OFFICE', 'cb_office', 'x', now(), now()) RETURNING id")
    committee = await conn.fetchval(
        "INSERT INTO committee (name, series_code, levels, region_code, accepting_unit_id, active, created_at, "
        "updated_at) VALUES ('山东省工程技术高级职称评审委员会', 'ENGINEERING', '{ASSOCIATE_SENIOR}', '370000', $1, "
        "true, now(), now()) RETURNING id", accepting)
    await conn.execute("INSERT INTO committee_office (account_id, committee_id, name, created_at, "
                       "created_by_account_id) VALUES ($1, $2, '评审委员会办公室', now(), $1)", office_account, committee)
    await conn.execute("INSERT INTO declaration_year (year, is_open, changed_at, changed_by_account_id) "
                       "VALUES (2026, true, now(), $1) ON CONFLICT DO NOTHING", office_account)
    people = candidates + panel
    await conn.execute("""
        WITH acc AS (
            INSERT INTO account (kind, login_name, password_hash, created_at, password_changed_at)
            SELECT 'PERSON', 'cb_person' || g, 'x', now(), now() FROM generate_series(1, $1::int) g RETURNING id
        )
        INSERT INTO person (account_id, id_number, name, birth_date, sex, mobile)
        SELECT id, '9' || lpad(id::text, 17, '0'), '申报人' || id, DATE '1985-01-01', 'MALE', '13800138000'
        FROM acc ORDER BY id""", people)
    person_ids = [r["id"] for r in await conn.fetch("SELECT id FROM person ORDER BY id")]
    applicants, expert_persons = person_ids[:candidates], person_ids[candidates:]
    await conn.execute("""
        INSERT INTO declaration (person_id, year, series_code, level, title_code, specialty_code, method,
                                 work_unit_id, status, created_at, updated_at, confirmed_at, committee_id, accepted_at)
        SELECT p, 2026, 'ENGINEERING', 'ASSOCIATE_SENIOR', 'ENGINEERING.SENIOR_ENGINEER', 'ENGINEERING.CIVIL',
               'NORMAL', u, 'IN_REVIEW', now(), now(), now(), $3, now()
        FROM unnest($1::bigint[], $2::bigint[]) AS t(p, u)""",
                       applicants, [work_units[i % len(work_units)] for i in range(candidates)], committee)
    # Five experts work at a candidates' unit (recused for its candidates); the rest at the accepting unit.
    expert_units = [work_units[i] if i < 5 else accepting for i in range(panel)]
    expert_ids = [r["id"] for r in await conn.fetch("""
        INSERT INTO expert (person_id, committee_id, series_code, specialty_codes, held_level, unit_id, term_start,
                            term_end, status, current, created_at, updated_at)
        SELECT p, $3, 'ENGINEERING', '{ENGINEERING.CIVIL}', 'SENIOR', u, DATE '2025-01-01', DATE '2027-12-31',
               'ACTIVE', true, now(), now()
        FROM unnest($1::bigint[], $2::bigint[]) AS t(p, u) RETURNING id""", expert_persons, expert_units, committee)]
    session = await conn.fetchval("""
        INSERT INTO review_session (committee_id, name, year, series_code, level, meeting_on, panel_size, state,
                                    created_at, created_by_account_id, draw_seed, eligible_count, drawn_at,
                                    attendance_recorded_at, present_count)
        VALUES ($1, '基准评审会议', 2026, 'ENGINEERING', 'ASSOCIATE_SENIOR', DATE '2026-06-15', $2::int, 'VOTING',
                now(), $3, $4, $2::int, now(), now(), $2::int) RETURNING id""",
                                  committee, panel, office_account, secrets.token_bytes(32))
    groups = group_count(panel, 5)
    await conn.execute("""
        INSERT INTO session_candidate (session_id, declaration_id, work_unit_id, group_no)
        SELECT $1, d.id, d.work_unit_id, ((row_number() OVER (ORDER BY d.id) - 1) % $2::int) + 1
        FROM declaration d WHERE d.committee_id = $3 ORDER BY d.id""", session, groups, committee)
    members = [r["id"] for r in await conn.fetch("""
        INSERT INTO panel_member (session_id, expert_id, person_id, draw_position, group_no, present)
        SELECT $1, e, p, ord, (($2::int + ord - 1) % $2::int) + 1, true
        FROM unnest($3::bigint[], $4::bigint[]) WITH ORDINALITY AS t(e, p, ord) ORDER BY ord RETURNING id""",
                                                 session, groups, expert_ids, expert_persons)]
    await conn.execute("""
        INSERT INTO panel_recusal (session_id, candidate_id, member_id, reason)
        SELECT $1, c.id, m.id, 'SAME_UNIT' FROM panel_member m JOIN expert e ON e.id = m.expert_id
        JOIN session_candidate c ON c.session_id = m.session_id AND c.work_unit_id = e.unit_id
        WHERE m.session_id = $1""", session)
    await conn.execute("INSERT INTO ballot_voter (session_id, member_id) SELECT $1, unnest($2::bigint[])",
                       session, members)
    ballots_ = await make_ballots(conn, session, rng)
    await conn.execute("VACUUM ANALYZE")
    return {"session": session, "office_account": office_account, "expert_person": expert_persons[-1],
            "ballots": ballots_, "members": len(members), "candidates": candidates,
            "recusals": await conn.fetchval("SELECT count(*) FROM panel_recusal")}


async def make_ballots(conn: asyncpg.Connection, session: int, rng: random.Random) -> int:
    """Every present, non-recused member's sealed ballot on every candidate (70 % agree)."""
    key = bytes.fromhex(BENCH_KEY)
    pairs = await conn.fetch("""
        SELECT c.id AS candidate, m.person_id AS person FROM session_candidate c
        JOIN panel_member m ON m.session_id = c.session_id AND m.present
        WHERE c.session_id = $1 AND NOT EXISTS (
            SELECT 1 FROM panel_recusal r WHERE r.candidate_id = c.id AND r.member_id = m.id)""", session)
    choices = list(ballot_rules.VoteChoice)
    sealer = ballot_rules.Sealer(key)
    records = []
    for p in pairs:
        choice = choices[0] if rng.random() < 0.7 else rng.choice(choices[1:])
        name = ballot_rules.ballot_key(key, session, p["candidate"], p["person"])
        nonce = secrets.token_bytes(ballot_rules.NONCE_BYTES)
        records.append((p["candidate"], name, session, nonce, sealer.seal(name, nonce, choice)))
    rng.shuffle(records)
    await conn.copy_records_to_table("ballot", records=records,
                                     columns=["candidate_id", "ballot_key", "session_id", "nonce", "seal"])
    return len(records)


async def undo_close(conn: asyncpg.Connection, session: int, rng: random.Random) -> None:
    await conn.execute("DELETE FROM declaration_event WHERE action IN ('PASS', 'FAIL')")
    await conn.execute("UPDATE declaration SET status = 'IN_REVIEW' WHERE status IN ('PASSED', 'NOT_PASSED')")
    await conn.execute("UPDATE session_candidate SET present = NULL, agree = NULL, disagree = NULL, abstain = NULL, "
                       "passed = NULL, tallied_at = NULL WHERE session_id = $1", session)
    await conn.execute("UPDATE review_session SET state = 'VOTING', closed_at = NULL WHERE id = $1", session)
    await conn.execute("DELETE FROM ballot WHERE session_id = $1", session)
    await make_ballots(conn, session, rng)
    await conn.execute("VACUUM ANALYZE declaration, session_candidate, ballot, declaration_event")


async def timed(services, account_id: int, step, **kwargs) -> float:
    """One workflow step as the API runs it: its own session and transaction, committed."""
    from models import Account
    started = time.perf_counter()
    async with services.session_factory() as session, session.begin():
        account = await session.get(Account, account_id)
        env = Env.of(services, session, request_id="bench", viewer=None)
        env = env.acting_as(await load_viewer(env, account, 0))
        await step(env, **kwargs)
    return time.perf_counter() - started


async def run(url: str, args: argparse.Namespace) -> dict:
    rng = random.Random(args.seed)
    conn = await asyncpg.connect(db.plain_url(url))
    try:
        started = time.perf_counter()
        seeded = await seed(conn, args.candidates, args.panel, rng)
        seeded["seed_seconds"] = round(time.perf_counter() - started, 1)
        engine = db.create_engine(url, pool_size=2)
        services = build_services(Settings(ballot_key=BENCH_KEY, data_dir=PROJECT_ROOT / "var"), engine)
        votes = [ballots.Vote(c["id"], ballot_rules.VoteChoice.AGREE) for c in await conn.fetch(
            "SELECT id FROM session_candidate WHERE session_id = $1 AND id NOT IN (SELECT candidate_id FROM "
            "panel_recusal) ORDER BY id", seeded["session"])]
        person_account = await conn.fetchval("SELECT account_id FROM person WHERE id = $1", seeded["expert_person"])
        cast, close = [], []
        try:
            for i in range(args.runs):
                if i:
                    await undo_close(conn, seeded["session"], rng)
                cast.append(await timed(services, person_account, ballots.cast_votes, session_id=seeded["session"],
                                        votes=votes))
                close.append(await timed(services, seeded["office_account"], ballots.close_ballot,
                                         session_id=seeded["session"]))
                print(f"  run {i + 1}: castVotes {cast[-1] * 1000:.0f} ms, closeBallot {close[-1] * 1000:.0f} ms",
                      file=sys.stderr)
        finally:
            await engine.dispose()
        outcome = dict(await conn.fetchrow(
            "SELECT count(*) FILTER (WHERE passed) AS passed, count(*) FILTER (WHERE NOT passed) AS not_passed, "
            "sum(agree + disagree + abstain) AS counted FROM session_candidate WHERE session_id = $1",
            seeded["session"]))
        left = await conn.fetchval("SELECT count(*) FROM ballot")
        version = await conn.fetchval("SHOW server_version")
    finally:
        await conn.close()
    return {"seeded": seeded, "cast_seconds": cast, "close_seconds": close, "outcome": outcome,
            "ballots_left": left, "postgres": version, "load": os.getloadavg()[0]}


def report(result: dict, args: argparse.Namespace) -> str:
    s, close = result["seeded"], result["close_seconds"]
    worst = max(close)
    lines = [
        "# bench/committee — closing a review session", "",
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC: `python3 -m bench.committee --candidates {args.candidates} "
        f"--panel {args.panel} --runs {args.runs}` (workflow functions, one transaction each, committed).", "",
        f"- Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, load average "
        f"{result['load']:.1f} at the end (cores shared with other work), Python {platform.python_version()}, "
        f"PostgreSQL {result['postgres']}",
        f"- Session: {s['candidates']:,} candidates × {s['members']} experts, all present; {s['recusals']} recusals "
        f"(5 experts share a unit with candidates); {s['ballots']:,} sealed ballots (seeded in {s['seed_seconds']} s)",
        "", "| step | runs | median ms | max ms |", "|---|---|---|---|",
        f"| castVotes: one expert, {s['candidates']:,} votes (re-cast, replacing) | {len(result['cast_seconds'])} | "
        f"{statistics.median(result['cast_seconds']) * 1000:.0f} | {max(result['cast_seconds']) * 1000:.0f} |",
        f"| closeBallot: open every seal, tally, results with timeline events, delete ballots | {len(close)} | "
        f"{statistics.median(close) * 1000:.0f} | {worst * 1000:.0f} |", "",
        f"Outcome of the last run: {result['outcome']['passed']:,} passed, {result['outcome']['not_passed']:,} not "
        f"passed, {result['outcome']['counted']:,} votes counted, {result['ballots_left']} ballots left.", "",
        f"Budget (issue 14): close under {BUDGET_SECONDS:.0f} s — "
        f"{'met' if worst < BUDGET_SECONDS else 'NOT met'} (worst {worst:.2f} s).",
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="bench.committee", description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="a PostgreSQL server (the bench database is made on it)")
    parser.add_argument("--database", default=DATABASE)
    parser.add_argument("--candidates", type=int, default=2000)
    parser.add_argument("--panel", type=int, default=25)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--output", type=Path, help="write the report (Markdown) and its JSON beside it")
    args = parser.parse_args(argv)
    base, embedded = server_url(args.database_url)
    try:
        url = asyncio.run(prepare(base, args.database))
        result = asyncio.run(run(url, args))
    finally:
        if embedded:
            embedded.stop()
    text = report(result, args)
    print(text)
    if args.output:
        args.output.write_text(text)
        args.output.with_suffix(".json").write_text(json.dumps(result, indent=2, default=str) + "\n")


if __name__ == "__main__":
    main()
