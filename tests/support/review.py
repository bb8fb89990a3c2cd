"""Shared steps for review and reporting tests: a three-level route (基层单位 → 主管部门 →
the committee's accepting unit) for 工程技术/副高级, applicants with confirmed declarations,
and the review/publicity/report operations.

A declaration approved at its work unit is reported only after 单位公示 has ended: tests
that are not about publicity start it through the API (`ReviewWorld.publicised`) and then end
it with `end_publicity` instead of moving the clock days ahead, which would expire every
session (tests about publicity move the clock with `pass_time`, which carries the sessions
along)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

from tests.support.declarations import CONFIRM, QUALIFICATION, World, permit_unit
from tests.support.units import approved_path, create_committee

SERIES, LEVEL = "ENGINEERING", "ASSOCIATE_SENIOR"
ERRORS = "errors { code field message }"
ITEM = """declaration { id status } applicant { name idNumber } workUnit { id name } year level titleName
  applicantName confirmedAt arrivedAt state reportedAt review { decision reason reviewerName unit { name } }"""
REVIEW_QUEUE = """query($filter: ReviewQueueFilter, $first: Int, $after: String) {
  reviewQueue(filter: $filter, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } edges { cursor node { %s } } } }""" % ITEM
REPORT_QUEUE = """query($filter: ReportQueueFilter, $sort: ReportQueueSort, $direction: SortDirection, $first: Int,
  $after: String) {
  reportQueue(filter: $filter, sort: $sort, direction: $direction, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } edges { cursor node { %s } } } }""" % ITEM
REVIEW = """mutation($id: ID!, $decision: ReviewDecision!, $reason: String) {
  reviewDeclaration(id: $id, decision: $decision, reason: $reason) {
    declaration { id status returnReason currentUnit { id } committee { name } acceptedAt }
    review { decision reason reviewerName accepted unit { id } } %s } }""" % ERRORS
REPORT = """mutation($ids: [ID!]!) { reportDeclarations(ids: $ids) {
  reportedCount reported { id status currentUnit { id name } }
  errors { declarationId code field message } } }"""
PUBLICISE = """mutation($ids: [ID!]!, $days: Int) { startUnitPublicity(declarationIds: $ids, workingDays: $days) {
  publicity { startedAt workingDays endsOn declarationCount createdByName }
  errors { declarationId code field message } } }"""
DECLARATION = """query($id: ID!) { declaration(id: $id) { id status returnReason isEditable acceptedAt
  committee { name } currentUnit { id }
  reviews { decision reason reviewerName accepted round unit { id name } }
  timeline { action fromStatus toStatus actorName reason unit { id name } } } }"""


class ReviewWorld(World):
    """World (an admin, an open year, a permitted work unit) plus a 主管部门 and an accepting unit."""

    async def setup(self, **kwargs: Any) -> "ReviewWorld":
        await super().setup(**kwargs)
        self.base = {**self.unit, "token": self.unit_token}
        self.dept = await self.permitted_unit("济南市工业和信息化局")
        self.accepting = await self.permitted_unit("山东省工程技术职称评审受理中心")
        await approved_path(self.api, self.base, self.dept, SERIES, LEVEL)
        await approved_path(self.api, self.dept, self.accepting, SERIES, LEVEL)
        created = await create_committee(self.api, self.admin, self.accepting)
        assert created["errors"] == [], created
        self.committee = created["committee"]
        return self

    async def permitted_unit(self, name: str) -> dict:
        unit = await self.api.register_unit(name=name)
        await permit_unit(self.engine, unit["id"])
        return {**unit, "token": await self.api.login(unit["loginName"])}

    async def confirmed(self, token: str | None = None, **overrides: Any) -> dict:
        """A new applicant's complete declaration, confirmed (waiting at the work unit)."""
        token = token or await self.other_applicant()
        d = (await self.api(
            "mutation($input: DeclarationInput!) { createDeclaration(input: $input) { declaration { id } %s } }"
            % ERRORS, {"input": self.input(**overrides)}, token))["createDeclaration"]
        assert d["errors"] == [], d
        declaration = d["declaration"]
        assert (await self.add_record(declaration["id"], QUALIFICATION, token=token))["errors"] == []
        await self.upload_ok(declaration["id"], token=token)
        confirmed = (await self.api(CONFIRM, {"id": declaration["id"]}, token))["confirmDeclaration"]
        assert confirmed["errors"] == [], confirmed
        return {**confirmed["declaration"], "token": token}

    async def review(self, unit: dict, declaration_id: str, decision: str = "APPROVE",
                     reason: str | None = None) -> dict:
        return (await self.api(REVIEW, {"id": declaration_id, "decision": decision, "reason": reason},
                               unit["token"]))["reviewDeclaration"]

    async def report(self, unit: dict, ids: list[str]) -> dict:
        return (await self.api(REPORT, {"ids": ids}, unit["token"]))["reportDeclarations"]

    async def publicise(self, unit: dict, ids: list[str], days: int | None = None) -> dict:
        return (await self.api(PUBLICISE, {"ids": ids, "days": days}, unit["token"]))["startUnitPublicity"]

    async def publicised(self, unit: dict, ids: list[str]) -> None:
        """单位公示 started by the work unit and already over: the declarations may be reported."""
        started = await self.publicise(unit, ids)
        assert started["errors"] == [], started
        await end_publicity(self.engine, self.services.clock.now())

    async def ready_to_report(self, **overrides: Any) -> dict:
        """Confirmed, approved at the work unit and publicised there: ready to be reported."""
        d = await self.confirmed(**overrides)
        assert (await self.review(self.base, d["id"]))["errors"] == []
        await self.publicised(self.base, [d["id"]])
        return d

    async def at_dept(self, **overrides: Any) -> dict:
        """Confirmed, approved, publicised and reported by the work unit: waiting at the 主管部门."""
        d = await self.ready_to_report(**overrides)
        assert (await self.report(self.base, [d["id"]]))["errors"] == []
        return d


async def end_publicity(engine, now) -> None:
    """Stand-in for the working days passing: every running 单位公示 has ended at `now`."""
    async with engine.begin() as conn:
        await conn.execute(text("UPDATE unit_publicity SET ends_at = :now WHERE ends_at > :now"), {"now": now})
        await conn.execute(text("UPDATE unit_publicity_entry SET ends_at = :now WHERE ends_at > :now"), {"now": now})


async def pass_time(engine, clock, **delta: float) -> None:
    """Move the clock, carrying every session along (30 idle minutes would end them all)."""
    from datetime import timedelta
    clock.advance(**delta)
    async with engine.begin() as conn:
        await conn.execute(text("UPDATE auth_session SET created_at = created_at + :d, "
                                "last_seen_at = last_seen_at + :d, expires_at = expires_at + :d"),
                           {"d": timedelta(**delta)})


def codes(payload: dict) -> list[str]:
    return [e["code"] for e in payload["errors"]]


async def rows(engine, sql: str, **params: Any) -> list:
    async with engine.connect() as conn:
        return list(await conn.execute(text(sql), params))


TITLES = {"ASSOCIATE_SENIOR": ("ENGINEERING.SENIOR_ENGINEER", "高级工程师", 2),
          "INTERMEDIATE": ("ENGINEERING.ENGINEER", "工程师", 3)}

# Approved declarations waiting to be reported at :unit, built set-based in one statement
# (accounts → persons → declarations → review steps), one row per element of the arrays.
_SEED = text("""
WITH input AS (
    SELECT * FROM unnest(CAST(:names AS text[]), CAST(:work_units AS bigint[]), CAST(:levels AS text[]),
                         CAST(:confirmed AS timestamptz[]), CAST(:years AS int[]))
        WITH ORDINALITY AS t(name, work_unit_id, level, confirmed_at, year, ord)
), acc AS (
    INSERT INTO account (kind, login_name, password_hash, created_at, password_changed_at)
    SELECT 'PERSON', :tag || ord, 'x', now(), now() FROM input RETURNING id, login_name
), per AS (
    INSERT INTO person (account_id, id_number, name, birth_date, sex, mobile)
    SELECT acc.id, '9' || lpad(acc.id::text, 17, '0'), i.name, DATE '1985-01-01', 'MALE', '13800138000'
    FROM acc JOIN input i ON acc.login_name = :tag || i.ord RETURNING id, account_id
), rows AS (
    SELECT per.id AS person_id, i.* FROM per JOIN acc ON acc.id = per.account_id
    JOIN input i ON acc.login_name = :tag || i.ord
), dec AS (
    INSERT INTO declaration (person_id, year, series_code, level, title_code, specialty_code, method, work_unit_id,
                             current_unit_id, status, created_at, updated_at, confirmed_at)
    SELECT person_id, year, 'ENGINEERING', level,
           CASE level WHEN 'INTERMEDIATE' THEN 'ENGINEERING.ENGINEER' ELSE 'ENGINEERING.SENIOR_ENGINEER' END,
           'ENGINEERING.CIVIL', 'NORMAL', work_unit_id, :unit, 'APPROVED', confirmed_at, confirmed_at, confirmed_at
    FROM rows RETURNING id, person_id
)
INSERT INTO review_step (declaration_id, unit_id, round, arrived_at, decision, decided_at, awaiting_report, year,
                         series_code, level, level_rank, title_code, title_name, applicant_name, work_unit_id,
                         work_unit_name, confirmed_at)
SELECT dec.id, :unit, 1, r.confirmed_at, 'APPROVED', r.confirmed_at, true, r.year, 'ENGINEERING', r.level,
       CASE r.level WHEN 'INTERMEDIATE' THEN 3 ELSE 2 END,
       CASE r.level WHEN 'INTERMEDIATE' THEN 'ENGINEERING.ENGINEER' ELSE 'ENGINEERING.SENIOR_ENGINEER' END,
       CASE r.level WHEN 'INTERMEDIATE' THEN '工程师' ELSE '高级工程师' END,
       r.name, r.work_unit_id, u.name, r.confirmed_at
FROM dec JOIN rows r ON r.person_id = dec.person_id JOIN unit u ON u.id = r.work_unit_id
""")


# Every step approved at its work unit at :unit and not yet publicised gets one 单位公示 that
# ended at :ends_at (set-based, as a unit publicising them all at once would).
_SEED_PUBLICITY = text("""
WITH steps AS (
    SELECT s.id, s.declaration_id FROM review_step s
    WHERE s.unit_id = :unit AND s.awaiting_report AND s.work_unit_id = s.unit_id
      AND NOT EXISTS (SELECT 1 FROM unit_publicity_entry e WHERE e.review_step_id = s.id)
), pub AS (
    INSERT INTO unit_publicity (unit_id, started_at, working_days, ends_on, ends_at, created_by_account_id,
                                created_by_name)
    SELECT :unit, CAST(:ends_at AS timestamptz) - interval '10 days', 5,
           CAST(CAST(:ends_at AS timestamptz) AT TIME ZONE 'Asia/Shanghai' AS date) - 1, :ends_at, u.account_id, u.name
    FROM unit u WHERE u.id = :unit
    RETURNING id
)
INSERT INTO unit_publicity_entry (publicity_id, review_step_id, declaration_id, unit_id, ends_at)
SELECT pub.id, steps.id, steps.declaration_id, :unit, :ends_at FROM steps CROSS JOIN pub
""")


async def seed_publicity(engine, unit_gid: str, ends_at) -> None:
    from schema.ids import decode_id
    async with engine.begin() as conn:
        await conn.execute(_SEED_PUBLICITY, {"unit": decode_id(unit_gid, "Unit", "id"), "ends_at": ends_at})


async def seed_approved(engine, unit_gid: str, rows_: list[dict], tag: str) -> None:
    """`rows_`: dicts of name, work_unit (a global ID), level, confirmed_at, year."""
    from schema.ids import decode_id
    params = {
        "unit": decode_id(unit_gid, "Unit", "id"), "tag": tag,
        "names": [r["name"] for r in rows_],
        "work_units": [decode_id(r["work_unit"], "Unit", "id") for r in rows_],
        "levels": [r.get("level", "ASSOCIATE_SENIOR") for r in rows_],
        "confirmed": [r["confirmed_at"] for r in rows_],
        "years": [r.get("year", 2026) for r in rows_],
    }
    async with engine.begin() as conn:
        await conn.execute(_SEED, params)
