"""The raw baseline: the bench's review-queue page with no GraphQL and no ORM.

Starlette + an asyncpg pool + orjson, one POST endpoint (`/review-queue`) taking the
variables of `bench.run.REVIEW_QUEUE` with a unit id instead of a token:

    {"unit": 25, "filter": {"state": "APPROVED", "year": 2026}, "first": 50, "after": "<cursor>"}

and answering exactly the JSON of the GraphQL response's `data`. It runs what the page
needs and nothing else: one statement for the page (same predicate and keyset order as
`resolvers/review.py`, the total count folded in, applicant / declaration / work unit
joined by primary key) and one for the page's current qualifications. It is the practical
limit of Python + PostgreSQL on the machine, against which `bench.run` reports the API.

    BENCH_BASELINE_DATABASE_URL=postgresql://… uvicorn bench.baseline:app_from_env --factory
"""

from __future__ import annotations

import base64
import contextlib
import os
from typing import Any

import asyncpg
import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from rules.identity import mask_resident_id

URL_ENV = "BENCH_BASELINE_DATABASE_URL"
MAX_PAGE = 100
DEFAULT_PAGE = 20

# Review state → (predicate, newest first?) as in resolvers/review.py.
_STATES = {
    "PENDING": ("s.decision IS NULL", False),
    "APPROVED": ("s.decision = 'APPROVED'", True),
    "REJECTED": ("s.decision = 'REJECTED'", True),
}

_QUALIFICATIONS = """
    SELECT r.declaration_id, r.payload->>'level' AS level, r.payload->>'obtained_on' AS obtained_on,
           r.payload->>'certificate_number' AS certificate_number, t.name AS title_name
    FROM declaration_record r LEFT JOIN catalog_title t ON t.code = r.payload->>'title_code'
    WHERE r.declaration_id = ANY($1::bigint[]) AND r.category = 'QUALIFICATION'
    ORDER BY r.id
"""


class BadRequest(Exception):
    pass


def global_id(type_name: str, row_id: int) -> str:
    """strawberry.relay's global ID: base64 of "Type:id"."""
    return base64.b64encode(f"{type_name}:{row_id}".encode()).decode()


def encode_cursor(step_id: int) -> str:
    """resolvers.paging's keyset cursor for the single key (review_step.id)."""
    return base64.urlsafe_b64encode(orjson.dumps([step_id])).decode()


def decode_cursor(cursor: str) -> int:
    try:
        value = orjson.loads(base64.urlsafe_b64decode(cursor.encode()))
        if isinstance(value, list) and len(value) == 1 and isinstance(value[0], int):
            return value[0]
    except (ValueError, orjson.JSONDecodeError):
        pass
    raise BadRequest("bad cursor")


def page_sql(state: str, f: dict[str, Any], after: int | None) -> tuple[str, list[Any]]:
    """The page (LIMIT n+1) and the total count in one statement; $1 unit, $2 limit."""
    predicate, newest_first = _STATES[state]
    where, params = ["s.unit_id = $1", predicate], []
    for column in ("year", "level", "title_code"):
        key = "titleCode" if column == "title_code" else column
        if f.get(key) is not None:
            params.append(f[key])
            where.append(f"s.{column} = ${len(params) + 2}")
    counted = " AND ".join(where)
    if after is not None:
        params.append(after)
        where.append(f"s.id {'<' if newest_first else '>'} ${len(params) + 2}")
    order = "DESC" if newest_first else "ASC"
    sql = f"""
        WITH page AS (
            SELECT s.id, s.year, s.level, s.title_name, s.applicant_name, s.confirmed_at, s.arrived_at,
                   s.decision, s.reason, s.reviewer_name, s.decided_at, s.reported_at,
                   d.id AS declaration_id, d.status, p.id AS person_id, p.name AS person_name, p.id_number,
                   u.id AS unit_id, u.name AS unit_name
            FROM review_step s
            JOIN declaration d ON d.id = s.declaration_id
            JOIN person p ON p.id = d.person_id
            JOIN unit u ON u.id = s.work_unit_id
            WHERE {" AND ".join(where)}
            ORDER BY s.id {order} LIMIT $2
        )
        SELECT (SELECT count(*) FROM review_step s WHERE {counted}) AS total, page.*
        FROM (SELECT 1) AS one LEFT JOIN page ON true
        ORDER BY page.id {order}
    """
    return sql, params


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def _node(row, qualifications: list[dict]) -> dict:
    decision = row["decision"]
    return {
        "year": row["year"], "level": row["level"], "titleName": row["title_name"],
        "applicantName": row["applicant_name"], "confirmedAt": _iso(row["confirmed_at"]),
        "arrivedAt": _iso(row["arrived_at"]), "state": decision or "PENDING", "reportedAt": _iso(row["reported_at"]),
        "applicant": {"id": global_id("Person", row["person_id"]), "name": row["person_name"],
                      "idNumber": mask_resident_id(row["id_number"])},
        "workUnit": {"id": global_id("Unit", row["unit_id"]), "name": row["unit_name"]},
        "declaration": {"id": global_id("Declaration", row["declaration_id"]), "status": row["status"],
                        "qualifications": qualifications},
        "review": None if decision is None else {
            "decision": decision, "reason": row["reason"], "reviewerName": row["reviewer_name"] or "",
            "decidedAt": _iso(row["decided_at"])},
    }


async def review_queue(pool: asyncpg.Pool, body: dict) -> dict:
    """The `data` of bench.run.REVIEW_QUEUE for this unit and these variables."""
    f = body.get("filter") or {}
    state = f.get("state") or "PENDING"
    if state not in _STATES:
        raise BadRequest("bad state")
    size = DEFAULT_PAGE if body.get("first") is None else body["first"]
    if not 1 <= size <= MAX_PAGE:
        raise BadRequest("bad page size")
    after = decode_cursor(body["after"]) if body.get("after") is not None else None
    sql, params = page_sql(state, f, after)
    async with pool.acquire() as conn:
        rows = await conn.fetch(sql, body["unit"], size + 1, *params)
        total = rows[0]["total"]
        rows = [r for r in rows if r["id"] is not None]
        has_next, rows = len(rows) > size, rows[:size]
        quals: dict[int, list[dict]] = {r["declaration_id"]: [] for r in rows}
        if rows:
            for q in await conn.fetch(_QUALIFICATIONS, list(quals)):
                quals[q["declaration_id"]].append({"titleName": q["title_name"] or "", "level": q["level"],
                                                   "obtainedOn": q["obtained_on"],
                                                   "certificateNumber": q["certificate_number"]})
    edges = [{"cursor": encode_cursor(r["id"]), "node": _node(r, quals[r["declaration_id"]])} for r in rows]
    return {"reviewQueue": {
        "totalCount": total,
        "pageInfo": {"hasNextPage": has_next, "endCursor": edges[-1]["cursor"] if edges else None},
        "edges": edges,
    }}


def create_app(database_url: str, pool_size: int = 10) -> Starlette:
    state: dict[str, asyncpg.Pool] = {}

    @contextlib.asynccontextmanager
    async def lifespan(_app):
        state["pool"] = await asyncpg.create_pool(database_url, min_size=1, max_size=pool_size)
        try:
            yield
        finally:
            await state["pool"].close()

    async def endpoint(request: Request) -> Response:
        try:
            data = await review_queue(state["pool"], orjson.loads(await request.body()))
        except (BadRequest, KeyError, orjson.JSONDecodeError) as exc:
            return Response(orjson.dumps({"error": str(exc)}), status_code=400, media_type="application/json")
        return Response(orjson.dumps(data), media_type="application/json")

    async def healthz(_: Request) -> Response:
        return Response(b'{"status":"ok"}', media_type="application/json")

    app = Starlette(routes=[Route("/review-queue", endpoint, methods=["POST"]), Route("/healthz", healthz)],
                    lifespan=lifespan)
    app.state.pools = state
    return app


def app_from_env() -> Starlette:
    from core import db

    return create_app(db.plain_url(os.environ[URL_ENV]), int(os.environ.get("ZHICHENG_DB_POOL_SIZE", "10")))
