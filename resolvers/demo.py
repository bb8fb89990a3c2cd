"""A small demo province for `zhicheng serve --demo`: known logins to try the API at once.

Everything is made through the same workflow steps the API runs (permission applications
approved by the province admin, reporting paths approved by their targets, committees),
so the demo shows real states and a complete audit trail.
"""

from __future__ import annotations

import itertools

from sqlalchemy import select

from core.clock import CHINA_TZ
from models import Account, Admin
from models.unit import UnitType
from resolvers import accounts, commitment, committees, permission, routes
from resolvers.env import Env
from rules.catalog import TitleLevel
from rules.identity import resident_id_check_char, uscc_check_char

DEMO_PASSWORD = "Demo-2026"

# login, name, city, unit type, org-code part of the USCC
DEMO_UNITS = [
    ("demo_hospital", "济南市第一人民医院", "370100", UnitType.INSTITUTION, "MB1234567"),
    ("demo_health_bureau", "济南市卫生健康委员会", "370100", UnitType.GOVERNMENT, "MB2345678"),
    ("demo_provincial_health", "山东省卫生健康委员会", "370100", UnitType.GOVERNMENT, "MB3456789"),
    ("demo_factory", "青岛海川机械制造有限公司", "370200", UnitType.ENTERPRISE, "MA4567890"),
    ("demo_industry_bureau", "青岛市工业和信息化局", "370200", UnitType.GOVERNMENT, "MB5678901"),
    ("demo_engineering_center", "山东省工程技术职称评审服务中心", "370100", UnitType.INSTITUTION, "MB6789012"),
]
# (series, levels): base unit → supervising department → committee's accepting unit
DEMO_ROUTES = [
    ("HEALTH", ["demo_hospital", "demo_health_bureau", "demo_provincial_health"], "山东省卫生系列高级职称评审委员会"),
    ("ENGINEERING", ["demo_factory", "demo_industry_bureau", "demo_engineering_center"],
     "山东省工程技术系列高级职称评审委员会"),
]
DEMO_LEVELS = [TitleLevel.SENIOR, TitleLevel.ASSOCIATE_SENIOR]
# login, name, birth date and sequence part of the ID number
DEMO_PERSONS = [("demo_doctor", "王医生", "19850312123"), ("demo_engineer", "李工程师", "19900721234")]


def _uscc(region: str, org: str) -> str:
    first17 = f"12{region}{org}"
    return first17 + uscc_check_char(first17)


def _id_number(rest: str) -> str:
    first17 = f"370102{rest}"
    return first17 + resident_id_check_char(first17)


async def _as(env: Env, login: str) -> Env:
    """The same transaction, acting as another account."""
    account = await env.session.scalar(select(Account).where(Account.login_name == login))
    if account is None:  # every login passed here was made before (or is the admin's)
        raise LookupError(f"no account {login!r}")
    return env.acting_as(await accounts.load_viewer(env, account, session_id=0))


async def _province_admin_login(env: Env) -> str:
    login = await env.session.scalar(
        select(Account.login_name).join(Admin, Admin.account_id == Account.id)
        .where(Admin.region_code == "370000").order_by(Account.id).limit(1)
    )
    if login is None:  # first start makes one, but only when no admin at all exists
        raise RuntimeError("the demo data needs a provincial (370000) admin account to approve it")
    return login


async def _permitted_unit(env: Env, admin_env: Env, login: str, name: str, region: str, kind: UnitType,
                          org: str) -> int:
    unit = await accounts.register_unit(
        env, name=name, uscc=_uscc(region, org), region_code=region, contact_name="联系人",
        contact_mobile="13800000000", login_name=login, password=DEMO_PASSWORD,
    )
    as_unit = await _as(env, login)
    await permission.save_application(as_unit, details=permission.ApplicationDetails(
        name=name, uscc=unit.uscc, region_code=region, unit_type=kind, supervisor_name=None,
        address=f"{name}办公楼", contact_name="联系人", contact_phone="0531-88888888",
    ))
    application = await permission.submit_application(as_unit)
    await permission.review_application(admin_env, application_id=application.id, approve=True, reason=None)
    return unit.id


async def _route(env: Env, admin_env: Env, series: str, chain: list[str], committee: str,
                 unit_ids: dict[str, int]) -> None:
    accepting = chain[-1]
    await committees.create_committee(admin_env, details=committees.CommitteeDetails(
        name=committee, series_code=series, levels=DEMO_LEVELS, region_code="370000",
        accepting_unit_id=unit_ids[accepting],
    ))
    for lower, upper in itertools.pairwise(chain):
        for level in DEMO_LEVELS:
            path = await routes.apply_path(await _as(env, lower), series_code=series, level=level,
                                           target_unit_id=unit_ids[upper])
            await routes.review_path(await _as(env, upper), path_id=path.id, approve=True, reason=None)


async def load_demo_data(env: Env) -> list[tuple[str, str]]:
    """Create the demo province once; return (login, description) of each account made."""
    if await env.session.scalar(select(Account.id).where(Account.login_name == DEMO_UNITS[0][0])):
        return []
    admin_env = await _as(env, await _province_admin_login(env))
    created, unit_ids = [], {}
    for login, name, region, kind, org in DEMO_UNITS:
        unit_ids[login] = await _permitted_unit(env, admin_env, login, name, region, kind, org)
        created.append((login, f"单位 {name}"))
    for series, chain, committee in DEMO_ROUTES:
        await _route(env, admin_env, series, chain, committee, unit_ids)
    year = env.clock.now().astimezone(CHINA_TZ).year
    await commitment.set_year_open(admin_env, year=year, is_open=True)
    for login, name, rest in DEMO_PERSONS:
        await accounts.register_person(env, login_name=login, id_number=_id_number(rest), name=name,
                                       mobile="13900000000", password=DEMO_PASSWORD)
        created.append((login, f"个人 {name}"))
    return created
