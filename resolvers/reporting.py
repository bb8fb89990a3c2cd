"""数据上报 (手册 2.4): what a unit passed and has not sent up, and sending a selection
along its unique path for each (series, level).

A report is set-based whatever its size: one `SELECT … FOR UPDATE` locks the batch, one
reads it with its review step and, at the work unit, its 单位公示 (which must have ended
with no open objection), one reads this unit's effective paths (for the distinct (series,
level) pairs only), then a fixed handful of `UPDATE … FROM unnest(…)` / `INSERT … SELECT`
statements move every declaration that can go. Each declaration goes or stays as a whole;
those that cannot go (no path, not this unit's, wrong state, publicity not over) come back
as typed errors and the rest is committed.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import String, literal, select, text
from sqlalchemy.sql.elements import ColumnElement

from models import QUEUE_COPY_COLUMNS, Declaration, ReviewStep
from resolvers import feed
from resolvers.env import Env
from resolvers.paging import Page, SortKey, keyset_page
from resolvers.publicity import LOCK_DECLARATIONS
from resolvers.review import QUEUE_ROW, QueueFilter, queue_filter_conditions, queue_select, require_reviewing_unit
from resolvers.timeline import actor_name
from resolvers.units import Bind, require_acting_unit_permitted
from rules.catalog import LEVEL_NAMES, TitleLevel, series_name
from rules.declaration_states import DeclarationAction, DeclarationStatus, next_state
from rules.errors import ErrorCode, RuleViolation
from rules.text import like_escape, search_term

#: One call may send this many declarations (a province-wide 主管部门 sends thousands at once).
MAX_REPORT_BATCH = 10_000

#: A report is the state machine's APPROVED ──report──▶ PENDING_REVIEW, taken from its table
#: (and bound into the set-based statements below) so the SQL cannot disagree with it.
_REPORT = DeclarationAction.REPORT
_FROM = DeclarationStatus.APPROVED
_TO = next_state(_FROM, _REPORT)


class ReportSort(str, enum.Enum):
    CONFIRMED_AT = "CONFIRMED_AT"  # 申报时间
    LEVEL = "LEVEL"  # 申报级别
    TITLE = "TITLE"  # 职称名称
    APPLICANT_NAME = "APPLICANT_NAME"  # 姓名
    WORK_UNIT_NAME = "WORK_UNIT_NAME"  # 工作单位


_SORT_COLUMN = {
    ReportSort.CONFIRMED_AT: ReviewStep.confirmed_at,
    ReportSort.LEVEL: ReviewStep.level_rank,
    ReportSort.TITLE: ReviewStep.title_name,
    ReportSort.APPLICANT_NAME: ReviewStep.applicant_name,
    ReportSort.WORK_UNIT_NAME: ReviewStep.work_unit_name,
}


async def report_queue(env: Env, *, f: QueueFilter, work_unit_name: str | None, sort: ReportSort,
                       descending: bool, first: int | None, after: str | None) -> Page:
    """数据上报列表: passed here, not yet sent up; optionally only work units whose name contains
    `work_unit_name`; sorted by one column (ties by id, in the same direction)."""
    unit = require_reviewing_unit(env)
    where, keys = report_queue_rows(unit.id, f, work_unit_name, sort, descending)
    column = keys[0].name
    return await keyset_page(env.session, queue_select().where(*where), keys,
                             count=select(ReviewStep.id).where(*where),
                             first=first, after=after, cap=env.settings.max_page_size, read=QUEUE_ROW.read,
                             key_of=lambda row: (getattr(row.ReviewStep, column), row.ReviewStep.id))


def _value(name: str, value: Any, type_: Any) -> Any:
    return literal(value, type_)


def report_queue_rows(unit_id: Any, f: QueueFilter, work_unit_name: str | None, sort: ReportSort,
                      descending: bool, bind: Bind = _value) -> tuple[list[ColumnElement[bool]], list[SortKey]]:
    """Which review steps a unit's report queue lists and in which order: the one definition
    of the standard path and compiled trusted documents (schema/compiler.py), whose unit id
    and filter values may be bound parameters and whose `bind` makes the name's LIKE pattern
    one (the SQL then depends only on which filters are given, whether there is a name to
    look for, the sort and the direction)."""
    where = [ReviewStep.unit_id == unit_id, ReviewStep.awaiting_report, *queue_filter_conditions(f)]
    if term := search_term(work_unit_name):
        pattern = bind("work_unit_contains", f"%{like_escape(term)}%", String)
        where.append(ReviewStep.work_unit_name.like(pattern, escape="\\"))
    return where, [SortKey(_SORT_COLUMN[sort], descending), SortKey(ReviewStep.id, descending)]


# --- sending up ----------------------------------------------------------------------------


@dataclass
class ReportFailure:
    declaration_id: int | None
    error: RuleViolation


@dataclass
class ReportResult:
    reported: list[Declaration] = field(default_factory=list)
    failures: list[ReportFailure] = field(default_factory=list)


# The batch is locked first (in id order), then read by a second statement: a READ COMMITTED
# statement that waited for a row lock reads the rows it joins (an objection, a publicity)
# from the snapshot it took before waiting, so one locking SELECT could report past an
# objection committed while it waited (tests/test_publicity.py races exactly that).
_BATCH = text("""
    SELECT d.id, d.status, d.current_unit_id = :unit AS here, d.series_code, d.level, s.id AS step_id,
           EXISTS (SELECT 1 FROM review_step r WHERE r.declaration_id = d.id AND r.unit_id = :unit) AS reached,
           s.unit_id = s.work_unit_id AS at_work_unit, p.ends_on AS publicity_ends_on,
           e.ends_at AS publicity_ends_at,
           EXISTS (SELECT 1 FROM publicity_objection o WHERE o.entry_id = e.id AND o.outcome IS NULL)
             AS open_objection
    FROM declaration d
    LEFT JOIN review_step s ON s.declaration_id = d.id AND s.unit_id = :unit AND s.awaiting_report
    LEFT JOIN unit_publicity_entry e ON e.review_step_id = s.id
    LEFT JOIN unit_publicity p ON p.id = e.publicity_id
    WHERE d.id = ANY(CAST(:ids AS bigint[]))
    ORDER BY d.id
""")

# This unit's effective paths and whether each target may still receive data.
_PATHS = text("""
    SELECT p.series_code, p.level, p.target_unit_id, u.name AS target_name,
           u.permission_status = 'APPROVED' AS target_permitted
    FROM reporting_path p JOIN unit u ON u.id = p.target_unit_id
    WHERE p.unit_id = :unit AND p.status = 'APPROVED'
      AND (p.series_code, p.level) IN (SELECT * FROM unnest(CAST(:series AS text[]), CAST(:levels AS text[])))
""")

_CLOSE_STEPS = text("""
    UPDATE review_step s SET awaiting_report = false, reported_at = :now, reported_to_unit_id = v.target
    FROM unnest(CAST(:steps AS bigint[]), CAST(:targets AS bigint[])) AS v(step_id, target)
    WHERE s.id = v.step_id
""")

_MOVE_DECLARATIONS = text("""
    UPDATE declaration d SET status = :to_status, current_unit_id = v.target, updated_at = :now
    FROM unnest(CAST(:ids AS bigint[]), CAST(:targets AS bigint[])) AS v(id, target)
    WHERE d.id = v.id
""")

# At the superior the declaration enters data review again: a new open step, same round,
# with the reporting step's queue copies.
_OPEN_STEPS = text(f"""
    INSERT INTO review_step (declaration_id, unit_id, round, arrived_at, from_unit_id, awaiting_report,
                             {", ".join(QUEUE_COPY_COLUMNS)})
    SELECT s.declaration_id, v.target, s.round, :now, s.unit_id, false,
           {", ".join(f"s.{column}" for column in QUEUE_COPY_COLUMNS)}
    FROM review_step s JOIN unnest(CAST(:steps AS bigint[]), CAST(:targets AS bigint[])) AS v(step_id, target)
      ON s.id = v.step_id
""")

_EVENTS = text("""
    INSERT INTO declaration_event (declaration_id, action, from_status, to_status, actor_account_id, actor_name,
                                   unit_id, reason, at)
    SELECT id, :report, :from_status, :to_status, :account, :actor, :unit, NULL, :now
    FROM unnest(CAST(:ids AS bigint[])) AS id
""")


def _no_path(series_code: str, level: str) -> RuleViolation:
    label = f"{series_name(series_code) or series_code}{LEVEL_NAMES[TitleLevel(level)]}"
    return RuleViolation(ErrorCode.NO_REPORTING_PATH,
                       f"本单位未开通{label}职称的上报路径，数据无法上报，请先申请上报路径", "ids")


def _not_routed_here() -> RuleViolation:
    return RuleViolation(ErrorCode.NOT_FOUND, "申报不存在或未报送本单位", "ids")


def _publicity_refusal(row, now: datetime) -> RuleViolation | None:
    """At the work unit, 单位公示 must have ended with no objection left open (人社部令第40号);
    superiors report without it."""
    if not row.at_work_unit:
        return None
    if row.publicity_ends_at is None:
        return RuleViolation(ErrorCode.PUBLICITY_NOT_ENDED, "该申报尚未在本单位公示，须公示期满后才能上报", "ids")
    if now < row.publicity_ends_at:
        ends = row.publicity_ends_on
        return RuleViolation(ErrorCode.PUBLICITY_NOT_ENDED,
                             f"单位公示至{ends.year}年{ends.month}月{ends.day}日期满，期满后才能上报", "ids")
    if row.open_objection:
        return RuleViolation(ErrorCode.OPEN_OBJECTION, "公示期间收到的异议尚未处理完毕，处理后才能上报", "ids")
    return None


def _classify(rows, paths: dict, now: datetime) -> tuple[list[tuple[int, int, int]], list[ReportFailure]]:
    """Split the locked rows into (declaration, step, target) moves and failures."""
    moves, failures = [], []
    for row in rows:
        if not row.reached:
            failures.append(ReportFailure(row.id, _not_routed_here()))
        elif row.step_id is None or row.status != _FROM.value or not row.here:
            failures.append(ReportFailure(row.id, RuleViolation(
                ErrorCode.INVALID_STATE, "该申报不是本单位审核通过且待上报的申报（可能已上报）", "ids")))
        elif (refusal := _publicity_refusal(row, now)) is not None:
            failures.append(ReportFailure(row.id, refusal))
        elif (path := paths.get((row.series_code, row.level))) is None:
            failures.append(ReportFailure(row.id, _no_path(row.series_code, row.level)))
        elif not path.target_permitted:
            failures.append(ReportFailure(row.id, RuleViolation(
                ErrorCode.UNIT_NOT_PERMITTED, f"上级单位“{path.target_name}”已无职称申报权限，暂不能上报", "ids")))
        else:
            moves.append((row.id, row.step_id, path.target_unit_id))
    return moves, failures


async def _effective_paths(env: Env, unit_id: int, rows) -> dict:
    pairs = sorted({(r.series_code, r.level) for r in rows})
    if not pairs:
        return {}
    result = await env.session.execute(_PATHS, {"unit": unit_id, "series": [p[0] for p in pairs],
                                                "levels": [p[1] for p in pairs]})
    return {(p.series_code, p.level): p for p in result}


async def _move(env: Env, unit_id: int, moves: list[tuple[int, int, int]]) -> None:
    now = env.clock.now()
    ids, steps, targets = (list(col) for col in zip(*moves, strict=True))
    session = env.session
    await session.execute(_CLOSE_STEPS, {"now": now, "steps": steps, "targets": targets})
    await session.execute(_MOVE_DECLARATIONS, {"now": now, "ids": ids, "targets": targets,
                                                "to_status": _TO.value})
    await session.execute(_OPEN_STEPS, {"now": now, "steps": steps, "targets": targets})
    viewer = env.require_viewer()
    await session.execute(_EVENTS, {"ids": ids, "account": viewer.account.id, "actor": actor_name(env),
                                    "unit": unit_id, "now": now, "report": _REPORT.value,
                                    "from_status": _FROM.value, "to_status": _TO.value})
    await feed.declaration_events_sql(env, ids, _REPORT, _FROM, at=now)


async def report_declarations(env: Env, *, declaration_ids: list[int],
                              failures: list[ReportFailure] | None = None) -> ReportResult:
    """数据上报: send the selected declarations up this unit's unique path."""
    unit = require_acting_unit_permitted(env)
    result = ReportResult(failures=list(failures or []))
    ids = sorted(set(declaration_ids))
    if len(ids) > MAX_REPORT_BATCH:
        raise RuleViolation(ErrorCode.TOO_MANY_IDS, f"一次最多上报{MAX_REPORT_BATCH}份申报", "ids")
    found = set(await env.session.scalars(LOCK_DECLARATIONS, {"ids": ids}))
    result.failures += [ReportFailure(i, _not_routed_here())
                        for i in ids if i not in found]
    rows = (await env.session.execute(_BATCH, {"unit": unit.id, "ids": ids})).all()
    moves, refused = _classify(rows, await _effective_paths(env, unit.id, rows), env.clock.now())
    result.failures += refused
    if moves:
        await _move(env, unit.id, moves)
        moved = [m[0] for m in moves]
        result.reported = list(await env.session.scalars(
            select(Declaration).where(Declaration.id.in_(moved)).order_by(Declaration.id)
            .execution_options(populate_existing=True)))
        # One audit row per report action (naming every declaration), not one per declaration.
        env.note_audit("Declaration", None, reason=f"上报{len(moved)}份: " + ",".join(map(str, moved)))
    else:
        refusals = sorted({f.error.code.value for f in result.failures})
        env.note_audit("Declaration", None, reason="; ".join(refusals), success=False)
    return result
