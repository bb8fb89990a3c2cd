"""变更事件: writing the change feed where workflow events are born, and reading it in order.

Writing. Every step that the feed reports appends its `feed_event` rows in its own
transaction: the timeline (`resolvers.timeline.append_event` and the steps that add a
`DeclarationEvent` themselves) through `declaration_event`, the set-based steps (report,
start publicity) through `declaration_events_sql`, permission and path decisions through
`publish`. The rows commit or roll back with the step.

Reading. `pg_current_xact_id()` is drawn by the writing transaction, ids at insert; rows
become visible at commit, in neither order. A reader reads only rows of transactions below
`pg_snapshot_xmin(pg_current_snapshot())`: every such transaction has ended, so nothing can
later appear below that horizon, and the order (txid, id) is final. A cursor is the
(txid, id) of the last row read. A transaction that stays open holds the horizon, and the
feed waits for it rather than skipping past it (a reader sees later events once it ends).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, TextClause, and_, func, select, text, tuple_
from sqlalchemy.sql import literal

from core.errors import BadInput
from models import Declaration, FeedEvent, Unit
from models.feed import Xid8
from resolvers.env import Env
from resolvers.paging import Page, decode_cursor, encode_cursor, page_size
from rules.declaration_states import DeclarationAction, DeclarationStatus
from rules.events import EventType, declaration_event_type
from rules.regions import PROVINCE_CODE
from rules.scopes import Scope

_TXID_MAX = 2**63 - 1
#: `totalCount` counts at most this many events after the cursor: an exact count of a
#: backlog of 10^6 took 400 ms a page (measured), ten thousand is enough to show a lag.
LAG_COUNT_CAP = 10_000


def _declaration_payload(declaration: Declaration, action: DeclarationAction,
                         from_status: DeclarationStatus | None) -> dict[str, Any]:
    """What a reader of the region may know without loading the declaration (no person data).
    Keep in step with `_INSERT_DECLARATION_EVENTS`, its set-based twin."""
    return {
        "action": action.value, "fromStatus": from_status.value if from_status else None,
        "toStatus": declaration.status.value, "year": declaration.year, "seriesCode": declaration.series_code,
        "level": declaration.level.value, "titleCode": declaration.title_code,
    }


def declaration_event(env: Env, declaration: Declaration, action: DeclarationAction,
                      from_status: DeclarationStatus | None, *, at: datetime) -> None:
    """The feed's row for one timeline step (none for the applicant's drafting). The region is
    the work unit's as it is when the step commits, read by the insert itself."""
    event_type = declaration_event_type(action)
    if event_type is None:
        return
    region = select(Unit.region_code).where(Unit.id == declaration.work_unit_id).scalar_subquery()
    env.session.add(FeedEvent(
        type=event_type.value, object_type="Declaration", object_id=declaration.id, region_code=region,
        occurred_at=at, payload=_declaration_payload(declaration, action, from_status),
    ))


# The feed's rows for declarations that have just moved, built from the rows themselves: one
# INSERT … SELECT whatever picks the declarations. Keep the payload in step with
# `_declaration_payload`, its one-row twin.
_INSERT_DECLARATION_EVENTS = """
    INSERT INTO feed_event (type, object_type, object_id, region_code, occurred_at, payload)
    SELECT :type, 'Declaration', d.id, u.region_code, :at,
           jsonb_build_object('action', CAST(:action AS text), 'fromStatus', CAST(:from_status AS text),
                              'toStatus', d.status, 'year', d.year, 'seriesCode', d.series_code,
                              'level', d.level, 'titleCode', d.title_code)
    FROM declaration d JOIN unit u ON u.id = d.work_unit_id
"""
_DECLARATION_EVENTS = text(_INSERT_DECLARATION_EVENTS + "WHERE d.id = ANY(CAST(:ids AS bigint[]))")
_SESSION_EVENTS = text(_INSERT_DECLARATION_EVENTS + """
    JOIN session_candidate c ON c.declaration_id = d.id
    WHERE c.session_id = :session AND d.status = :to_status
""")


async def _declaration_events(env: Env, statement: TextClause, action: DeclarationAction,
                              from_status: DeclarationStatus, at: datetime, **selection: Any) -> None:
    event_type = declaration_event_type(action)
    if event_type is None:
        return
    await env.session.execute(statement, {
        "type": event_type.value, "at": at, "action": action.value, "from_status": from_status.value, **selection,
    })


async def declaration_events_sql(env: Env, ids: Sequence[int], action: DeclarationAction,
                                 from_status: DeclarationStatus, *, at: datetime) -> None:
    """The feed's rows for one step applied to many declarations at once (after they moved)."""
    if ids:
        await _declaration_events(env, _DECLARATION_EVENTS, action, from_status, at, ids=list(ids))


async def session_events_sql(env: Env, session_id: int, action: DeclarationAction,
                             from_status: DeclarationStatus, to_status: DeclarationStatus, *, at: datetime) -> None:
    """The feed's rows for one committee-stage step applied set-based to a review session's
    candidates: those of the session now in `to_status` (the step's own statement just moved
    them; no other step moves a session's candidates into that state in the same transaction)."""
    await _declaration_events(env, _SESSION_EVENTS, action, from_status, at, session=session_id,
                              to_status=to_status.value)


def publish(env: Env, event_type: EventType, object_type: str, object_id: int, *, region_code: str,
            payload: dict[str, Any]) -> None:
    """One feed row for a step outside the declaration timeline (a permission or path decision)."""
    env.session.add(FeedEvent(type=event_type.value, object_type=object_type, object_id=object_id,
                              region_code=region_code, occurred_at=env.clock.now(), payload=payload))


# --- reading ------------------------------------------------------------------------------


@dataclass(frozen=True)
class FeedScope:
    """Whose events a reader may read: one city's, or (None) the whole province's."""

    region_code: str | None

    @classmethod
    def of_region(cls, region_code: str) -> FeedScope:
        return cls(None if region_code == PROVINCE_CODE else region_code)


def reader_scope(env: Env) -> FeedScope:
    """The title office of a region reads its region's feed (a city's admin its city's), and so
    does an API client with the events scope (its region's)."""
    if env.client is not None:
        return FeedScope.of_region(env.require_client(Scope.EVENTS_READ).region_code)
    return FeedScope.of_region(env.require_admin().region_code)


def _cursor(after: str | None) -> tuple[int, int] | None:
    if after is None:
        return None
    txid, row_id = decode_cursor(after, 2)
    if not all(type(v) is int and 0 <= v <= _TXID_MAX for v in (txid, row_id)):
        raise BadInput("分页游标（after）无效")
    return txid, row_id


def _visible(scope: FeedScope, types: Sequence[EventType] | None) -> list[ColumnElement[bool]]:
    """Rows of ended transactions only (see the module's docstring), in the reader's scope."""
    conditions = [FeedEvent.txid < func.pg_snapshot_xmin(func.pg_current_snapshot())]
    if scope.region_code is not None:
        conditions.append(FeedEvent.region_code == scope.region_code)
    if types:
        conditions.append(FeedEvent.type.in_([t.value for t in types]))
    return conditions


async def read_events(env: Env, scope: FeedScope, *, after: str | None, first: int | None,
                      types: Sequence[EventType] | None) -> Page:
    """One page of the feed after the cursor, in (txid, id) order. `totalCount` is what the
    reader has not read yet (its lag) up to LAG_COUNT_CAP, counted in the same statement."""
    size = page_size(first, env.settings.max_page_size)
    conditions = _visible(scope, types)
    position = _cursor(after)
    if position is not None:
        conditions.append(tuple_(FeedEvent.txid, FeedEvent.id)
                          > tuple_(literal(position[0], Xid8()), literal(position[1])))
    ahead = select(FeedEvent.id).where(and_(*conditions)).limit(LAG_COUNT_CAP).subquery()
    remaining = select(func.count()).select_from(ahead).scalar_subquery()
    stmt = (select(FeedEvent, remaining).where(and_(*conditions))
            .order_by(FeedEvent.txid, FeedEvent.id).limit(size + 1))
    result = (await env.session.execute(stmt)).all()
    rows = [row[0] for row in result[:size]]
    return Page(rows=rows, cursors=[encode_cursor((r.txid, r.id)) for r in rows],
                has_next_page=len(result) > size, has_previous_page=after is not None,
                total_count=result[0][1] if result else 0)


async def visible_events(env: Env, ids: list[int]) -> dict[int, FeedEvent]:
    """Events by id (node(id)) for the readers of the feed, in their region."""
    readers_admin = env.viewer is not None and env.viewer.admin is not None
    readers_client = env.client is not None and Scope.EVENTS_READ in env.client.scopes
    if not (readers_admin or readers_client) or not ids:
        return {}
    scope = reader_scope(env)
    stmt = select(FeedEvent).where(FeedEvent.id.in_(ids))
    if scope.region_code is not None:
        stmt = stmt.where(FeedEvent.region_code == scope.region_code)
    return {e.id: e for e in await env.session.scalars(stmt)}
