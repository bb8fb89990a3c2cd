"""A small demo province for `zhicheng serve --demo`: known logins to try the API at once."""

from __future__ import annotations

from sqlalchemy import select

from models import Account, PermissionStatus
from resolvers import accounts
from resolvers.env import Env
from rules.identity import resident_id_check_char, uscc_check_char

DEMO_PASSWORD = "Demo-2026"

DEMO_UNITS = [
    # login, name, region, org-code part of the USCC
    ("demo_hospital", "济南市第一人民医院", "370100", "MB1234567"),
    ("demo_health_bureau", "济南市卫生健康委员会", "370100", "MB2345678"),
    ("demo_factory", "青岛海川机械制造有限公司", "370200", "MA3456789"),
    ("demo_industry_bureau", "青岛市工业和信息化局", "370200", "MB4567890"),
]
DEMO_PERSONS = [
    # login, name, birth date and sequence part of the ID number
    ("demo_doctor", "王医生", "19850312123"),
    ("demo_engineer", "李工程师", "19900721234"),
]


def _uscc(region: str, org: str) -> str:
    first17 = f"12{region}{org}"
    return first17 + uscc_check_char(first17)


def _id_number(region: str, rest: str) -> str:
    first17 = f"{region[:4]}02{rest}"
    return first17 + resident_id_check_char(first17)


async def _taken(env: Env, login: str) -> bool:
    return await env.session.scalar(select(Account.id).where(Account.login_name == login)) is not None


async def load_demo_data(env: Env) -> list[tuple[str, str]]:
    """Create the demo accounts that do not exist yet; return (login, description) of each."""
    created: list[tuple[str, str]] = []
    for login, name, region, org in DEMO_UNITS:
        if await _taken(env, login):
            continue
        unit = await accounts.register_unit(
            env, name=name, uscc=_uscc(region, org), region_code=region, contact_name="联系人",
            contact_mobile="13800000000", login_name=login, password=DEMO_PASSWORD,
        )
        # Demo units start with permission granted, so the workflows can be tried at once.
        unit.permission_status = PermissionStatus.APPROVED
        created.append((login, f"单位 {name}"))
    for login, name, rest in DEMO_PERSONS:
        if await _taken(env, login):
            continue
        await accounts.register_person(
            env, login_name=login, id_number=_id_number("370100", rest), name=name,
            mobile="13900000000", password=DEMO_PASSWORD,
        )
        created.append((login, f"个人 {name}"))
    return created


async def load_demo(services, run_in_transaction) -> None:
    created = await run_in_transaction(services, load_demo_data)
    print("\n  演示数据 (demo logins, password %s):" % DEMO_PASSWORD, flush=True)
    for login, what in created or [("(already loaded)", "")]:
        print(f"    {login:24s} {what}", flush=True)
