"""What `zhicheng serve` does before serving: the first admin and, with --demo, a demo province."""

from __future__ import annotations

from app.database import run_in_transaction
from core import db
from core.config import Settings
from core.security import one_time_password
from core.services import AppServices, build_services
from resolvers import accounts
from resolvers.env import Env


async def ensure_first_admin(services: AppServices) -> None:
    """On the very first start, create a province admin and print its password once."""

    async def step(env: Env):
        if await accounts.admin_exists(env):
            return None
        password = one_time_password()
        # A one-time password: printed to whoever reads the console, so the first login must
        # replace it before the account can do anything (setupStatus says until it has).
        await accounts.create_admin(env, login_name="admin", password=password,
                                    region_code="370000", name="山东省职称管理机构", must_change_password=True)
        return password

    password = await run_in_transaction(services, step)
    if password:
        print(f"\n  首次启动：已创建省级管理员  login=admin  password={password}\n"
              "  (shown once; the first login must change it with changePassword;\n"
              "   lost: `zhicheng reset-admin-password --login admin` prints a new one)\n", flush=True)


async def load_demo(services: AppServices) -> None:
    """The demo province (once), and its logins printed."""
    from resolvers.demo import DEMO_PASSWORD, load_demo_data

    created = await run_in_transaction(services, load_demo_data)
    print(f"\n  演示数据 (demo logins, password {DEMO_PASSWORD}):", flush=True)
    for login, what in created or [("(already loaded)", "")]:
        print(f"    {login:26s} {what}", flush=True)


async def first_start(url: str, demo: bool) -> None:
    settings = Settings.from_env()
    engine = db.create_engine(url, pool_size=1)
    try:
        services = build_services(settings, engine)
        await ensure_first_admin(services)
        if demo:
            await load_demo(services)
    finally:
        await engine.dispose()
