"""操作日志: append every unit/admin action and every login to a hash chain; read and verify it.

Appends are serialised by a transaction-scoped advisory lock, so the chain stays linear
however many workers write at once: the next append waits for the previous commit and
then reads its hash.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC

import orjson
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from models import Account, ApiClient, AuditEntry
from resolvers.env import Env
from resolvers.paging import Page, SortKey, keyset_page
from rules.regions import PROVINCE_CODE

GENESIS = bytes(32)
#: `account_kind` of the rows an API client's acts write (it has no account).
CLIENT_KIND = "API_CLIENT"
# Any constant will do; it only has to be the same for every writer of the log.
_APPEND_LOCK = 0x7A68_6175_6469_74  # "zhaudit"
_HASHED_FIELDS = (
    "at", "request_id", "account_id", "account_kind", "login_name", "unit_id", "admin_id",
    "region_code", "action", "object_type", "object_id", "success", "reason",
)
# Columns added after rows were written: hashed only when set, so every older row (where
# they are NULL) keeps the digest it was written with and the chain still verifies.
_HASHED_WHEN_SET = ("client_address",)


def entry_digest(prev_hash: bytes, fields: dict) -> bytes:
    """SHA-256 over the previous hash and a canonical JSON of the row's content."""
    canonical = {k: fields[k] for k in _HASHED_FIELDS}
    canonical.update({k: fields[k] for k in _HASHED_WHEN_SET if fields.get(k) is not None})
    canonical["at"] = fields["at"].astimezone(UTC).isoformat()
    return hashlib.sha256(prev_hash + orjson.dumps(canonical, option=orjson.OPT_SORT_KEYS)).digest()


async def _append(session: AsyncSession, fields: dict) -> AuditEntry:
    await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _APPEND_LOCK})
    prev = await session.scalar(select(AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1))
    prev = prev or GENESIS
    entry = AuditEntry(**fields, prev_hash=prev, hash=entry_digest(prev, fields))
    session.add(entry)
    await session.flush()
    return entry


def _actor_fields(env: Env) -> dict:
    viewer = env.viewer
    if viewer is None and env.client is not None:
        return _client_fields(env.client.api_client)
    if viewer is None:
        return {"account_id": None, "account_kind": None, "login_name": None, "unit_id": None,
                "admin_id": None, "region_code": None}
    return {
        "account_id": viewer.account.id,
        "account_kind": viewer.kind.value,
        "login_name": viewer.account.login_name,
        "unit_id": viewer.unit.id if viewer.unit else None,
        "admin_id": viewer.admin.id if viewer.admin else None,
        "region_code": (viewer.unit.region_code if viewer.unit else
                        viewer.admin.region_code if viewer.admin else None),
    }


def _client_fields(client: ApiClient) -> dict:
    """An API client in the log: its kind, its public client_id where a login name goes, and
    its region (whose admins see the row); it has no account."""
    return {"account_id": None, "account_kind": CLIENT_KIND, "login_name": client.client_id, "unit_id": None,
            "admin_id": None, "region_code": client.region_code}


async def record_client(env: Env, client: ApiClient, action: str, *, success: bool,
                        reason: str | None = None) -> None:
    """An API client's own act while it holds no token yet (POST /oauth/token), with the
    address it came from, as logins are."""
    fields = {**_client_fields(client), "at": env.clock.now(), "request_id": env.request_id, "action": action,
              "object_type": "ApiClient", "object_id": client.id, "success": success, "reason": reason,
              "client_address": env.client_address}
    await _append(env.session, fields)


async def record(
    env: Env,
    action: str,
    *,
    object_type: str | None = None,
    object_id: int | None = None,
    success: bool = True,
    reason: str | None = None,
    region_code: str | None = None,
) -> AuditEntry:
    """Append one action of the caller. `region_code` overrides whose admins see the row
    (an admin's decision on a unit belongs to the unit's region)."""
    fields = _actor_fields(env)
    if region_code is not None:
        fields["region_code"] = region_code
    fields.update(at=env.clock.now(), request_id=env.request_id, action=action, object_type=object_type,
                  object_id=object_id, success=success, reason=reason)
    return await _append(env.session, fields)


def decision_note(decision: str, reason: str | None) -> str:
    """The audit reason of a decision step: what was decided, and why when a reason was given."""
    return f"{decision}: {reason}" if reason else decision


async def record_login(env: Env, *, unknown_login: str, account: Account | None, region_code: str | None,
                       unit_id: int | None, admin_id: int | None, success: bool,
                       reason: str | None = None) -> None:
    """Every login attempt, the failed ones too (the caller commits them as RecordedFailure),
    with the address it came from. The row names the account's login name, never what was
    typed (an applicant may log in with an ID number; a password typed into the wrong box
    lands in the login field); a login that names no account is logged as `unknown_login`,
    a keyed fingerprint of the input (rules.throttle.login_fingerprint)."""
    fields = {
        "at": env.clock.now(), "request_id": env.request_id,
        "account_id": account.id if account else None,
        "account_kind": account.kind.value if account else None,
        "login_name": account.login_name if account else unknown_login,
        "unit_id": unit_id, "admin_id": admin_id, "region_code": region_code,
        "action": "login", "object_type": "Account", "object_id": account.id if account else None,
        "success": success, "reason": reason, "client_address": env.client_address,
    }
    await _append(env.session, fields)


@dataclass
class ChainReport:
    checked: int
    first_broken_id: int | None

    @property
    def ok(self) -> bool:
        return self.first_broken_id is None


async def verify_chain(session: AsyncSession, batch: int = 1000) -> ChainReport:
    """Recompute every hash in id order; report the first row that does not fit."""
    prev, last_id, checked = GENESIS, 0, 0
    while True:
        rows = list(await session.scalars(
            select(AuditEntry).where(AuditEntry.id > last_id).order_by(AuditEntry.id).limit(batch)
        ))
        if not rows:
            return ChainReport(checked, None)
        for row in rows:
            fields = {k: getattr(row, k) for k in (*_HASHED_FIELDS, *_HASHED_WHEN_SET)}
            if row.prev_hash != prev or row.hash != entry_digest(prev, fields):
                return ChainReport(checked, row.id)
            prev, last_id, checked = row.hash, row.id, checked + 1


async def audit_log(env: Env, *, action: str | None, unit_id: int | None, success: bool | None,
                    first: int | None, after: str | None) -> Page:
    """审计日志, newest first. A city admin sees its region's rows; the province sees all."""
    admin = env.require_admin()
    stmt = select(AuditEntry)
    if admin.region_code != PROVINCE_CODE:
        stmt = stmt.where(AuditEntry.region_code == admin.region_code)
    if action:
        stmt = stmt.where(AuditEntry.action == action)
    if unit_id is not None:
        stmt = stmt.where(AuditEntry.unit_id == unit_id)
    if success is not None:
        stmt = stmt.where(AuditEntry.success.is_(success))
    keys = [SortKey(AuditEntry.id, descending=True)]
    return await keyset_page(env.session, stmt, keys, first=first, after=after, cap=env.settings.max_page_size)
