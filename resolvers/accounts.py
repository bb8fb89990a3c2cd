"""账号: registration (1.1 个人注册, 2.1 单位注册), login, logout, password changes, sessions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import and_, bindparam, delete, exists, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.exc import IntegrityError

from core.clock import CHINA_TZ, china_today
from core.config import Settings
from core.http import slot_released
from core.security import new_token, token_digest
from models import (
    Account,
    AccountKind,
    Admin,
    AuthSession,
    Committee,
    CommitteeOffice,
    Declaration,
    LoginThrottle,
    Person,
    ReviewStep,
    ServerKey,
    Unit,
)
from resolvers import audit, panel_access
from resolvers.db_errors import violated_constraint
from resolvers.env import Env, Viewer
from resolvers.permission import MANUAL_REVIEW_REASON_MAX
from resolvers.rows import RecordColumns
from rules import accounts as account_rules
from rules import throttle
from rules.declaration_states import DeclarationStatus
from rules.errors import ErrorCode, RecordedFailure, RuleViolation, collect, raise_all
from rules.identity import normalize_resident_id, parse_resident_id, validate_uscc
from rules.regions import PROVINCE_CODE, find_region, is_city, region_covers
from rules.text import clean_text
from rules.throttle import ThrottlePolicy, ThrottleState

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
        created_at=now,
        password_changed_at=now,
    )
    env.session.add(account)
    # The pre-check read no such login name, but a concurrent registration may have taken
    # it since: its unique index is the loser's first statement to fail, so it is mapped here.
    await _flush_unique(env, _UNIQUE_LOGIN)
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
    today = china_today(env.clock)
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


async def create_admin(env: Env, *, login_name: str, password: str, region_code: str, name: str,
                       must_change_password: bool = False) -> Admin:
    """A title-office admin: the province (370000) or one city. From the command line (the
    operator chose the password) or `createAdmin` (`must_change_password`: the province
    admin chose or was given it, so the new admin replaces it at its first login)."""
    errors: list[RuleViolation] = []
    login_name = collect(errors, account_rules.validate_login_name, login_name)
    if find_region(region_code) is None:
        errors.append(RuleViolation(ErrorCode.REGION_UNKNOWN, "地区代码不是山东省或其地市", "regionCode"))
    name = collect(errors, clean_text, name, field="name", limit=ADMIN_NAME_MAX, required=True)
    errors += account_rules.password_violations(password, login_name or "")
    if login_name and await _login_name_taken(env, login_name):
        errors.append(_LOGIN_TAKEN)
    raise_all(errors)
    account = await _new_account(env, AccountKind.ADMIN, login_name, password)
    account.must_change_password = must_change_password
    admin = Admin(account_id=account.id, region_code=region_code, name=name)
    env.session.add(admin)
    await _flush_unique(env, _UNIQUE_LOGIN)
    return admin


async def create_committee_office(env: Env, *, login_name: str, password: str, committee_id: int,
                                  name: str) -> CommitteeOffice:
    """A committee office's account (评委会办事机构), bound to one committee. Its creator
    chose or was given the password, so the office must change it at its first login."""
    errors: list[RuleViolation] = []
    login_name = collect(errors, account_rules.validate_login_name, login_name)
    name = collect(errors, clean_text, name, field="name", limit=ADMIN_NAME_MAX, required=True)
    errors += account_rules.password_violations(password, login_name or "")
    if login_name and await _login_name_taken(env, login_name):
        errors.append(_LOGIN_TAKEN)
    raise_all(errors)
    account = await _new_account(env, AccountKind.COMMITTEE_OFFICE, login_name, password)
    account.must_change_password = True
    office = CommitteeOffice(account_id=account.id, committee_id=committee_id, name=name,
                             created_at=account.created_at, created_by_account_id=env.require_viewer().account.id)
    env.session.add(office)
    await _flush_unique(env, _UNIQUE_LOGIN)
    return office


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


def _policies(settings: Settings) -> dict[str, ThrottlePolicy]:
    forget = timedelta(hours=settings.login_forget_hours)
    first = timedelta(seconds=settings.login_first_delay_seconds)
    return {
        "account": ThrottlePolicy(settings.lockout_threshold, first,
                                  timedelta(seconds=settings.login_max_delay_seconds), forget),
        "address": ThrottlePolicy(settings.login_address_threshold, first,
                                  timedelta(seconds=settings.login_address_max_delay_seconds), forget),
    }


@dataclass
class _Attempt:
    """One login attempt: what it is counted under and what the log may say of it."""

    fingerprint: str  # rules.throttle.login_fingerprint of what was typed
    account: Account | None = None  # the account the login names, as first read

    @property
    def account_id(self) -> int | None:
        return self.account.id if self.account is not None else None

    def keys(self, env: Env) -> dict[str, str]:
        """Throttle keys by policy. A login that names no account is counted under its
        fingerprint, exactly as an account is under its id: same answers, same delays."""
        subject = (throttle.account_key(self.account_id) if self.account_id is not None
                   else throttle.unknown_login_key(self.fingerprint))
        return {"account": subject, "address": throttle.address_key(env.client_address)}


async def _login_secret(env: Env) -> bytes:
    secret = await env.session.scalar(select(ServerKey.secret).where(ServerKey.name == "login"))
    if secret is None:  # migration 0007 makes it; a database without it is not migrated
        raise RuntimeError("server_key 'login' is missing: run the migrations")
    return secret


async def _throttle_states(env: Env, keys: list[str], *, lock: bool) -> dict[str, ThrottleState]:
    """The keys' states; with `lock`, their rows made if missing and locked (in key order,
    so two attempts never wait on each other crosswise)."""
    if lock:
        await env.session.execute(
            pg_insert(LoginThrottle)
            .values([{"key": k, "failures": 0, "last_failure_at": env.clock.now()} for k in sorted(keys)])
            .on_conflict_do_nothing(index_elements=["key"])
        )
    stmt = select(LoginThrottle).where(LoginThrottle.key.in_(keys)).order_by(LoginThrottle.key)
    rows = await env.session.scalars(stmt.with_for_update() if lock else stmt)
    return {r.key: ThrottleState(r.failures, r.last_failure_at, r.blocked_until) for r in rows}


def _refuse_if_blocked(env: Env, states: dict[str, ThrottleState]) -> None:
    now = env.clock.now()
    ends = [until for state in states.values() if (until := state.blocked_at(now)) is not None]
    if ends:
        retry_at = max(ends).astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M:%S")
        raise RuleViolation(ErrorCode.LOGIN_THROTTLED,
                            f"登录失败次数过多，请于 {retry_at}（北京时间）后再试", "login")


@dataclass
class _Check:
    """What the password check found, before anything is written."""

    password_hash: str | None
    ok: bool
    upgraded_hash: str | None = None


async def _verify_password(env: Env, attempt: _Attempt, login: str, password: str) -> _Check:
    """Read the hash and check the password with no row locked and no connection held:
    a hash takes ~100 ms of CPU, and a burst of logins holding pooled connections (and row
    locks) through it starved every other request of connections."""
    account = attempt.account = await _find_login_account(env, login)
    keys = attempt.keys(env)
    # A blocked key is refused before any hashing, known account or not.
    _refuse_if_blocked(env, await _throttle_states(env, list(keys.values()), lock=False))
    password_hash = account.password_hash if account else None
    await env.release_connection()
    # Holding no connection now, the login also hands its API slot (core.http.ConcurrencyLimit)
    # to the requests waiting while it queues for and runs the hash, and takes one back after.
    async with slot_released():
        ok = await env.passwords.verify(password_hash, password)  # unknown logins cost the same hash
        upgraded = None
        if ok and password_hash is not None and env.passwords.needs_rehash(password_hash):  # ok implies a hash
            # Cost parameters changed since this hash was made: upgrade it while we know the password.
            upgraded = await env.passwords.hash(password)
    return _Check(password_hash, ok, upgraded)


async def login(env: Env, *, login: str, password: str) -> LoginResult:
    """Verify the password. Failures are counted per account (or unknown login) and per
    client address; past a threshold each blocks the key for a doubling delay (see
    rules/throttle.py). An unknown login and a wrong password answer alike.

    The outcome is written under the account's and the keys' row locks, re-checking what
    may have changed while the password was being checked. Every attempt is audited;
    failures are `RecordedFailure`s so the counts and the audit row commit."""
    attempt = _Attempt(fingerprint=throttle.login_fingerprint(await _login_secret(env), login))
    try:
        check = await _verify_password(env, attempt, login, password)
        account = await _find_login_account(env, login, lock=True)
        if (account.id if account else None) != attempt.account_id:
            # The login now names another account (one was registered meanwhile): this
            # attempt was checked against the other one, so it fails like a wrong password.
            check = _Check(None, False)
        attempt.account = account
        result = await _login(env, attempt, account, check)
    except RuleViolation as exc:
        await _audit_login(env, attempt, attempt.account, None, success=False, reason=exc.message)
        raise RecordedFailure(exc.code, exc.message, exc.field) from exc
    await _audit_login(env, attempt, attempt.account, result.viewer, success=True)
    return result


async def _audit_login(env: Env, attempt: _Attempt, account: Account | None, viewer: Viewer | None,
                       *, success: bool, reason: str | None = None) -> None:
    if viewer is None and account is not None:
        viewer = await load_viewer(env, account, 0)
    profile = (viewer.unit or viewer.admin) if viewer else None
    await audit.record_login(
        env, unknown_login=attempt.fingerprint, account=account, success=success, reason=reason,
        region_code=profile.region_code if profile else None,
        unit_id=viewer.unit.id if viewer and viewer.unit else None,
        admin_id=viewer.admin.id if viewer and viewer.admin else None,
    )


async def _login(env: Env, attempt: _Attempt, account: Account | None, check: _Check) -> LoginResult:
    now = env.clock.now()
    keys = attempt.keys(env)
    states = await _throttle_states(env, list(keys.values()), lock=True)
    _refuse_if_blocked(env, states)  # blocked by a concurrent failure meanwhile: not counted
    # A password changed meanwhile was not the one checked.
    if account is None or not check.ok or account.password_hash != check.password_hash:
        policies = _policies(env.settings)
        for name, key in keys.items():
            state = throttle.after_failure(states.get(key, ThrottleState()), policies[name], now)
            await env.session.execute(
                update(LoginThrottle).where(LoginThrottle.key == key).values(
                    failures=state.failures, last_failure_at=state.last_failure_at,
                    blocked_until=state.blocked_until))
        raise RuleViolation(ErrorCode.INVALID_CREDENTIALS, field="login")

    if account.disabled_at is not None:
        # Said only after the right password: to anyone who does not know it, a disabled
        # account answers exactly like any other (and a wrong password is counted as ever).
        raise RuleViolation(ErrorCode.ACCOUNT_DISABLED, field="login")
    # The owner is in: the account's count starts again. The address's does not (an
    # attacker could otherwise clear it by logging into an account of its own).
    await env.session.execute(delete(LoginThrottle).where(LoginThrottle.key == keys["account"]))
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
    elif account.kind is AccountKind.COMMITTEE_OFFICE:
        viewer.committee_office = await env.session.scalar(
            select(CommitteeOffice).where(CommitteeOffice.account_id == account.id))
    else:
        viewer.admin = await env.session.scalar(select(Admin).where(Admin.account_id == account.id))
    return viewer


# Sliding idle expiry is refreshed at most once a minute, so reads do not write on every request.
_TOUCH_EVERY = timedelta(minutes=1)


# Every request pays for this statement: built once, read as records (resolvers.rows), so
# the viewer's rows are plain, immutable and in no session.
_VIEWER_ROW = RecordColumns(AuthSession=AuthSession, Account=Account, Person=Person, Unit=Unit, Admin=Admin,
                            CommitteeOffice=CommitteeOffice)
_AUTHENTICATE = (
    select(*_VIEWER_ROW.columns)
    .select_from(AuthSession)
    .join(Account, Account.id == AuthSession.account_id)
    .outerjoin(Person, Person.account_id == Account.id)
    .outerjoin(Unit, Unit.account_id == Account.id)
    .outerjoin(Admin, Admin.account_id == Account.id)
    .outerjoin(CommitteeOffice, CommitteeOffice.account_id == Account.id)
    .where(AuthSession.token_hash == bindparam("token_hash"), AuthSession.revoked_at.is_(None),
           Account.disabled_at.is_(None))  # disabling revokes sessions too; this closes any race
)


async def authenticate(env: Env, token: str) -> Viewer | None:
    """The viewer behind a bearer token, or None when it is unknown, revoked or expired.

    One statement (session, account and its profile), as every request pays for it. It
    writes nothing: when the sliding idle window is due a refresh, `viewer.touch_due` is
    set and the caller runs `touch_session`."""
    now = env.clock.now()
    # The same statement object every time, its token a parameter: SQLAlchemy keeps the
    # statement's cache key on it instead of walking 40 columns and five joins per request.
    # Through the connection (Core): the session's ORM result machinery would set up a
    # loader per column on every request.
    connection = await env.session.connection()
    row = (await connection.execute(_AUTHENTICATE, {"token_hash": token_digest(token)})).first()
    if row is None:
        return None
    auth, account, person, unit, admin, office = _VIEWER_ROW.read(row)
    idle_limit = auth.last_seen_at + timedelta(minutes=env.settings.session_idle_minutes)
    if now >= auth.expires_at or now >= idle_limit:
        return None
    return Viewer(account=account, session_id=auth.id, person=person, unit=unit, admin=admin,
                  committee_office=office, touch_due=now - auth.last_seen_at >= _TOUCH_EVERY)


async def touch_session(env: Env, viewer: Viewer) -> None:
    """Slide the idle expiry (at most once a minute, so reads do not write on every request)."""
    await env.session.execute(
        update(AuthSession).where(AuthSession.id == viewer.session_id).values(last_seen_at=env.clock.now())
    )
    viewer.touch_due = False


async def logout(env: Env) -> None:
    viewer = env.require_session()
    await env.session.execute(
        update(AuthSession).where(AuthSession.id == viewer.session_id).values(revoked_at=env.clock.now())
    )


async def change_password(env: Env, *, current_password: str, new_password: str) -> None:
    """A new password ends every other session of the account (a stolen token dies with it),
    and lifts the restriction of a password an admin set (this session may do all again)."""
    viewer = env.require_session()
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
    account.must_change_password = False
    await env.session.execute(
        update(AuthSession)
        .where(
            AuthSession.account_id == account.id,
            AuthSession.id != viewer.session_id,
            AuthSession.revoked_at.is_(None),
        )
        .values(revoked_at=now)
    )


def _person_reached(viewer: Viewer):
    """The SQL condition "this person's data reached the viewer through a declaration", or
    None for a viewer who sees no one but themself.

    A declaration shows its applicant to whoever may see the declaration, and the person
    node follows the same rule (resolvers.declarations.can_see_declaration): a unit sees
    the applicant of a submitted declaration routed through it (a review step at the unit,
    past or present); an admin the applicant of a submitted declaration whose work unit is
    in the admin's region — every route starts at the work unit, so for a city that is
    "routed through one of its units", and for the province any submitted declaration; a
    committee office the applicants its committee accepted; a person on a review panel the
    candidates they judge. A draft (never submitted, or withdrawn) reaches no one."""
    submitted = and_(Declaration.person_id == Person.id, Declaration.status != DeclarationStatus.DRAFT)
    if viewer.committee_office is not None:  # what the route brought to its committee
        return exists().where(submitted, Declaration.committee_id == viewer.committee_office.committee_id)
    if viewer.person is not None:  # an expert: the candidates they judge (resolvers.panel_access)
        return exists().where(submitted, panel_access.judged_by(viewer.person.id))
    if viewer.unit is not None:
        return exists().where(submitted, ReviewStep.declaration_id == Declaration.id,
                              ReviewStep.unit_id == viewer.unit.id)
    if viewer.admin is not None:
        if viewer.admin.region_code == PROVINCE_CODE:
            return exists().where(submitted)
        return exists().where(submitted, Unit.id == Declaration.work_unit_id,
                              Unit.region_code == viewer.admin.region_code)
    return None


async def visible_persons(env: Env, ids: list[int]) -> dict[int, Person]:
    """Persons the caller may see: themself, and the applicants whose declarations reached
    the caller (`_person_reached`). Anything else answers as if it did not exist, so
    enumerating ids tells nothing."""
    viewer = env.viewer
    if viewer is None or not ids:
        return {}
    own = Person.id == viewer.person.id if viewer.person is not None else None
    reached = _person_reached(viewer)
    allowed = [c for c in (own, reached) if c is not None]
    if not allowed:
        return {}
    stmt = select(Person).where(Person.id.in_(ids), or_(*allowed))
    return {p.id: p for p in await env.session.scalars(stmt)}


async def account_in_scope(env: Env, account_id: int, *, lock: bool = False) -> tuple[Account, str | None]:
    """The account an admin may act on (unlock, reset its password), and the region whose
    admins see the step in the audit log. An admin may act on the units of its region, the
    persons it may see (`visible_persons`) and the admins its region covers (the province:
    every city's and the other province admins; never itself); any other account is
    NOT_FOUND, like one that does not exist."""
    admin = env.require_admin()
    env.note_audit("Account", account_id)  # a refusal's audit row names what was tried
    stmt = (select(Account, Person.id, Unit.region_code, Admin.region_code, Admin.id, Committee.region_code)
            .outerjoin(Person, Person.account_id == Account.id)
            .outerjoin(Unit, Unit.account_id == Account.id)
            .outerjoin(Admin, Admin.account_id == Account.id)
            .outerjoin(CommitteeOffice, CommitteeOffice.account_id == Account.id)
            .outerjoin(Committee, Committee.id == CommitteeOffice.committee_id)
            .where(Account.id == account_id))
    row = (await env.session.execute(stmt.with_for_update(of=Account) if lock else stmt)).first()
    if row is None:
        raise RuleViolation(ErrorCode.NOT_FOUND, field="accountId")
    account, person_id, unit_region, admin_region, admin_id, committee_region = row
    if account.kind is AccountKind.PERSON:
        allowed = person_id in await visible_persons(env, [person_id])
        region = None
    elif account.kind is AccountKind.UNIT:
        allowed, region = region_covers(admin.region_code, unit_region), unit_region
    elif account.kind is AccountKind.COMMITTEE_OFFICE:
        allowed, region = region_covers(admin.region_code, committee_region), committee_region
    else:
        allowed = admin_id != admin.id and region_covers(admin.region_code, admin_region)
        region = admin_region
    if not allowed:
        raise RuleViolation(ErrorCode.NOT_FOUND, field="accountId")
    return account, region


async def unlock_account(env: Env, *, account_id: int) -> Account:
    """解除登录限制: clear an account's failed-login count and block, for an account in the
    admin's scope (`account_in_scope`). The blocks of the attacker's address stay."""
    account, region = await account_in_scope(env, account_id)
    await env.session.execute(delete(LoginThrottle).where(LoginThrottle.key == throttle.account_key(account.id)))
    env.note_audit("Account", account.id, region_code=region)
    return account


async def units_by_id(env: Env, ids: list[int]) -> dict[int, Unit]:
    """Units are public to logged-in callers (they are picked by name in the workflows)."""
    if env.viewer is None or not ids:
        return {}
    return {u.id: u for u in await env.session.scalars(select(Unit).where(Unit.id.in_(ids)))}
