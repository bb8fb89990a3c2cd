"""账号: registration (1.1 个人注册, 2.1 单位注册), login, logout, password changes, sessions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from core.clock import CHINA_TZ, china_time
from core.security import new_token, token_digest
from models import Account, AccountKind, Admin, AuthSession, Person, Unit
from resolvers import audit
from resolvers.db_errors import violated_constraint
from resolvers.env import Env, Viewer
from resolvers.permission import MANUAL_REVIEW_REASON_MAX
from rules import accounts as account_rules
from rules.errors import ErrorCode, RecordedFailure, RuleViolation, collect, raise_all
from rules.identity import normalize_resident_id, parse_resident_id, validate_uscc
from rules.regions import find_region, is_city
from rules.text import clean_text

ADMIN_NAME_MAX = 50  # admin.name is String(50)


async def _login_name_taken(env: Env, login_name: str) -> bool:
    found = await env.session.scalar(
        select(Account.id).where(func.lower(Account.login_name) == login_name.lower())
    )
    return found is not None


async def _new_account(env: Env, kind: AccountKind, login_name: str, password: str) -> Account:
    now = env.clock.now()
    account = Account(
        kind=kind,
        login_name=login_name,
        password_hash=await env.passwords.hash(password),
        failed_logins=0,
        created_at=now,
        password_changed_at=now,
    )
    env.session.add(account)
    await env.session.flush()
    return account


async def _flush_unique(env: Env, constraint_errors: dict[str, RuleViolation]) -> None:
    """Flush, turning a lost race on a unique constraint into its domain error."""
    try:
        await env.session.flush()
    except IntegrityError as exc:
        name = violated_constraint(exc)
        if name in constraint_errors:
            raise constraint_errors[name] from exc
        raise


_LOGIN_TAKEN = RuleViolation(ErrorCode.LOGIN_NAME_TAKEN, field="loginName")
_UNIQUE_LOGIN = {"uq_account_login_name_lower": _LOGIN_TAKEN}


async def register_person(
    env: Env, *, login_name: str, id_number: str, name: str, mobile: str, password: str
) -> Person:
    """个人注册: every bad field is reported at once; nothing is written unless all pass."""
    errors: list[RuleViolation] = []
    login_name = collect(errors, account_rules.validate_login_name, login_name)
    today = env.clock.now().astimezone(CHINA_TZ).date()
    resident = collect(errors, parse_resident_id, id_number, today=today, field="idNumber")
    name = collect(errors, account_rules.validate_person_name, name)
    mobile = collect(errors, account_rules.validate_mobile, mobile)
    errors += account_rules.password_violations(password, login_name or "")
    if login_name and await _login_name_taken(env, login_name):
        errors.append(_LOGIN_TAKEN)
    if resident and await env.session.scalar(select(Person.id).where(Person.id_number == resident.number)):
        errors.append(RuleViolation(ErrorCode.ID_NUMBER_TAKEN, field="idNumber"))
    raise_all(errors)

    account = await _new_account(env, AccountKind.PERSON, login_name, password)
    person = Person(
        account_id=account.id,
        id_number=resident.number,
        name=name,
        birth_date=resident.birth_date,
        sex=resident.sex,
        mobile=mobile,
    )
    env.session.add(person)
    await _flush_unique(
        env,
        {**_UNIQUE_LOGIN, "uq_person_id_number": RuleViolation(ErrorCode.ID_NUMBER_TAKEN, field="idNumber")},
    )
    return person


def _unit_code(errors: list[RuleViolation], uscc: str | None, no_code_reason: str | None
               ) -> tuple[str | None, str | None]:
    """The unit's 统一社会信用代码, or — for a unit that has neither it nor a 组织机构代码
    (手册 2.2 note 4) — its written reason, which becomes its permission application's
    人工审核 reason. Exactly one of the two; the reason is capped like that one."""
    reason = collect(errors, clean_text, no_code_reason, field="noCodeReason", limit=MANUAL_REVIEW_REASON_MAX)
    if uscc is None or not uscc.strip():
        if reason is None and not any(e.field == "noCodeReason" for e in errors):
            errors.append(RuleViolation(ErrorCode.NO_CODE_REASON_REQUIRED, field="noCodeReason"))
        return None, reason
    if reason is not None:
        errors.append(RuleViolation(ErrorCode.NO_CODE_REASON_NOT_ALLOWED, field="noCodeReason"))
    return collect(errors, validate_uscc, uscc, field="uscc"), None


async def register_unit(
    env: Env,
    *,
    name: str,
    uscc: str | None,
    region_code: str,
    contact_name: str,
    contact_mobile: str,
    login_name: str,
    password: str,
    no_code_reason: str | None = None,
) -> Unit:
    """单位注册. 所在地区 must be one of the province's 16 cities. A unit without a code
    registers with its reason instead; its permission goes to manual review (resolvers.permission)."""
    errors: list[RuleViolation] = []
    name = collect(errors, account_rules.validate_unit_name, name)
    code, no_code_reason = _unit_code(errors, uscc, no_code_reason)
    if not is_city(region_code):
        errors.append(RuleViolation(ErrorCode.REGION_UNKNOWN, field="regionCode"))
    contact_name = collect(errors, account_rules.validate_person_name, contact_name, field="contactName")
    contact_mobile = collect(errors, account_rules.validate_mobile, contact_mobile, field="contactMobile")
    login_name = collect(errors, account_rules.validate_login_name, login_name)
    errors += account_rules.password_violations(password, login_name or "")
    if login_name and await _login_name_taken(env, login_name):
        errors.append(_LOGIN_TAKEN)
    if code and await env.session.scalar(select(Unit.id).where(Unit.uscc == code)):
        errors.append(RuleViolation(ErrorCode.USCC_TAKEN, field="uscc"))
    raise_all(errors)

    account = await _new_account(env, AccountKind.UNIT, login_name, password)
    unit = Unit(
        account_id=account.id,
        name=name,
        uscc=code,
        no_code_reason=no_code_reason,
        region_code=region_code,
        contact_name=contact_name,
        contact_mobile=contact_mobile,
        created_at=env.clock.now(),
    )
    env.session.add(unit)
    await _flush_unique(env, {**_UNIQUE_LOGIN, "uq_unit_uscc": RuleViolation(ErrorCode.USCC_TAKEN, field="uscc")})
    return unit


async def create_admin(env: Env, *, login_name: str, password: str, region_code: str, name: str) -> Admin:
    """A title-office admin (command line only): the province (370000) or one city."""
    errors: list[RuleViolation] = []
    login_name = collect(errors, account_rules.validate_login_name, login_name)
    if find_region(region_code) is None:
        errors.append(RuleViolation(ErrorCode.REGION_UNKNOWN, "地区代码不是山东省或其地市", "region"))
    name = collect(errors, clean_text, name, field="name", limit=ADMIN_NAME_MAX, required=True)
    errors += account_rules.password_violations(password, login_name or "")
    if login_name and await _login_name_taken(env, login_name):
        errors.append(_LOGIN_TAKEN)
    raise_all(errors)
    account = await _new_account(env, AccountKind.ADMIN, login_name, password)
    admin = Admin(account_id=account.id, region_code=region_code, name=name)
    env.session.add(admin)
    await _flush_unique(env, _UNIQUE_LOGIN)
    return admin


async def admin_exists(env: Env) -> bool:
    return (await env.session.scalar(select(Admin.id).limit(1))) is not None


@dataclass
class LoginResult:
    token: str
    viewer: Viewer


async def _find_login_account(env: Env, identifier: str, *, lock: bool = False) -> Account | None:
    """Applicants log in by login name or by ID number (手册 1.1); others by login name."""
    identifier = identifier.strip()
    stmt = select(Account).where(func.lower(Account.login_name) == identifier.lower())
    account = await env.session.scalar(stmt.with_for_update() if lock else stmt)
    if account is None and len(identifier) == 18:
        stmt = (
            select(Account)
            .join(Person, Person.account_id == Account.id)
            .where(Person.id_number == normalize_resident_id(identifier))
        )
        account = await env.session.scalar(stmt.with_for_update(of=Account) if lock else stmt)
    return account


def _locked_error(env: Env, locked_until: datetime) -> RuleViolation:
    return RuleViolation(
        ErrorCode.ACCOUNT_LOCKED, f"账号因连续{env.settings.lockout_threshold}次密码错误已锁定，请于 "
        f"{china_time(locked_until)}（北京时间）后再试", "login",
    )


@dataclass
class _Check:
    """What the password check found, before anything is written."""

    password_hash: str | None
    ok: bool
    upgraded_hash: str | None = None


async def _verify_password(env: Env, login: str, password: str) -> _Check:
    """Read the hash and check the password with no row locked and no connection held:
    a hash takes ~100 ms of CPU, and a burst of logins holding pooled connections (and row
    locks) through it starved every other request of connections."""
    account = await _find_login_account(env, login)
    if account is not None and account.locked_until and account.locked_until > env.clock.now():
        raise _locked_error(env, account.locked_until)  # no hashing for a locked account
    password_hash = account.password_hash if account else None
    await env.release_connection()
    ok = await env.passwords.verify(password_hash, password)
    upgraded = None
    if ok and password_hash is not None and env.passwords.needs_rehash(password_hash):  # ok implies a hash
        # Cost parameters changed since this hash was made: upgrade it while we know the password.
        upgraded = await env.passwords.hash(password)
    return _Check(password_hash, ok, upgraded)


async def login(env: Env, *, login: str, password: str) -> LoginResult:
    """Verify the password; 5 consecutive failures lock the account for 30 minutes.

    The outcome is written under the account's row lock, re-checking what may have changed
    while the password was being checked. Every attempt is audited; failures are
    `RecordedFailure`s so the failure count and the audit row commit."""
    account = None
    try:
        check = await _verify_password(env, login, password)
        account = await _find_login_account(env, login, lock=True)
        result = await _login(env, account, check)
    except RuleViolation as exc:
        await _audit_login(env, login, account, None, success=False, reason=exc.message)
        raise RecordedFailure(exc.code, exc.message, exc.field) from exc
    await _audit_login(env, login, account, result.viewer, success=True)
    return result


async def _audit_login(env: Env, login: str, account: Account | None, viewer: Viewer | None,
                       *, success: bool, reason: str | None = None) -> None:
    if viewer is None and account is not None:
        viewer = await load_viewer(env, account, 0)
    profile = (viewer.unit or viewer.admin) if viewer else None
    await audit.record_login(
        env, login=login, account=account, success=success, reason=reason,
        region_code=profile.region_code if profile else None,
        unit_id=viewer.unit.id if viewer and viewer.unit else None,
        admin_id=viewer.admin.id if viewer and viewer.admin else None,
    )


async def _login(env: Env, account: Account | None, check: _Check) -> LoginResult:
    now = env.clock.now()
    if account is None:
        raise RuleViolation(ErrorCode.INVALID_CREDENTIALS, field="login")
    if account.locked_until and account.locked_until > now:
        raise _locked_error(env, account.locked_until)  # locked by a concurrent attempt meanwhile
    # A password changed meanwhile was not the one checked.
    if not check.ok or account.password_hash != check.password_hash:
        account.failed_logins += 1
        if account.failed_logins >= env.settings.lockout_threshold:
            account.failed_logins = 0
            account.locked_until = now + timedelta(minutes=env.settings.lockout_minutes)
            raise RuleViolation(
                ErrorCode.ACCOUNT_LOCKED,
                f"密码连续错误{env.settings.lockout_threshold}次，账号已锁定至 "
                f"{china_time(account.locked_until)}（北京时间）",
                "login",
            )
        left = env.settings.lockout_threshold - account.failed_logins
        raise RuleViolation(ErrorCode.INVALID_CREDENTIALS, f"账号或密码错误，再错{left}次将锁定账号", "login")

    account.failed_logins = 0
    account.locked_until = None
    if check.upgraded_hash:
        account.password_hash = check.upgraded_hash
    token = new_token()
    auth = AuthSession(
        token_hash=token_digest(token),
        account_id=account.id,
        created_at=now,
        last_seen_at=now,
        expires_at=now + timedelta(hours=env.settings.session_absolute_hours),
    )
    env.session.add(auth)
    await env.session.flush()
    return LoginResult(token=token, viewer=await load_viewer(env, account, auth.id))


async def load_viewer(env: Env, account: Account, session_id: int) -> Viewer:
    viewer = Viewer(account=account, session_id=session_id)
    if account.kind is AccountKind.PERSON:
        viewer.person = await env.session.scalar(select(Person).where(Person.account_id == account.id))
    elif account.kind is AccountKind.UNIT:
        viewer.unit = await env.session.scalar(select(Unit).where(Unit.account_id == account.id))
    else:
        viewer.admin = await env.session.scalar(select(Admin).where(Admin.account_id == account.id))
    return viewer


# Sliding idle expiry is refreshed at most once a minute, so reads do not write on every request.
_TOUCH_EVERY = timedelta(minutes=1)


async def authenticate(env: Env, token: str) -> Viewer | None:
    """The viewer behind a bearer token, or None when it is unknown, revoked or expired.

    One statement (session, account and its profile), as every request pays for it. It
    writes nothing: when the sliding idle window is due a refresh, `viewer.touch_due` is
    set and the caller runs `touch_session`."""
    now = env.clock.now()
    row = (
        await env.session.execute(
            select(AuthSession, Account, Person, Unit, Admin)
            .join(Account, Account.id == AuthSession.account_id)
            .outerjoin(Person, Person.account_id == Account.id)
            .outerjoin(Unit, Unit.account_id == Account.id)
            .outerjoin(Admin, Admin.account_id == Account.id)
            .where(AuthSession.token_hash == token_digest(token), AuthSession.revoked_at.is_(None))
        )
    ).first()
    if row is None:
        return None
    auth, account, person, unit, admin = row
    idle_limit = auth.last_seen_at + timedelta(minutes=env.settings.session_idle_minutes)
    if now >= auth.expires_at or now >= idle_limit:
        return None
    return Viewer(account=account, session_id=auth.id, person=person, unit=unit, admin=admin,
                  touch_due=now - auth.last_seen_at >= _TOUCH_EVERY)


async def touch_session(env: Env, viewer: Viewer) -> None:
    """Slide the idle expiry (at most once a minute, so reads do not write on every request)."""
    await env.session.execute(
        update(AuthSession).where(AuthSession.id == viewer.session_id).values(last_seen_at=env.clock.now())
    )
    viewer.touch_due = False


async def logout(env: Env) -> None:
    viewer = env.require_viewer()
    await env.session.execute(
        update(AuthSession).where(AuthSession.id == viewer.session_id).values(revoked_at=env.clock.now())
    )


async def change_password(env: Env, *, current_password: str, new_password: str) -> None:
    """A new password ends every other session of the account (a stolen token dies with it)."""
    viewer = env.require_viewer()
    account = await env.referenced(Account, viewer.account.id, lock=True)
    if not await env.passwords.verify(account.password_hash, current_password):
        raise RuleViolation(ErrorCode.WRONG_PASSWORD, field="currentPassword")
    errors = account_rules.password_violations(new_password, account.login_name, field="newPassword")
    if current_password == new_password:
        errors.append(RuleViolation(ErrorCode.PASSWORD_UNCHANGED, field="newPassword"))
    raise_all(errors)
    now = env.clock.now()
    account.password_hash = await env.passwords.hash(new_password)
    account.password_changed_at = now
    await env.session.execute(
        update(AuthSession)
        .where(
            AuthSession.account_id == account.id,
            AuthSession.id != viewer.session_id,
            AuthSession.revoked_at.is_(None),
        )
        .values(revoked_at=now)
    )


async def visible_persons(env: Env, ids: list[int]) -> dict[int, Person]:
    """Persons the caller may see: themselves; admins see everyone.

    (Units see the applicants of declarations routed to them; that rule lives with
    declarations.)"""
    viewer = env.viewer
    if viewer is None or not ids:
        return {}
    stmt = select(Person).where(Person.id.in_(ids))
    if viewer.admin is None:
        if viewer.person is None:
            return {}
        stmt = stmt.where(Person.id == viewer.person.id)
    return {p.id: p for p in await env.session.scalars(stmt)}


async def units_by_id(env: Env, ids: list[int]) -> dict[int, Unit]:
    """Units are public to logged-in callers (they are picked by name in the workflows)."""
    if env.viewer is None or not ids:
        return {}
    return {u.id: u for u in await env.session.scalars(select(Unit).where(Unit.id.in_(ids)))}
