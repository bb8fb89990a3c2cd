"""Failed-login throttling, the client's address, and what a failed login leaves in the log.

Pure: the clock is passed in. Failures are counted under two keys per attempt — the
account tried (or, for a login that names no account, a keyed fingerprint of what was
typed, so an unknown login is throttled exactly like a known one) and the client's
address. The first `free_failures` cost nothing; from then on each failure blocks the key
for a delay that doubles with every further failure, up to `max_delay`. Attempts refused
while a key is blocked are not counted: they cannot push the block further, so a third
party can delay the owner by at most `max_delay` after its last counted failure, and the
address key (whose cap is higher) stops a single attacker well before that.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

__all__ = [
    "ThrottlePolicy",
    "ThrottleState",
    "account_key",
    "address_key",
    "after_failure",
    "client_address",
    "client_auth_key",
    "delay_after",
    "login_fingerprint",
    "unknown_login_key",
]


@dataclass(frozen=True)
class ThrottlePolicy:
    free_failures: int
    """Failures that cost nothing (the old lockout threshold, 5 by default)."""
    first_delay: timedelta
    """The block after failure number `free_failures`; it doubles with each further one."""
    max_delay: timedelta
    """The longest block one failure can set."""
    forget_after: timedelta
    """A key with no failure for this long starts again from zero."""


@dataclass(frozen=True)
class ThrottleState:
    failures: int = 0
    last_failure_at: datetime | None = None
    blocked_until: datetime | None = None

    def blocked_at(self, now: datetime) -> datetime | None:
        """When the block ends, if the key is blocked at `now`."""
        if self.blocked_until is not None and self.blocked_until > now:
            return self.blocked_until
        return None


def delay_after(failures: int, policy: ThrottlePolicy) -> timedelta:
    """The block that the `failures`-th consecutive failure sets: none before the
    threshold, then first_delay × 2^(failures − free_failures), at most max_delay."""
    over = failures - policy.free_failures
    if over < 0:
        return timedelta(0)
    # 2^40 × any positive delay is beyond every sane cap; the bound keeps the number small.
    return min(policy.max_delay, policy.first_delay * (2 ** min(over, 40)))


def after_failure(state: ThrottleState, policy: ThrottlePolicy, now: datetime) -> ThrottleState:
    """The key's state after one more counted failure at `now`."""
    failures = state.failures
    if state.last_failure_at is not None and now - state.last_failure_at >= policy.forget_after:
        failures = 0
    failures += 1
    delay = delay_after(failures, policy)
    return ThrottleState(failures=failures, last_failure_at=now,
                         blocked_until=now + delay if delay > timedelta(0) else None)


# --- keys ----------------------------------------------------------------------------


def account_key(account_id: int) -> str:
    return f"account:{account_id}"


def unknown_login_key(fingerprint: str) -> str:
    return f"login:{fingerprint}"


def address_key(address: str | None) -> str:
    # No address (a Unix socket, a test transport without one): all such callers share one key.
    return f"address:{address or '-'}"


def client_auth_key(address: str | None) -> str:
    """Failed API-client authentications (POST /oauth/token) of one address: counted apart
    from logins, so an HR system's retries never lock people out, nor people the system."""
    return f"oauth:{address or '-'}"


def login_fingerprint(key: bytes, typed: str) -> str:
    """What the log and the throttle keep of a login that names no account: a keyed hash.

    What was typed may be a password or someone's ID number. A plain hash would not hide
    an ID number (about 10^10 plausible ones: a GPU tries them in seconds), so the hash is
    an HMAC-SHA256 under a server key kept in the database and never served; 64 bits of it
    let equal typos be correlated, and the length tells an ID number (18) from a name."""
    digest = hmac.new(key, typed.strip().casefold().encode(), hashlib.sha256).hexdigest()
    return f"hmac:{digest[:16]}/{len(typed.strip())}"


def client_address(peer: str | None, forwarded_for: Iterable[str], trusted_proxies: Iterable[str]) -> str | None:
    """The address a request came from: the socket's peer, unless the peer is a proxy the
    settings name, in which case the nearest X-Forwarded-For hop that is not one.

    X-Forwarded-For is written by the client as much as by any proxy, so it is believed
    only as far back as the chain of trusted proxies goes: anything beyond that could be
    forged by the caller to spread its failures over invented addresses."""
    trusted = set(trusted_proxies)
    if peer is None or peer not in trusted:
        return peer
    hops = [h.strip() for header in forwarded_for for h in header.split(",") if h.strip()]
    for hop in reversed(hops):
        if hop in trusted:
            continue
        try:
            return str(ipaddress.ip_address(hop))
        except ValueError:
            return peer  # a malformed hop: fall back to the proxy itself
    return peer
