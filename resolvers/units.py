"""工作单位模糊查询 and the rule every workflow shares: only permitted units take part.

Search strategy (indexes in `models.unit`, function in migration 0002):
- a term of 3+ characters: `name LIKE '%term%'`, served by the pg_trgm GIN index on name;
- a term of 1–2 characters (pg_trgm extracts no trigram from it): `unit_name_grams(name)
  @> ARRAY[term]`, served by a GIN index over every 1- and 2-character substring;
- a term that is a whole 统一社会信用代码 also matches the unit with that code.
Ranking: exact name (or code) = 0, name prefix = 1, elsewhere in the name = 2; the keyset
is (rank, name, id), so every page is one indexed statement plus the count.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import String, case, func, literal, or_, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.types import Text

from models import PermissionStatus, Unit
from resolvers.env import Env
from resolvers.paging import Page, SortKey, keyset_page
from rules.errors import ErrorCode, RuleViolation
from rules.identity import normalize_uscc
from rules.regions import is_city
from rules.text import like_escape, search_term

Bind = Callable[[str, Any, Any], Any]


def _value(name: str, value: Any, type_: Any) -> Any:
    return literal(value, type_)


def _name_matches(term: str, bind: Bind):
    if len(term) <= 2:
        return func.unit_name_grams(Unit.name).op("@>")(bind("unit_grams", [term], ARRAY(Text)))
    return Unit.name.like(bind("unit_contains", f"%{like_escape(term)}%", String), escape="\\")


def _rank(term: str, code: str, bind: Bind):
    return case(
        (or_(Unit.name == bind("unit_term", term, String), Unit.uscc == bind("unit_code", code, String)), 0),
        (Unit.name.like(bind("unit_prefix", f"{like_escape(term)}%", String), escape="\\"), 1),
        else_=2,
    ).label("rank")


def unit_search_rows(search: str | None, region_code: str | None, include_unpermitted: bool, bind: Bind = _value
                     ) -> tuple[list[ColumnElement[bool]], Any, list[SortKey]]:
    """What units(search:) lists, its rank column and its order: the one definition of the
    standard path and compiled trusted documents, whose `bind` makes each value a bound
    parameter of a plan compiled once (the SQL depends only on which conditions apply and
    whether the term is short, the plan's shape: `unit_search_shape`)."""
    where: list[ColumnElement[bool]] = []
    if term := search_term(search):
        code = normalize_uscc(term)
        rank = _rank(term, code, bind)
        where.append(or_(_name_matches(term, bind), Unit.uscc == bind("unit_code", code, String)))
    else:
        rank = literal(2).label("rank")
    if not include_unpermitted:
        where.append(Unit.permission_status == PermissionStatus.APPROVED)
    if region_code and is_city(region_code):
        where.append(Unit.region_code == bind("unit_region", region_code, String))
    return where, rank, [SortKey(rank), SortKey(Unit.name), SortKey(Unit.id)]


def unit_search_shape(search: str | None, region_code: str | None, include_unpermitted: bool) -> tuple:
    term = search_term(search)
    return bool(term), 0 < len(term) <= 2, include_unpermitted, bool(region_code and is_city(region_code))


async def search_units(env: Env, *, search: str | None, region_code: str | None, include_unpermitted: bool,
                       first: int | None, after: str | None) -> Page:
    """Units by any part of the name (or by code); permitted ones only unless asked."""
    env.require_viewer()
    where, rank, keys = unit_search_rows(search, region_code, include_unpermitted)
    return await keyset_page(
        env.session, select(Unit, rank).where(*where), keys, first=first, after=after,
        cap=env.settings.max_page_size, key_of=lambda row: (row.rank, row.Unit.name, row.Unit.id),
    )


async def require_permitted_unit(env: Env, unit_id: int, field: str, *, lock: bool = False) -> Unit:
    """The unit, if it may take part in the workflows (be a work unit, review, report, be a
    path's target); NOT_FOUND or UNIT_NOT_PERMITTED otherwise."""
    unit = await env.session.get(Unit, unit_id, with_for_update=lock)
    if unit is None:
        raise RuleViolation(ErrorCode.NOT_FOUND, field=field)
    if not unit.is_permitted:
        raise RuleViolation(ErrorCode.UNIT_NOT_PERMITTED, f"“{unit.name}”尚未获得职称申报权限", field)
    return unit


def require_acting_unit_permitted(env: Env) -> Unit:
    """The calling unit, which must itself be permitted (Forbidden for other account kinds)."""
    unit = env.require_unit()
    if not unit.is_permitted:
        raise RuleViolation(ErrorCode.UNIT_NOT_PERMITTED, "本单位尚未获得职称申报权限，请先完成权限申请")
    return unit
