"""接口客户端: the province admin's API clients, the client-credentials grant (POST /oauth/token,
RFC 6749 §4.4) and the authentication of a client's bearer token.

The grant answers in OAuth's vocabulary (`TokenRefused.error` is a §5.2 code), not in
GraphQL's; app/oauth.py turns it into HTTP.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.exc import IntegrityError

from core.clock import CHINA_TZ
from core.security import token_digest
from models import ApiClient, ApiClientSecret, ApiClientToken, LoginThrottle
from models.api_client import Network
from resolvers import audit
from resolvers.db_errors import violated_constraint
from resolvers.env import ClientViewer, Env
from rules import throttle
from rules.errors import ErrorCode, RuleViolation, collect, raise_all
from rules.regions import find_region
from rules.scopes import (
    CLIENT_TOKEN_PREFIX,
    Scope,
    ScopeError,
    address_allowed,
    normalize_networks,
    parse_scope_param,
    scope_string,
)
from rules.text import clean_text
from rules.throttle import ThrottlePolicy, ThrottleState


def new_client_id() -> str:
    """The public client_id: 96 random bits, so ids reveal neither a count nor a neighbour."""
    return "zc_" + secrets.token_hex(12)


def new_client_secret() -> str:
    return secrets.token_urlsafe(32)


def new_client_token() -> str:
    """An access token; its prefix tells authentication which table to look in."""
    return CLIENT_TOKEN_PREFIX + secrets.token_urlsafe(32)


# --- the grant ---------------------------------------------------------------------------


class TokenRefused(Exception):
    """A refused token request: `error` is RFC 6749 §5.2's code (or `throttled`, which HTTP
    answers as 429), `description` the Chinese `error_description`."""

    def __init__(self, error: str, description: str, *, retry_after: int | None = None) -> None:
        super().__init__(f"{error}: {description}")
        self.error = error
        self.description = description
        self.retry_after = retry_after


@dataclass
class TokenGrant:
    access_token: str
    expires_in: int
    scope: str


async def grant_token(env: Env, *, client_id: str, client_secret: str, scope: str | None) -> TokenGrant:
    """The client-credentials grant. Failed client authentication is counted per source
    address (rules.throttle, the address policy of logins under a key of its own) and the
    address waits once past the threshold; a known client's every outcome is audited. The
    caller commits whatever happens: a refusal writes only its count and its audit row."""
    now = env.clock.now()
    key = throttle.client_auth_key(env.client_address)
    _refuse_if_blocked(now, await _throttle_state(env, key, lock=False))
    found = await _client_by_secret(env, client_id, client_secret)
    if found is None:
        await _count_failure(env, key)
        known = await env.session.scalar(
            select(ApiClient).where(ApiClient.client_id == client_id, ApiClient.deleted_at.is_(None)))
        if known is not None:
            await audit.record_client(env, known, "apiClient.token", success=False, reason="invalid_client")
        raise TokenRefused("invalid_client", "客户端认证失败（client_id 或 client_secret 不正确）")
    refusal = _refusal(env, found, scope)
    if isinstance(refusal, TokenRefused):
        await audit.record_client(env, found, "apiClient.token", success=False, reason=refusal.error)
        raise refusal
    token = new_client_token()
    lifetime = timedelta(minutes=env.settings.client_token_minutes)
    env.session.add(ApiClientToken(api_client_id=found.id, token_hash=token_digest(token),
                                   scopes=sorted(s.value for s in refusal), created_at=now,
                                   expires_at=now + lifetime))
    # Expired tokens are useless; a client's own grant sweeps them (a few rows, by index).
    await env.session.execute(delete(ApiClientToken).where(ApiClientToken.api_client_id == found.id,
                                                           ApiClientToken.expires_at <= now))
    await audit.record_client(env, found, "apiClient.token", success=True, reason=scope_string(refusal))
    return TokenGrant(access_token=token, expires_in=int(lifetime.total_seconds()), scope=scope_string(refusal))


def _refusal(env: Env, client: ApiClient, scope: str | None) -> TokenRefused | frozenset[Scope]:
    """What refuses an authenticated client a token, or the scopes it gets."""
    if client.disabled_at is not None:
        return TokenRefused("invalid_client", "客户端已停用")
    if not address_allowed(env.client_address, client.allowed_networks):
        return TokenRefused("unauthorized_client", "此客户端不允许从当前地址取得令牌")
    try:
        return parse_scope_param(scope, client.scope_set)
    except ScopeError as exc:
        return TokenRefused("invalid_scope", str(exc))


async def _client_by_secret(env: Env, client_id: str, client_secret: str) -> ApiClient | None:
    """The client whose id and one valid secret (the current one, or an old one still in its
    overlap) these are. The secret is compared by its digest in the index, never as text."""
    now = env.clock.now()
    return await env.session.scalar(
        select(ApiClient)
        .join(ApiClientSecret, ApiClientSecret.api_client_id == ApiClient.id)
        .where(ApiClient.client_id == client_id, ApiClient.deleted_at.is_(None),
               ApiClientSecret.secret_hash == token_digest(client_secret),
               or_(ApiClientSecret.expires_at.is_(None), ApiClientSecret.expires_at > now))
    )


def _policy(env: Env) -> ThrottlePolicy:
    s = env.settings
    return ThrottlePolicy(s.login_address_threshold, timedelta(seconds=s.login_first_delay_seconds),
                          timedelta(seconds=s.login_address_max_delay_seconds),
                          timedelta(hours=s.login_forget_hours))


async def _throttle_state(env: Env, key: str, *, lock: bool) -> ThrottleState:
    if lock:
        await env.session.execute(
            pg_insert(LoginThrottle).values(key=key, failures=0, last_failure_at=env.clock.now())
            .on_conflict_do_nothing(index_elements=["key"]))
    stmt = select(LoginThrottle).where(LoginThrottle.key == key)
    row = await env.session.scalar(stmt.with_for_update() if lock else stmt)
    return ThrottleState(row.failures, row.last_failure_at, row.blocked_until) if row else ThrottleState()


def _refuse_if_blocked(now: datetime, state: ThrottleState) -> None:
    until = state.blocked_at(now)
    if until is not None:
        at = until.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M:%S")
        raise TokenRefused("throttled", f"该地址客户端认证失败次数过多，请于 {at}（北京时间）后再试",
                           retry_after=max(1, int((until - now).total_seconds() + 0.999)))


async def _count_failure(env: Env, key: str) -> None:
    """One more failure of the address, under its row lock (two at once both count)."""
    state = throttle.after_failure(await _throttle_state(env, key, lock=True), _policy(env), env.clock.now())
    await env.session.execute(
        update(LoginThrottle).where(LoginThrottle.key == key).values(
            failures=state.failures, last_failure_at=state.last_failure_at, blocked_until=state.blocked_until))


# --- authentication ----------------------------------------------------------------------


async def authenticate(env: Env, token: str) -> ClientViewer | None:
    """The client behind an access token, or None: unknown, expired, its client disabled or
    deleted, or called from outside the client's allowed networks. One statement."""
    row = (
        await env.session.execute(
            select(ApiClientToken, ApiClient)
            .join(ApiClient, ApiClient.id == ApiClientToken.api_client_id)
            .where(ApiClientToken.token_hash == token_digest(token), ApiClientToken.expires_at > env.clock.now(),
                   ApiClient.disabled_at.is_(None), ApiClient.deleted_at.is_(None))
        )
    ).first()
    if row is None:
        return None
    grant, client = row
    if not address_allowed(env.client_address, client.allowed_networks):
        return None
    return ClientViewer(api_client=client, token_id=grant.id, scopes=grant.scope_set)


# --- the province admin's steps ----------------------------------------------------------

NAME_MAX = 100
MAX_NETWORKS = 50
_NAME_TAKEN = RuleViolation(ErrorCode.API_CLIENT_NAME_TAKEN, field="name")


@dataclass
class IssuedSecret:
    """A client and a secret of it, in clear: shown once in the answer, stored only hashed."""

    client: ApiClient
    client_secret: str


async def create_client(env: Env, *, name: str, scopes: list[Scope], region_code: str,
                        allowed_networks: list[str] | None) -> IssuedSecret:
    """Register an HR system: its scopes, its region (the province or one city) and,
    optionally, the networks it may call from. Province admin (the spec checks)."""
    errors: list[RuleViolation] = []
    clean_name = collect(errors, clean_text, name, field="name", limit=NAME_MAX, required=True)
    if not scopes:
        errors.append(RuleViolation(ErrorCode.SCOPES_REQUIRED, field="scopes"))
    if find_region(region_code) is None:
        errors.append(RuleViolation(ErrorCode.REGION_UNKNOWN, "地区代码不是山东省或其地市", "regionCode"))
    networks = collect(errors, _networks, allowed_networks)
    raise_all(errors)
    assert clean_name is not None
    client = ApiClient(client_id=new_client_id(), name=clean_name, scopes=sorted({s.value for s in scopes}),
                       region_code=region_code, allowed_networks=networks,
                       created_by_account_id=env.viewer.account.id if env.viewer else None,
                       created_at=env.clock.now())
    env.session.add(client)
    await _flush_unique(env)
    secret = await _add_secret(env, client)
    env.note_audit("ApiClient", client.id, reason=f"{client.client_id} {scope_string(client.scope_set)}",
                   region_code=client.region_code)
    return IssuedSecret(client, secret)


async def rotate_secret(env: Env, *, api_client_id: int, overlap_hours: int) -> IssuedSecret:
    """A new secret; every secret still valid stays valid `overlap_hours` more (0: ends now),
    so the HR system can roll the new one out to all its servers before the old one dies."""
    if not 0 <= overlap_hours <= env.settings.client_secret_max_overlap_hours:
        raise RuleViolation(ErrorCode.OVERLAP_TOO_LONG,
                            f"过渡期须在 0 到 {env.settings.client_secret_max_overlap_hours} 小时之间",
                            "overlapHours")
    client = await _live_client(env, api_client_id, lock=True)
    now = env.clock.now()
    until = now + timedelta(hours=overlap_hours)
    await env.session.execute(
        update(ApiClientSecret)
        .where(ApiClientSecret.api_client_id == client.id,
               or_(ApiClientSecret.expires_at.is_(None), ApiClientSecret.expires_at > until))
        .values(expires_at=until))
    secret = await _add_secret(env, client)
    env.note_audit("ApiClient", client.id, reason=f"overlap {overlap_hours} h", region_code=client.region_code)
    return IssuedSecret(client, secret)


async def set_disabled(env: Env, *, api_client_id: int, disabled: bool) -> ApiClient:
    """Disable (its tokens stop at once; no new ones) or enable again. Idempotent."""
    client = await _live_client(env, api_client_id, lock=True)
    if disabled and client.disabled_at is None:
        client.disabled_at = env.clock.now()
    elif not disabled:
        client.disabled_at = None
    env.note_audit("ApiClient", client.id, region_code=client.region_code)
    return client


async def delete_client(env: Env, *, api_client_id: int) -> ApiClient:
    """Delete for good: its tokens and secrets are erased, its row stays for the log and
    whatever names it (its name becomes free for a new client)."""
    client = await _live_client(env, api_client_id, lock=True)
    client.deleted_at = env.clock.now()
    await env.session.execute(delete(ApiClientToken).where(ApiClientToken.api_client_id == client.id))
    await env.session.execute(delete(ApiClientSecret).where(ApiClientSecret.api_client_id == client.id))
    env.note_audit("ApiClient", client.id, reason=client.client_id, region_code=client.region_code)
    return client


async def _live_client(env: Env, api_client_id: int, *, lock: bool = False) -> ApiClient:
    stmt = select(ApiClient).where(ApiClient.id == api_client_id, ApiClient.deleted_at.is_(None))
    client = await env.session.scalar(stmt.with_for_update() if lock else stmt)
    if client is None:
        raise RuleViolation(ErrorCode.NOT_FOUND, field="id")
    return client


async def _add_secret(env: Env, client: ApiClient) -> str:
    secret = new_client_secret()
    env.session.add(ApiClientSecret(api_client_id=client.id, secret_hash=token_digest(secret),
                                    created_at=env.clock.now()))
    await env.session.flush()
    return secret


def _networks(raw: list[str] | None) -> list[Network] | None:
    """The allow-list, or None (any address) when not given. An empty list is no address at
    all: a client that cannot be used, kept for an admin who means to block it."""
    if raw is None:
        return None
    if len(raw) > MAX_NETWORKS:
        raise RuleViolation(ErrorCode.NETWORK_FORMAT, f"最多 {MAX_NETWORKS} 个网段", "allowedNetworks")
    try:
        return normalize_networks(raw)
    except ValueError:
        raise RuleViolation(ErrorCode.NETWORK_FORMAT, field="allowedNetworks") from None


async def _flush_unique(env: Env) -> None:
    try:
        await env.session.flush()
    except IntegrityError as exc:
        if violated_constraint(exc) == "uq_api_client_live_name":
            raise _NAME_TAKEN from exc
        raise
