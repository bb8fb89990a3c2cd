"""Administration (issue 12): admin accounts, password resets, what a fresh install lacks.

The province admin creates, disables and re-enables admins; any admin resets the password
of an account in its scope (`accounts.account_in_scope`, the rule `unlockAccount` uses).
A password someone else chose — a new admin's, a reset one, the first start's — is
`must_change_password`: its login succeeds, but the session may only change the password,
log out and read `me` until it does (`resolvers.env.Env.of`).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select, update

from core.clock import CHINA_TZ
from core.security import one_time_password
from models import (
    Account,
    Admin,
    AuthSession,
    Committee,
    CommitteeOffice,
    DeclarationYear,
    LoginThrottle,
    Person,
    RegistryLoad,
    Unit,
)
from resolvers import accounts
from resolvers.env import Env
from resolvers.paging import Page, SortKey, keyset_page
from rules import accounts as account_rules
from rules import throttle
from rules.errors import ErrorCode, RuleViolation
from rules.regions import PROVINCE_CODE, region_covers


def new_password(login_name: str) -> str:
    """A one-time password that passes the policy for this login (a random one contains a
    4-character login by chance about once in 2 million)."""
    while True:
        password = one_time_password()
        if not account_rules.password_violations(password, login_name):
            return password


async def end_sessions(env: Env, account_id: int) -> None:
    """Every open session of the account ends now (its tokens answer as expired)."""
    await env.session.execute(
        update(AuthSession)
        .where(AuthSession.account_id == account_id, AuthSession.revoked_at.is_(None))
        .values(revoked_at=env.clock.now())
    )


# --- admin accounts --------------------------------------------------------------------

@dataclass
class CreatedAdmin:
    admin: Admin
    account: Account
    initial_password: str | None  # only when generated: shown once, never stored


async def create_admin(env: Env, *, login_name: str, name: str, region_code: str,
                       password: str | None) -> CreatedAdmin:
    """新建管理机构账号 (the province admin's step): a city's, or another of the province's.
    Without a password one is generated and answered once; either way the new admin must
    change it at its first login, since the province admin knows it."""
    generated = new_password(login_name) if password is None else None
    admin = await accounts.create_admin(env, login_name=login_name, password=password or generated or "",
                                        region_code=region_code, name=name, must_change_password=True)
    account = await env.referenced(Account, admin.account_id)
    env.note_audit("Admin", admin.id, region_code=region_code)
    return CreatedAdmin(admin, account, generated)


async def _locked_admin(env: Env, admin_id: int) -> tuple[Admin, Account]:
    """The admin (the caller is the province admin, who covers every admin) and its
    account, locked: a login of that account waits, then reads the new state."""
    env.note_audit("Admin", admin_id)
    row = (await env.session.execute(
        select(Admin, Account).join(Account, Account.id == Admin.account_id)
        .where(Admin.id == admin_id).with_for_update(of=Account)
    )).first()
    if row is None:
        raise RuleViolation(ErrorCode.NOT_FOUND, field="adminId")
    admin, account = row
    env.note_audit("Admin", admin.id, region_code=admin.region_code)
    return admin, account


async def disable_admin(env: Env, *, admin_id: int) -> tuple[Admin, Account]:
    """停用: the admin cannot log in (ACCOUNT_DISABLED, told only after the right password)
    and its sessions end now. Not oneself: the province always keeps the admin who acts.
    Disabling a disabled admin changes nothing and succeeds."""
    admin, account = await _locked_admin(env, admin_id)
    if admin.id == env.require_admin().id:
        raise RuleViolation(ErrorCode.CANNOT_DISABLE_SELF, field="adminId")
    if account.disabled_at is None:
        account.disabled_at = env.clock.now()
    await end_sessions(env, account.id)
    return admin, account


async def enable_admin(env: Env, *, admin_id: int) -> tuple[Admin, Account]:
    """重新启用: the admin may log in again with its password (sessions ended when it was
    disabled stay ended)."""
    admin, account = await _locked_admin(env, admin_id)
    account.disabled_at = None
    return admin, account


async def list_admins(env: Env, *, region_code: str | None, first: int | None, after: str | None) -> Page:
    """Admin accounts the caller covers: the province sees all, a city its own region's.
    Rows are (Admin, Account, total count)."""
    caller = env.require_admin()
    stmt = select(Admin, Account).join(Account, Account.id == Admin.account_id)
    if caller.region_code != PROVINCE_CODE:
        stmt = stmt.where(Admin.region_code == caller.region_code)
    if region_code:
        stmt = stmt.where(Admin.region_code == region_code)
    return await keyset_page(env.session, stmt, [SortKey(Admin.id)], first=first, after=after,
                             cap=env.settings.max_page_size, key_of=lambda row: (row[0].id,))


async def visible_admins(env: Env, ids: list[int]) -> dict[int, tuple[Admin, Account]]:
    """Admins by id for `node`: those the caller's region covers (the province: all)."""
    viewer = env.viewer
    if viewer is None or viewer.admin is None or not ids:
        return {}
    rows = await env.session.execute(
        select(Admin, Account).join(Account, Account.id == Admin.account_id).where(Admin.id.in_(ids)))
    return {a.id: (a, acc) for a, acc in rows if region_covers(viewer.admin.region_code, a.region_code)}


# --- password reset --------------------------------------------------------------------

@dataclass
class AccountRef:
    """What an admin names an account by: the account's own id, or its profile's."""

    type_name: str  # "Account", "Person", "Unit", "Admin" or "CommitteeOffice"
    row_id: int


_PROFILES: dict[str, type[Person] | type[Unit] | type[Admin] | type[CommitteeOffice]] = {
    "Person": Person, "Unit": Unit, "Admin": Admin, "CommitteeOffice": CommitteeOffice}


async def account_id_of(env: Env, ref: AccountRef) -> int:
    """The account id behind a reference; NOT_FOUND (as for an account out of scope) when
    the profile does not exist."""
    if ref.type_name == "Account":
        return ref.row_id
    profile = _PROFILES[ref.type_name]
    found = await env.session.scalar(select(profile.account_id).where(profile.id == ref.row_id))
    if found is None:
        raise RuleViolation(ErrorCode.NOT_FOUND, field="accountId")
    return found


async def unlock_account(env: Env, *, account: AccountRef) -> Account:
    return await accounts.unlock_account(env, account_id=await account_id_of(env, account))


@dataclass
class PasswordReset:
    account: Account
    temporary_password: str


async def _reset(env: Env, target: Account) -> PasswordReset:
    password = new_password(target.login_name)
    target.password_hash = await env.passwords.hash(password)
    target.password_changed_at = env.clock.now()
    target.must_change_password = True
    await end_sessions(env, target.id)
    await env.session.execute(delete(LoginThrottle).where(LoginThrottle.key == throttle.account_key(target.id)))
    return PasswordReset(target, password)


async def reset_password(env: Env, *, account: AccountRef) -> PasswordReset:
    """重置密码: a new one-time password for an account in the admin's scope (the unlock
    rule). The account's sessions end (a stolen token dies with the old password), its
    failed-login count is cleared (the owner is about to use the new password), and its next
    login must change the password. The password is answered once and stored only hashed."""
    target, region = await accounts.account_in_scope(env, await account_id_of(env, account), lock=True)
    env.note_audit("Account", target.id, region_code=region)
    return await _reset(env, target)


async def reset_admin_password(env: Env, *, login_name: str) -> PasswordReset:
    """`zhicheng reset-admin-password`: the recovery of a lost admin password on the server
    (no admin logged in). Same effects as `reset_password`; a disabled admin stays disabled."""
    row = (await env.session.execute(
        select(Account, Admin).join(Admin, Admin.account_id == Account.id)
        .where(func.lower(Account.login_name) == login_name.strip().lower()).with_for_update(of=Account)
    )).first()
    if row is None:
        raise RuleViolation(ErrorCode.NOT_FOUND, "没有该登录名的管理机构账号", "login")
    target, admin = row
    env.note_audit("Account", target.id, region_code=admin.region_code, reason="zhicheng reset-admin-password")
    return await _reset(env, target)


# --- what a fresh install lacks --------------------------------------------------------

class SetupCheck(str, enum.Enum):
    """What `setupStatus` checks, in the order an admin sets a fresh installation up."""

    PROVINCE_PASSWORD_CHANGED = "PROVINCE_PASSWORD_CHANGED"
    CITY_ADMIN = "CITY_ADMIN"
    REGISTRY_LOADED = "REGISTRY_LOADED"
    ACTIVE_COMMITTEE = "ACTIVE_COMMITTEE"
    DECLARATION_YEAR_OPEN = "DECLARATION_YEAR_OPEN"


@dataclass(frozen=True)
class SetupItem:
    key: SetupCheck
    ok: bool
    message: str


def _beijing(at: datetime) -> str:
    return at.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M")


async def setup_status(env: Env) -> list[SetupItem]:
    """What the installation still lacks before it can do its work, in the order an admin
    sets it up. The same installation-wide answer for every admin, but the names of province
    admins with a one-time password are shown to the province only."""
    caller = env.require_admin()
    session = env.session
    open_years = list(await session.scalars(
        select(DeclarationYear.year).where(DeclarationYear.is_open).order_by(DeclarationYear.year)))
    committees = await session.scalar(select(func.count()).select_from(Committee).where(Committee.active)) or 0
    registry = await latest_registry_load(env)
    city_admins = await session.scalar(
        select(func.count()).select_from(Admin).join(Account, Account.id == Admin.account_id)
        .where(Admin.region_code != PROVINCE_CODE, Account.disabled_at.is_(None))) or 0
    unchanged = list(await session.scalars(
        select(Account.login_name).join(Admin, Admin.account_id == Account.id)
        .where(Admin.region_code == PROVINCE_CODE, Account.disabled_at.is_(None), Account.must_change_password)
        .order_by(Account.login_name)))
    who = f"（{'、'.join(unchanged)}）" if caller.region_code == PROVINCE_CODE else ""
    return [
        SetupItem(SetupCheck.PROVINCE_PASSWORD_CHANGED, not unchanged,
                  "省级管理员已修改初始密码" if not unchanged else
                  f"省级管理员账号{who}仍在使用一次性初始密码：登录后须先用 changePassword 修改"),
        SetupItem(SetupCheck.CITY_ADMIN, city_admins > 0,
                  f"已有{city_admins}个地市管理机构账号" if city_admins else
                  "没有地市管理机构账号：没有统一社会信用代码的单位只能由所在地市人工审核，无人可审；"
                  "省级管理员用 createAdmin 新建"),
        SetupItem(SetupCheck.REGISTRY_LOADED, registry is not None,
                  f"统一社会信用代码登记库有{registry.entries}条，{_beijing(registry.loaded_at)}导入"
                  if registry is not None else
                  "未导入统一社会信用代码登记库：权限申请只核对校验位，不核对单位名称与代码；"
                  "省级管理员用 importRegistry 导入"),
        SetupItem(SetupCheck.ACTIVE_COMMITTEE, committees > 0,
                  f"有{committees}个启用的评审委员会" if committees else
                  "没有启用的评审委员会：上报路径没有终点，申报无法受理；管理机构用 createCommittee 新建"),
        SetupItem(SetupCheck.DECLARATION_YEAR_OPEN, bool(open_years),
                  f"{'、'.join(str(y) for y in open_years)}年度已开放申报" if open_years else
                  "没有开放的申报年度：个人不能新建或确认申报；省级管理员用 openDeclarationYear 开放"),
    ]


async def latest_registry_load(env: Env) -> RegistryLoad | None:
    return await env.session.scalar(select(RegistryLoad).order_by(RegistryLoad.id.desc()).limit(1))


async def registry_status(env: Env) -> tuple[RegistryLoad, str | None] | None:
    """The registry in force: its latest load and the login of the admin who loaded it
    (None: the server's command line); None when no registry was ever loaded."""
    env.require_admin()
    load = await latest_registry_load(env)
    if load is None:
        return None
    login = None
    if load.loaded_by is not None:
        login = await env.session.scalar(select(Account.login_name).where(Account.id == load.loaded_by))
    return load, login
