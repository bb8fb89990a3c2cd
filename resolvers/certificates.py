"""电子职称证书: public verification (no login, throttled), the holder's certificate, and who
may download its PDF.

Verification answers VALID, REVOKED or UNKNOWN and, for a found certificate, only what the
certificate itself shows. A real number with another name is UNKNOWN, exactly like a number
that does not exist: the answer never tells which half was wrong. Answers that find nothing
are counted per client address in `login_throttle` (key `verify:<address>`, the login
throttle's rules and PostgreSQL rows, so every worker sees the same counts); past the
threshold the address waits, doubling, so guessing (number, name) pairs gets nowhere.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert

from core.clock import CHINA_TZ
from core.errors import Throttled
from models import Certificate, LoginThrottle
from resolvers.env import Env
from rules import throttle
from rules.certificates import CertificateView, VerificationStatus, is_well_formed, normalize_number
from rules.throttle import ThrottlePolicy, ThrottleState

# Longer input is no certificate and no name: refused before any lookup, still counted.
MAX_NUMBER_INPUT = 64
MAX_NAME_INPUT = 100


@dataclass(frozen=True)
class Verification:
    status: VerificationStatus
    certificate: CertificateView | None = None  # VALID and REVOKED only


def certificate_view(row: Certificate) -> CertificateView:
    return CertificateView(
        number=row.number, holder_name=row.holder_name, masked_id_number=row.masked_id_number,
        series_name=row.series_name, level_name=row.level_name, title_name=row.title_name,
        specialty_name=row.specialty_name, committee_name=row.committee_name, issued_by=row.issued_by,
        year=row.year, issued_on=row.issued_on)


def _policy(env: Env) -> ThrottlePolicy:
    s = env.settings
    return ThrottlePolicy(free_failures=s.verify_threshold,
                          first_delay=timedelta(seconds=s.verify_first_delay_seconds),
                          max_delay=timedelta(seconds=s.verify_max_delay_seconds),
                          forget_after=timedelta(hours=s.login_forget_hours))


def _same_name(typed: str, holder: str) -> bool:
    """Names compare as people type them: full-width forms folded, spaces ignored, and the
    several dots of minority names (· ・ •) taken as one."""
    def fold(name: str) -> str:
        name = unicodedata.normalize("NFKC", name)
        name = "".join(ch for ch in name if not ch.isspace())
        return name.replace("・", "·").replace("•", "·").replace(".", "·").casefold()
    return bool(typed) and fold(typed) == fold(holder)


async def _throttle_state(env: Env, key: str) -> ThrottleState:
    """The address's row, made if missing and locked: two checks from one address at once
    are counted one after the other."""
    await env.session.execute(
        pg_insert(LoginThrottle).values(key=key, failures=0, last_failure_at=env.clock.now())
        .on_conflict_do_nothing(index_elements=["key"]))
    row = await env.session.scalar(select(LoginThrottle).where(LoginThrottle.key == key).with_for_update())
    assert row is not None  # inserted just above if it was missing
    return ThrottleState(row.failures, row.last_failure_at, row.blocked_until)


def _refuse_if_blocked(env: Env, state: ThrottleState) -> None:
    now = env.clock.now()
    until = state.blocked_at(now)
    if until is not None:
        retry_at = until.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M:%S")
        raise Throttled(f"查询未找到证书的次数过多，请于 {retry_at}（北京时间）后再试",
                        retry_after=max(1, int((until - now).total_seconds() + 0.999)))


async def _count_miss(env: Env, key: str, state: ThrottleState) -> None:
    after = throttle.after_failure(state, _policy(env), env.clock.now())
    await env.session.execute(update(LoginThrottle).where(LoginThrottle.key == key).values(
        failures=after.failures, last_failure_at=after.last_failure_at, blocked_until=after.blocked_until))


async def verify_certificate(env: Env, *, number: str, holder_name: str) -> Verification:
    """证书查验: the caller's own transaction (its throttle count commits with it)."""
    key = throttle.verify_key(env.client_address)
    state = await _throttle_state(env, key)
    _refuse_if_blocked(env, state)
    found = await _find(env, number, holder_name)
    if found is None:
        await _count_miss(env, key, state)
        return Verification(VerificationStatus.UNKNOWN)
    status = VerificationStatus.REVOKED if found.revoked_at is not None else VerificationStatus.VALID
    return Verification(status, certificate_view(found))


async def _find(env: Env, number: str, holder_name: str) -> Certificate | None:
    if len(number) > MAX_NUMBER_INPUT or len(holder_name) > MAX_NAME_INPUT:
        return None
    normalized = normalize_number(number)
    if not is_well_formed(normalized):
        return None
    row = await env.session.scalar(select(Certificate).where(Certificate.number == normalized))
    if row is None or not _same_name(holder_name, row.holder_name):
        return None
    return row
