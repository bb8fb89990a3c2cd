"""bench/seed: fill a database with a province's worth of title declarations.

    python3 -m bench.seed [--scale 1.0] [--database-url URL] [--seed 7]

At scale 1: 10^5 units (a committee's accepting unit per series, a supervising department
per city and series, the rest base units, every base unit with approved paths up that
3-level tree), 10^6 applicants and 10^6 declarations over ten years in every state, with
their records, proof-material rows (no files), review steps and timeline events: about
15 million rows, written with COPY in batches. `--scale 0.01` makes a quick one.

Without --database-url (or DATABASE_URL) it uses an embedded PostgreSQL in var/bench-pgdata.
The database is dropped and recreated, then migrated, so the data matches the code.
"""

from __future__ import annotations

import argparse
import asyncio
import enum
import itertools
import json
import random
import sys
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import asyncpg

import models
from app.database import prepare_database
from core import db
from core.config import PROJECT_ROOT, Argon2Params
from core.security import Passwords
from models.review import StepDecision
from rules.catalog import LEVEL_RANK_HIGHEST_FIRST as RANK
from rules.catalog import Series, TitleLevel, current
from rules.declaration_states import DeclarationAction as A
from rules.declaration_states import DeclarationStatus as S
from rules.identity import resident_id_check_char, uscc_check_char
from rules.regions import REGIONS

BENCH_PASSWORD = "Bench-2026"
BENCH_DB = "zhicheng_bench"
SMALL_DB = "zhicheng_bench_small"  # a 10^4 province beside it: `--scale 0.01 --database zhicheng_bench_small`
CURRENT_YEAR = 2026
YEARS = list(range(CURRENT_YEAR - 9, CURRENT_YEAR + 1))
CITIES = [r for r in REGIONS if r.parent is not None]
USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
UTC = UTC

# The series most declarations are in, with their share of base units.
SERIES_WEIGHTS = {
    "ENGINEERING": 30, "HEALTH": 22, "PRIMARY_SECONDARY_EDUCATION": 20, "ECONOMICS": 8,
    "ACCOUNTING": 7, "AGRICULTURE": 6, "HIGHER_EDUCATION": 4, "STATISTICS": 3,
}
SUPERVISOR_NAMES = {
    "ENGINEERING": "工业和信息化局", "HEALTH": "卫生健康委员会", "PRIMARY_SECONDARY_EDUCATION": "教育局",
    "ECONOMICS": "发展和改革委员会", "ACCOUNTING": "财政局", "AGRICULTURE": "农业农村局",
    "HIGHER_EDUCATION": "教育局高校工作处", "STATISTICS": "统计局",
}
ACCEPTING_NAMES = {
    "ENGINEERING": "山东省工程技术职称评审服务中心", "HEALTH": "山东省卫生健康委员会",
    "PRIMARY_SECONDARY_EDUCATION": "山东省教育厅", "ECONOMICS": "山东省经济专业技术资格评审办公室",
    "ACCOUNTING": "山东省财政厅", "AGRICULTURE": "山东省农业农村厅",
    "HIGHER_EDUCATION": "山东省高等学校教师职称评审中心", "STATISTICS": "山东省统计局",
}
UNIT_WORDS = list("华泰鲁齐泉海山河东方新兴宏远恒信德源盛达金石光明联合振兴长城天成")
UNIT_SUFFIXES = {
    "ENGINEERING": ["机械制造有限公司", "建设工程有限公司", "化工集团有限公司", "电力设计院", "重型机械厂", "信息技术有限公司"],
    "HEALTH": ["人民医院", "中心医院", "中医医院", "妇幼保健院", "卫生院", "疾病预防控制中心"],
    "PRIMARY_SECONDARY_EDUCATION": ["实验中学", "第一中学", "实验小学", "外国语学校", "职业中专"],
    "ECONOMICS": ["商贸有限公司", "农村商业银行", "物流有限公司", "投资集团有限公司"],
    "ACCOUNTING": ["会计师事务所", "财务咨询有限公司", "税务师事务所"],
    "AGRICULTURE": ["农业科学研究所", "农业技术推广站", "畜牧兽医站", "种业有限公司"],
    "HIGHER_EDUCATION": ["职业技术学院", "学院", "理工大学"],
    "STATISTICS": ["统计调查队", "社会经济调查中心"],
}
SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈")
GIVEN = list("伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红玉兰海燕鹏飞文博雪梅晨曦子涵浩宇欣怡")


# --------------------------------------------------------------------------- progress

class Progress:
    def __init__(self, total: int) -> None:
        self.total, self.done, self.started = total, 0, time.perf_counter()

    def add(self, n: int) -> None:
        self.done += n
        width = 40
        filled = int(width * self.done / max(self.total, 1))
        rate = self.done / max(time.perf_counter() - self.started, 1e-9)
        sys.stderr.write(f"\r  [{'#' * filled}{'.' * (width - filled)}] {self.done:>11,}/{self.total:,} rows "
                         f"{rate:>9,.0f}/s")
        sys.stderr.flush()


# --------------------------------------------------------------------------- model

@dataclass
class UnitRow:
    id: int
    series: str
    city: str
    name: str
    parent: int | None  # where it reports (None for accepting units)


@dataclass
class World:
    """Ids and shapes the generators share."""

    rng: random.Random
    scale: float
    series: dict[str, Series] = field(default_factory=dict)
    units: list[UnitRow] = field(default_factory=list)
    base_units: list[UnitRow] = field(default_factory=list)
    accepting: dict[str, UnitRow] = field(default_factory=dict)
    committees: dict[str, int] = field(default_factory=dict)
    next_account: int = 1
    unit_account_base: int = 1  # unit u's account is unit_account_base + u.id - 1

    def unit_account(self, unit_id: int) -> int:
        return self.unit_account_base + unit_id - 1


def _value(v):
    return v.value if isinstance(v, enum.Enum) else v


async def copy(conn: asyncpg.Connection, model, rows: Iterable[dict], progress: Progress) -> int:
    """COPY dict rows into the model's table, in batches, columns taken from the model."""
    table = model.__table__
    rows = iter(rows)
    first = next(rows, None)
    if first is None:
        return 0
    # A column the rows leave out takes its server default (a column added by a later
    # migration, such as account.must_change_password), not a NULL that COPY would write.
    columns = [c.name for c in table.columns if c.name in first or c.server_default is None]
    count = 0
    batch: list[tuple] = []
    for row in itertools.chain([first], rows):
        batch.append(tuple(_value(row.get(c)) for c in columns))
        if len(batch) >= 20000:
            await conn.copy_records_to_table(table.name, records=batch, columns=columns)
            count += len(batch)
            progress.add(len(batch))
            batch = []
    if batch:
        await conn.copy_records_to_table(table.name, records=batch, columns=columns)
        count += len(batch)
        progress.add(len(batch))
    return count


def _moment(rng: random.Random, year: int, month_low: int = 1, month_high: int = 6) -> datetime:
    day = date(year, rng.randint(month_low, month_high), rng.randint(1, 28))
    return datetime(day.year, day.month, day.day, rng.randint(0, 9), rng.randint(0, 59), tzinfo=UTC)


def _uscc(city: str, n: int) -> str:
    org = ""
    for _ in range(9):
        n, digit = divmod(n, 31)
        org = USCC_CHARS[digit] + org
    first17 = f"12{city}{org}"
    return first17 + uscc_check_char(first17)


# --------------------------------------------------------------------------- units

def plan_units(world: World, total: int) -> None:
    """Accepting units, supervising departments, then base units, with who reports where."""
    rng, uid = world.rng, 0
    for code in SERIES_WEIGHTS:
        uid += 1
        world.accepting[code] = UnitRow(uid, code, "370100", ACCEPTING_NAMES[code], None)
        world.units.append(world.accepting[code])
    supervisors: dict[tuple[str, str], UnitRow] = {}
    for city in CITIES:
        for code in SERIES_WEIGHTS:
            uid += 1
            row = UnitRow(uid, code, city.code, f"{city.name}{SUPERVISOR_NAMES[code]}", world.accepting[code].id)
            supervisors[(city.code, code)] = row
            world.units.append(row)
    codes, weights = list(SERIES_WEIGHTS), list(SERIES_WEIGHTS.values())
    while uid < total:
        uid += 1
        city = rng.choice(CITIES)
        code = rng.choices(codes, weights)[0]
        name = (city.name.removesuffix("市") + "".join(rng.choices(UNIT_WORDS, k=2))
                + rng.choice(UNIT_SUFFIXES[code]))
        row = UnitRow(uid, code, city.code, name, supervisors[(city.code, code)].id)
        world.units.append(row)
        world.base_units.append(row)


def account_rows(world: World, kind: str, count: int, prefix: str, password_hash: str,
                 now: datetime) -> Iterator[dict]:
    for i in range(count):
        yield {"id": world.next_account + i, "kind": kind, "login_name": f"{prefix}{i + 1}",
               "password_hash": password_hash, "created_at": now,
               "password_changed_at": now}
    world.next_account += count


def unit_rows(world: World, now: datetime) -> Iterator[dict]:
    for u in world.units:
        yield {"id": u.id, "account_id": world.unit_account(u.id), "name": u.name, "uscc": _uscc(u.city, u.id),
               "region_code": u.city, "contact_name": "联系人", "contact_mobile": "13800000000",
               "permission_status": "APPROVED", "created_at": now}


def path_rows(world: World, now: datetime) -> Iterator[dict]:
    pid = 0
    for u in world.units:
        if u.parent is None:
            continue
        for level in world.series[u.series].levels:
            pid += 1
            yield {"id": pid, "unit_id": u.id, "target_unit_id": u.parent, "series_code": u.series,
                   "level": level.level, "status": "APPROVED", "created_at": now, "decided_at": now}


def committee_rows(world: World, now: datetime) -> Iterator[dict]:
    for i, (code, unit) in enumerate(world.accepting.items(), start=1):
        world.committees[code] = i
        yield {"id": i, "name": f"山东省{world.series[code].name}高级职称评审委员会", "series_code": code,
               "levels": [lv.level.value for lv in world.series[code].levels], "region_code": "370000",
               "accepting_unit_id": unit.id, "active": True, "created_at": now, "updated_at": now}


# --------------------------------------------------------------------------- people and declarations

def person_rows(world: World, count: int, first_account: int) -> Iterator[dict]:
    rng = world.rng
    for i in range(count):
        # (birth day, sequence) is unique per i: 1000 sequences per day, days 13 apart.
        birth = date(1962, 1, 1) + timedelta(days=(i // 1000) * 13 % 14600)
        first17 = f"{rng.choice(CITIES).code[:4]}02{birth:%Y%m%d}{i % 1000:03d}"
        yield {"id": i + 1, "account_id": first_account + i, "id_number": first17 + resident_id_check_char(first17),
               "name": rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2)))),
               "birth_date": birth, "sex": "MALE" if i % 2 else "FEMALE", "mobile": f"139{i:08d}"}


# Where a declaration ends up: (status, how far up the 3-unit chain it got, decided there?)
CURRENT_OUTCOMES = [  # weight, status, depth (index of the unit it sits at), decided_at_depth
    (15, S.DRAFT, -1, False), (25, S.PENDING_REVIEW, 0, False), (5, S.RETURNED, 0, True),
    (15, S.APPROVED, 0, True), (15, S.PENDING_REVIEW, 1, False), (10, S.APPROVED, 1, True),
    (10, S.PENDING_REVIEW, 2, False), (5, S.ACCEPTED, 2, True),
]
PAST_OUTCOMES = [(4, S.DRAFT, -1, False), (8, S.RETURNED, 0, True), (3, S.RETURNED, 1, True),
                 (85, S.ACCEPTED, 2, True)]
LEVEL_WEIGHTS = {TitleLevel.SENIOR: 10, TitleLevel.ASSOCIATE_SENIOR: 30, TitleLevel.INTERMEDIATE: 40,
                 TitleLevel.ASSISTANT: 15, TitleLevel.JUNIOR: 5}


@dataclass
class Ids:
    record: int = 0
    material: int = 0
    event: int = 0
    step: int = 0


class DeclarationFactory:
    """Builds one declaration and every row under it, consistent with its final state."""

    def __init__(self, world: World, persons: list[dict], bulk: int) -> None:
        self.world, self.persons, self.ids = world, persons, Ids()
        # The first `bulk` declarations all wait at one base unit to be reported up, so
        # reportDeclarations can be measured with 5,000 at once.
        self.bulk, self.bulk_unit = bulk, next(u for u in world.base_units if u.series == "HEALTH")
        self.units = {u.id: u for u in world.units}
        self.declarations: list[dict] = []
        self.records: list[dict] = []
        self.materials: list[dict] = []
        self.events: list[dict] = []
        self.steps: list[dict] = []

    def flush(self) -> dict[str, list[dict]]:
        out = {"declaration": self.declarations, "declaration_record": self.records, "material": self.materials,
               "declaration_event": self.events, "review_step": self.steps}
        self.declarations, self.records, self.materials, self.events, self.steps = [], [], [], [], []
        return out

    def _event(self, d: dict, action: A, before: S | None, after: S, at: datetime, account: int, actor: str,
               unit: int | None = None, reason: str | None = None) -> None:
        self.ids.event += 1
        self.events.append({"id": self.ids.event, "declaration_id": d["id"], "action": action,
                            "from_status": before, "to_status": after, "actor_account_id": account,
                            "actor_name": actor, "unit_id": unit, "reason": reason, "at": at})

    def _children(self, d: dict, series: Series, person: dict, at: datetime) -> None:
        rng = self.world.rng
        lower = [lv for lv in series.levels if RANK[lv.level] > RANK[d["level"]]]
        rows = []
        if lower:
            lv = min(lower, key=lambda x: RANK[x.level])  # the highest of the lower levels
            rows.append(("QUALIFICATION", {"series_code": series.code, "level": lv.level.value,
                                           "title_code": lv.titles[0].code, "obtained_on": f"{d['year'] - 5}-07-01",
                                           "certificate_number": f"Z{d['id']:09d}", "issuing_authority": "山东省人力资源和社会保障厅"}))
        rows.append(("EDUCATION", {"school": "山东大学", "major": "专业", "education_level": "BACHELOR", "degree": "学士",
                                   "start_date": "2004-09-01", "end_date": "2008-07-01"}))
        rows.append(("WORK_EXPERIENCE", {"employer": self.units[d["work_unit_id"]].name, "position": "技术岗位",
                                         "start_date": "2008-08-01", "end_date": None}))
        if rng.random() < 0.5:
            rows.append(("ACHIEVEMENT", {"kind": "PAPER", "title": "关于专业技术的研究", "role": "第一作者",
                                         "date": f"{d['year'] - 1}-03-01", "journal": "山东科技"}))
        for category, payload in rows:
            self.ids.record += 1
            self.records.append({"id": self.ids.record, "declaration_id": d["id"], "category": category,
                                 "payload": json.dumps(payload, ensure_ascii=False), "created_at": at, "updated_at": at})
        for n in range(2):
            self.ids.material += 1
            self.materials.append({"id": self.ids.material, "declaration_id": d["id"],
                                   "record_id": self.ids.record if n else None, "file_name": f"证明材料{n + 1}.pdf",
                                   "content_type": "application/pdf", "size": 180_000 + self.ids.material % 9000,
                                   "sha256": f"{self.ids.material:064x}", "uploaded_at": at})

    def _step(self, d: dict, unit_id: int, round_: int, arrived: datetime, from_unit: int | None, snap: dict) -> dict:
        self.ids.step += 1
        step = {"id": self.ids.step, "declaration_id": d["id"], "unit_id": unit_id, "round": round_,
                "arrived_at": arrived, "from_unit_id": from_unit, "awaiting_report": False, **snap}
        self.steps.append(step)
        return step

    def build(self, decl_id: int, person: dict) -> None:
        rng, world = self.world.rng, self.world
        if decl_id <= self.bulk:
            work_unit, year, status, depth, decided = self.bulk_unit, CURRENT_YEAR, S.APPROVED, 0, True
        else:
            work_unit, year = rng.choice(world.base_units), YEARS[decl_id % len(YEARS)]
            weight_table = CURRENT_OUTCOMES if year == CURRENT_YEAR else PAST_OUTCOMES
            _, status, depth, decided = rng.choices(weight_table, [w[0] for w in weight_table])[0]
        series = world.series[work_unit.series]
        levels = list(series.levels)
        level = rng.choices(levels, [LEVEL_WEIGHTS[lv.level] for lv in levels])[0]
        title = rng.choice(level.titles)
        created = _moment(rng, year, 1, 2)
        d = {"id": decl_id, "person_id": person["id"], "year": year, "series_code": series.code,
             "level": level.level, "title_code": title.code,
             "specialty_code": rng.choice(series.specialties_of(title)).code,  # the title's own list
             "method": "NORMAL", "exceptional_condition_codes": [], "work_unit_id": work_unit.id,
             "current_unit_id": None, "status": S.DRAFT,
             "education_level": "BACHELOR", "current_title": "工程师", "current_title_obtained_on": date(year - 5, 7, 1),
             "years_in_specialty": rng.randint(5, 25), "phone": "13900000000", "created_at": created,
             "updated_at": created, "confirmed_at": None}
        self.declarations.append(d)
        account, name = person["account_id"], person["name"]
        self._children(d, series, person, created)
        self._event(d, A.CREATE, None, S.DRAFT, created, account, name)
        if status is S.DRAFT:
            return
        chain = [work_unit.id, work_unit.parent, self.units[work_unit.parent].parent]
        at = created + timedelta(days=rng.randint(1, 20))
        d["confirmed_at"] = at
        snap = {"year": year, "series_code": series.code, "level": level.level, "level_rank": RANK[level.level],
                "title_code": title.code, "title_name": title.name, "applicant_name": name,
                "work_unit_id": work_unit.id, "work_unit_name": work_unit.name, "confirmed_at": at}
        self._event(d, A.CONFIRM, S.DRAFT, S.PENDING_REVIEW, at, account, name, work_unit.id)
        from_unit = None
        for k in range(depth + 1):
            unit_id = chain[k]
            step = self._step(d, unit_id, 1, at, from_unit, snap)
            is_last = k == depth
            if is_last and not decided:
                d.update(status=S.PENDING_REVIEW, current_unit_id=unit_id)
                return
            at += timedelta(days=rng.randint(1, 10))
            reviewer = world.unit_account(unit_id)
            reviewer_name = self.units[unit_id].name
            step.update(decided_at=at, reviewer_account_id=reviewer, reviewer_name=reviewer_name)
            if is_last and status is S.RETURNED:
                reason = "证明材料不全，请补充后重新提交"
                step.update(decision=StepDecision.REJECTED, reason=reason)
                d.update(status=S.RETURNED, current_unit_id=None, return_reason=reason)
                self._event(d, A.REJECT, S.PENDING_REVIEW, S.RETURNED, at, reviewer, reviewer_name, unit_id, reason)
                return
            step["decision"] = StepDecision.APPROVED
            if is_last and status is S.ACCEPTED:
                step["committee_id"] = world.committees[series.code]
                d.update(status=S.ACCEPTED, current_unit_id=unit_id, committee_id=step["committee_id"], accepted_at=at)
                self._event(d, A.ACCEPT, S.PENDING_REVIEW, S.ACCEPTED, at, reviewer, reviewer_name, unit_id)
                return
            self._event(d, A.APPROVE, S.PENDING_REVIEW, S.APPROVED, at, reviewer, reviewer_name, unit_id)
            if is_last:  # approved here, waiting to be reported up
                step["awaiting_report"] = True
                d.update(status=S.APPROVED, current_unit_id=unit_id)
                return
            at += timedelta(days=rng.randint(1, 5))
            step.update(reported_at=at, reported_to_unit_id=chain[k + 1])
            self._event(d, A.REPORT, S.APPROVED, S.PENDING_REVIEW, at, reviewer, reviewer_name, unit_id)
            from_unit = unit_id


# --------------------------------------------------------------------------- driver

TABLE_MODELS = {
    "declaration": models.Declaration, "declaration_record": models.DeclarationRecord,
    "material": models.Material, "declaration_event": models.DeclarationEvent,
    "review_step": models.ReviewStep,
}


async def seed(url: str, scale: float, rng_seed: int) -> dict[str, int]:
    n_units = max(int(100_000 * scale), len(SERIES_WEIGHTS) * (len(CITIES) + 1) + 50)
    n_persons = max(int(1_000_000 * scale), 100)
    # The catalogue the database holds: `prepare` (app.database.prepare_database) loaded it into
    # this process, as a server worker does at start. Only what a new declaration may choose.
    world = World(rng=random.Random(rng_seed), scale=scale,
                  series={s.code: s for s in current().active() if s.code in SERIES_WEIGHTS})
    plan_units(world, n_units)
    estimate = n_units * 6 + n_persons * 18
    progress = Progress(estimate)
    now = datetime(CURRENT_YEAR, 1, 1, tzinfo=UTC)
    password_hash = await Passwords(Argon2Params()).hash(BENCH_PASSWORD)

    conn = await asyncpg.connect(db.plain_url(url))
    counts: dict[str, int] = {}
    try:
        async with conn.transaction():
            await conn.execute("SET LOCAL synchronous_commit = off")
            # The rows are consistent by construction: skip the per-row foreign-key triggers,
            # which cost more than the COPY itself (needs a superuser, as the embedded one is).
            await conn.execute("SET LOCAL session_replication_role = replica")
            world.unit_account_base = world.next_account
            counts["account"] = await copy(conn, models.Account,
                                           account_rows(world, "UNIT", n_units, "bench_unit", password_hash, now),
                                           progress)
            counts["unit"] = await copy(conn, models.Unit, unit_rows(world, now), progress)
            counts["committee"] = await copy(conn, models.Committee, committee_rows(world, now), progress)
            counts["reporting_path"] = await copy(conn, models.ReportingPath, path_rows(world, now), progress)
            person_accounts = world.next_account
            counts["account"] += await copy(
                conn, models.Account, account_rows(world, "PERSON", n_persons, "bench_person", password_hash, now),
                progress)
            persons = list(person_rows(world, n_persons, person_accounts))
            counts["person"] = await copy(conn, models.Person, persons, progress)
            await conn.execute(
                "INSERT INTO declaration_year (year, is_open, changed_at, changed_by_account_id) "
                "SELECT y, y = $1, $2, 1 FROM generate_series($3::int, $1::int) AS y",
                CURRENT_YEAR, now, YEARS[0])
            counts["commitment_acceptance"] = await copy(
                conn, models.CommitmentAcceptance,
                ({"id": p["id"], "person_id": p["id"], "version": 1, "accepted_at": now} for p in persons), progress)
            factory = DeclarationFactory(world, persons, bulk=min(6000, n_persons // 10))
            for start in range(0, n_persons, 20000):
                for i in range(start, min(start + 20000, n_persons)):
                    factory.build(i + 1, persons[i])
                for table, rows in factory.flush().items():
                    counts[table] = counts.get(table, 0) + await copy(conn, TABLE_MODELS[table], rows, progress)
            for table in ["account", "unit", "committee", "reporting_path", "person", "commitment_acceptance",
                          *TABLE_MODELS]:
                await conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                   f"(SELECT coalesce(max(id), 1) FROM {table}))")
        # VACUUM sets the visibility map as autovacuum would in a running system, so counts
        # can be index-only scans; ANALYZE gives the planner the real distributions.
        sys.stderr.write("\n  vacuuming and analysing …\n")
        await conn.execute("VACUUM ANALYZE")
    finally:
        await conn.close()
    return counts


async def prepare(server_url: str, database: str = BENCH_DB) -> str:
    url = db.with_database(server_url, database)
    admin = await asyncpg.connect(db.plain_url(db.with_database(server_url, "postgres")))
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    finally:
        await admin.close()
    await prepare_database(url)  # as the server does: create, migrate, reference data
    return url


def server_url(explicit: str | None) -> tuple[str, db.EmbeddedPostgres | None]:
    import os

    url = explicit or os.environ.get("DATABASE_URL")
    if url:
        return url, None
    embedded = db.EmbeddedPostgres(PROJECT_ROOT / "var" / "bench-pgdata")
    return embedded.start(), embedded


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="bench.seed", description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = 10^5 units, 10^6 declarations")
    parser.add_argument("--database-url", help="a PostgreSQL server (the bench database is made on it)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--database", default=BENCH_DB,
                        help=f"database name (default {BENCH_DB}; bench.run compares with {SMALL_DB} when it exists)")
    args = parser.parse_args(argv)
    base, embedded = server_url(args.database_url)
    try:
        started = time.perf_counter()
        url = asyncio.run(prepare(base, args.database))
        print(f"seeding {url.split('@')[-1]} at scale {args.scale} …", file=sys.stderr)
        counts = asyncio.run(seed(url, args.scale, args.seed))
        print(f"done in {time.perf_counter() - started:.0f} s", file=sys.stderr)
        for table, n in counts.items():
            print(f"  {table:22s} {n:>12,}")
    finally:
        if embedded:
            embedded.stop()


if __name__ == "__main__":
    main()
