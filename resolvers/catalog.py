"""The catalogue as data (issue 12): load it into the process, keep it fresh, change it.

The database is the source of truth (migration 0012 loaded the national / Shandong list).
Every process serves one immutable `rules.catalog.Catalog` built from the rows, so reads and
validation stay pure and cost no statement on the request path (the review-queue pages are
two statements and tests count them). A process reloads it:
- at start (`app.factory`'s lifespan; the test harness after migrating);
- right after a change it made itself (the mutation resolver calls `reload` after commit);
- when another worker changed it: `watch` polls `catalog_version` every
  `ZHICHENG_CATALOG_REFRESH_SECONDS` (one one-row statement per worker, not per request),
  so another worker's change is served within that interval.

Changes (province admin only): add a series, a title, a specialty; retire or restore an entry.
Codes and names never change and rows are never deleted: a declaration keeps resolving the
names it was made with. Every change first bumps `catalog_version`, whose row lock then
serialises catalogue changes until commit, so two admins cannot both take one code or name.
"""

from __future__ import annotations

import asyncio
import enum
import logging
import re
from collections import defaultdict
from dataclasses import dataclass
from typing import cast

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import CatalogSeries, CatalogSpecialty, CatalogTitle, CatalogVersion
from models.reference import CatalogTitleSpecialty
from resolvers.env import Env
from rules import catalog as rules
from rules.catalog_data import EXCEPTIONAL_CONDITIONS
from rules.errors import ErrorCode, RuleViolation, raise_all
from rules.text import clean_text

log = logging.getLogger(__name__)

#: Codes are stored on declarations and served to clients: upper-case ASCII slugs. A title's
#: or a specialty's code is its series' code, a dot and its own slug (`ENGINEERING.CIVIL`).
SLUG = r"[A-Z][A-Z0-9_]*"
SERIES_CODE = re.compile(SLUG)
SERIES_CODE_MAX = 64  # catalog_series.code String(64)
ENTRY_CODE_MAX = 96  # catalog_title.code, catalog_specialty.code String(96)
NAME_MAX = 64  # every catalogue name is String(64); the longest loaded is 12 characters
CODE_MESSAGE = "代码只能由大写英文字母、数字和下划线组成，以字母开头"


class EntryKind(str, enum.Enum):
    """What an entry of the catalogue is."""

    SERIES = "SERIES"
    TITLE = "TITLE"
    SPECIALTY = "SPECIALTY"


ENTRY_MODELS: dict[EntryKind, type[CatalogSeries | CatalogTitle | CatalogSpecialty]] = {
    EntryKind.SERIES: CatalogSeries, EntryKind.TITLE: CatalogTitle, EntryKind.SPECIALTY: CatalogSpecialty}
ENTRY_NAMES = {EntryKind.SERIES: "职称系列", EntryKind.TITLE: "职称", EntryKind.SPECIALTY: "专业"}


# ---------------------------------------------------------------------------- reading

async def load(session: AsyncSession) -> rules.Catalog:
    """The catalogue as the rows say, every entry with its retired flag (5 statements)."""
    version = await session.scalar(select(CatalogVersion.version).where(CatalogVersion.id == 1)) or 0
    series_rows = (await session.scalars(select(CatalogSeries).order_by(CatalogSeries.position))).all()
    title_rows = (await session.scalars(select(CatalogTitle).order_by(CatalogTitle.position))).all()
    specialty_rows = (await session.scalars(select(CatalogSpecialty).order_by(CatalogSpecialty.position))).all()
    links: dict[str, list[str]] = defaultdict(list)
    for title_code, specialty_code in (await session.execute(  # a title's list in the series' order
        select(CatalogTitleSpecialty.title_code, CatalogTitleSpecialty.specialty_code)
        .join(CatalogSpecialty, CatalogSpecialty.code == CatalogTitleSpecialty.specialty_code)
        .order_by(CatalogSpecialty.position)
    )).all():
        links[title_code].append(specialty_code)
    return build(series_rows, title_rows, specialty_rows, links, version)


def build(series_rows, title_rows, specialty_rows, links: dict[str, list[str]], version: int) -> rules.Catalog:
    """Rows → Catalog. Levels are those a series has titles at, highest first; titles and
    specialties keep their position order."""
    titles: dict[str, dict[rules.TitleLevel, list[rules.Title]]] = defaultdict(lambda: defaultdict(list))
    for t in title_rows:
        offered = rules.SERIES_WIDE if t.series_wide else tuple(links.get(t.code, ()))
        titles[t.series_code][t.level].append(rules.Title(t.code, t.name, offered, t.retired_at is not None))
    specialties: dict[str, list[rules.Specialty]] = defaultdict(list)
    for sp in specialty_rows:
        specialties[sp.series_code].append(rules.Specialty(sp.code, sp.name, sp.retired_at is not None))
    order = sorted(rules.TitleLevel, key=rules.LEVEL_RANK_HIGHEST_FIRST.__getitem__)
    series = [
        rules.Series(
            s.code, s.name,
            tuple(rules.Level(lv, tuple(titles[s.code][lv])) for lv in order if titles[s.code].get(lv)),
            tuple(specialties[s.code]),
            s.retired_at is not None,
        )
        for s in series_rows
    ]
    return rules.Catalog(series, EXCEPTIONAL_CONDITIONS, version)


async def reload(session_factory: async_sessionmaker) -> rules.Catalog:
    """Read the catalogue on a session of its own and serve it from now on."""
    async with session_factory() as session, session.begin():
        catalog = await load(session)
    rules.install(catalog)
    return catalog


async def refresh_if_changed(session_factory: async_sessionmaker) -> bool:
    """Reload when `catalog_version` moved past what this process serves (one statement when
    it did not)."""
    async with session_factory() as session, session.begin():
        version = await session.scalar(select(CatalogVersion.version).where(CatalogVersion.id == 1))
        if version is None or version == rules.current().version:
            return False
        catalog = await load(session)
    rules.install(catalog)
    log.info("catalogue reloaded at version %s", catalog.version)
    return True


async def watch(session_factory: async_sessionmaker, interval: float) -> None:
    """Poll for other workers' changes until cancelled. Any failure (the database unavailable
    above all) only delays the next reload: the loop must outlive it, or the worker would
    silently serve a stale catalogue for the rest of its life."""
    while True:
        await asyncio.sleep(interval)
        try:
            await refresh_if_changed(session_factory)
        except Exception as exc:
            log.warning("catalogue refresh failed: %s", type(exc).__name__)


# ---------------------------------------------------------------------------- changing

@dataclass(frozen=True)
class EntryRef:
    """What a change step returns: the entry it touched (read from the reloaded catalogue)."""

    kind: EntryKind
    code: str


async def _bump_version(env: Env) -> None:
    """Count the change; the row lock serialises catalogue changes until commit."""
    await env.session.execute(
        update(CatalogVersion).where(CatalogVersion.id == 1)
        .values(version=CatalogVersion.version + 1, changed_at=env.clock.now())
    )


def _name(value: str | None, errors: list[RuleViolation]) -> str:
    try:
        name = clean_text(value, field="name", limit=NAME_MAX, required=True, required_message="请填写名称")
    except RuleViolation as exc:
        errors.append(exc)
        return ""
    assert name is not None
    return name


def _series_code(value: str, errors: list[RuleViolation]) -> str:
    code = value.strip()
    if not SERIES_CODE.fullmatch(code) or len(code) > SERIES_CODE_MAX:
        errors.append(RuleViolation(ErrorCode.INVALID_INPUT, f"{CODE_MESSAGE}，不超过{SERIES_CODE_MAX}个字符", "code"))
    return code


def _entry_code(value: str, series_code: str, errors: list[RuleViolation]) -> str:
    code = value.strip()
    prefix = series_code + "."
    if not code.startswith(prefix) or not re.fullmatch(SLUG, code[len(prefix):]) or len(code) > ENTRY_CODE_MAX:
        errors.append(RuleViolation(
            ErrorCode.INVALID_INPUT,
            f"代码须为“{prefix}”加上{CODE_MESSAGE}（共不超过{ENTRY_CODE_MAX}个字符）", "code",
        ))
    return code


async def _taken(env: Env, model, code: str, name: str, *, series_code: str | None = None) -> list[RuleViolation]:
    """The code is unique in its table; the name among the entries of its scope (a series
    among series; a title or a specialty within its series), retired ones included, since
    old declarations still show those names."""
    errors: list[RuleViolation] = []
    if await env.session.get(model, code) is not None:
        errors.append(RuleViolation(ErrorCode.CATALOG_CODE_TAKEN, f"代码 {code} 已被使用（停用的也不能再用）", "code"))
    same_name = select(model.code).where(model.name == name)
    if series_code is not None:
        same_name = same_name.where(model.series_code == series_code)
    if name and await env.session.scalar(same_name.limit(1)) is not None:
        errors.append(RuleViolation(ErrorCode.CATALOG_NAME_TAKEN, f"名称“{name}”已被使用", "name"))
    return errors


async def _next_position(env: Env, model) -> int:
    return (await env.session.scalar(select(func.max(model.position))) or 0) + 1


async def _active_series(env: Env, code: str) -> CatalogSeries:
    series = await env.session.get(CatalogSeries, code)
    if series is None:
        raise RuleViolation(ErrorCode.UNKNOWN_SERIES, "职称系列不存在", "seriesCode")
    if series.retired_at is not None:
        raise RuleViolation(ErrorCode.CATALOG_ENTRY_RETIRED, f"职称系列（{series.name}）已停用，不能再添加",
                            "seriesCode")
    return series


async def add_series(env: Env, *, code: str, name: str) -> EntryRef:
    """新增职称系列. Its levels come with its titles: add titles next."""
    env.note_audit("CatalogSeries", None, reason=code[:100])
    await _bump_version(env)
    errors: list[RuleViolation] = []
    code, name = _series_code(code, errors), _name(name, errors)
    if not errors:
        errors += await _taken(env, CatalogSeries, code, name)
    raise_all(errors)
    env.session.add(CatalogSeries(code=code, name=name, position=await _next_position(env, CatalogSeries),
                                  created_at=env.clock.now()))
    env.note_audit("CatalogSeries", None, reason=f"{code} {name}")
    return EntryRef(EntryKind.SERIES, code)


async def add_title(env: Env, *, series_code: str, level: rules.TitleLevel, code: str, name: str,
                    specialty_codes: list[str] | None, series_wide: bool) -> EntryRef:
    """新增职称: a title at a level of a series (the first title at a level gives the series
    that level), offering either listed specialties of its series or all of them."""
    env.note_audit("CatalogTitle", None, reason=code[:100])
    await _bump_version(env)
    series = await _active_series(env, series_code.strip())
    errors: list[RuleViolation] = []
    code, name = _entry_code(code, series.code, errors), _name(name, errors)
    chosen = list(dict.fromkeys(c.strip() for c in specialty_codes or ()))
    offered = await _offered_specialties(env, series, chosen, series_wide, errors)
    if not errors:
        errors += await _taken(env, CatalogTitle, code, name, series_code=series.code)
    raise_all(errors)
    env.session.add(CatalogTitle(code=code, series_code=series.code, level=level, name=name, series_wide=series_wide,
                                 position=await _next_position(env, CatalogTitle), created_at=env.clock.now()))
    await env.session.flush()
    env.session.add_all([CatalogTitleSpecialty(title_code=code, specialty_code=sp) for sp in offered])
    env.note_audit("CatalogTitle", None, reason=f"{code} {name}")
    return EntryRef(EntryKind.TITLE, code)


async def _offered_specialties(env: Env, series: CatalogSeries, chosen: list[str], series_wide: bool,
                               errors: list[RuleViolation]) -> list[str]:
    """The explicit specialty list of a new title (empty for a series-wide one)."""
    field = "specialtyCodes"
    rows = {sp.code: sp for sp in (await env.session.scalars(
        select(CatalogSpecialty).where(CatalogSpecialty.series_code == series.code)
    )).all()}
    if series_wide:
        if chosen:
            errors.append(RuleViolation(ErrorCode.INVALID_INPUT, "可选全部专业的职称不再列出专业", field))
        elif not any(sp.retired_at is None for sp in rows.values()):
            errors.append(RuleViolation(ErrorCode.INVALID_INPUT, f"职称系列（{series.name}）还没有可选的专业", field))
        return []
    if not chosen:
        errors.append(RuleViolation(ErrorCode.FIELD_REQUIRED, "请列出该职称可选的专业，或设为可选全部专业", field))
    for sp_code in chosen:
        sp = rows.get(sp_code)
        if sp is None:
            errors.append(RuleViolation(ErrorCode.UNKNOWN_SPECIALTY, f"专业 {sp_code[:100]} 不是本系列的专业", field))
        elif sp.retired_at is not None:
            errors.append(RuleViolation(ErrorCode.CATALOG_ENTRY_RETIRED, f"专业（{sp.name}）已停用", field))
    return chosen


async def add_specialty(env: Env, *, series_code: str, code: str, name: str, title_codes: list[str]) -> EntryRef:
    """新增现从事专业: offered by every series-wide title of its series and by the listed
    titles. None may offer it yet: a new series gets its specialties before its titles."""
    env.note_audit("CatalogSpecialty", None, reason=code[:100])
    await _bump_version(env)
    series = await _active_series(env, series_code.strip())
    errors: list[RuleViolation] = []
    code, name = _entry_code(code, series.code, errors), _name(name, errors)
    titles = {t.code: t for t in (await env.session.scalars(
        select(CatalogTitle).where(CatalogTitle.series_code == series.code)
    )).all()}
    listed: list[str] = []
    for t_code in dict.fromkeys(c.strip() for c in title_codes):
        title = titles.get(t_code)
        if title is None:
            errors.append(RuleViolation(ErrorCode.UNKNOWN_TITLE, f"职称 {t_code[:100]} 不是本系列的职称", "titleCodes"))
        elif title.retired_at is not None:
            errors.append(RuleViolation(ErrorCode.CATALOG_ENTRY_RETIRED, f"职称（{title.name}）已停用", "titleCodes"))
        elif not title.series_wide:  # a series-wide title offers it already
            listed.append(t_code)
    if not errors:
        errors += await _taken(env, CatalogSpecialty, code, name, series_code=series.code)
    raise_all(errors)
    env.session.add(CatalogSpecialty(code=code, series_code=series.code, name=name, created_at=env.clock.now(),
                                     position=await _next_position(env, CatalogSpecialty)))
    await env.session.flush()
    env.session.add_all([CatalogTitleSpecialty(title_code=t, specialty_code=code) for t in listed])
    env.note_audit("CatalogSpecialty", None, reason=f"{code} {name}")
    return EntryRef(EntryKind.SPECIALTY, code)


async def set_retired(env: Env, *, kind: EntryKind, code: str, retired: bool) -> EntryRef:
    """停用 (retired=True) or 恢复 an entry. A retired series takes its titles and specialties
    out of new declarations with it (their own flags are left as they were, so restoring the
    series restores exactly what was active); declarations that hold an entry keep it."""
    model = ENTRY_MODELS[kind]
    env.note_audit(model.__name__, None, reason=code[:100])
    await _bump_version(env)
    # mypy resolves get() over a union of classes to their base
    row = cast("CatalogSeries | CatalogTitle | CatalogSpecialty | None",
               await env.session.get(model, code.strip(), with_for_update=True))
    if row is None:
        raise RuleViolation(ErrorCode.NOT_FOUND, f"{ENTRY_NAMES[kind]}代码不存在", "code")
    if (row.retired_at is not None) is retired:
        state = "停用" if retired else "在用"
        raise RuleViolation(ErrorCode.INVALID_STATE, f"{ENTRY_NAMES[kind]}（{row.name}）已{state}", "code")
    row.retired_at = env.clock.now() if retired else None
    env.note_audit(model.__name__, None, reason=f"{row.code} {row.name}")
    return EntryRef(kind, row.code)


__all__ = [
    "EntryKind", "EntryRef", "add_series", "add_specialty", "add_title", "build", "load",
    "refresh_if_changed", "reload", "set_retired", "watch",
]
