"""What an API client (a provincial HR system, 人事/证书/社保系统) may do: its scopes, and the
checks of the token grant that need no database (the `scope` parameter, the source address).

Pure: no I/O. Scopes are few on purpose (an integrator should read the list once and know
which to ask for); a client is registered with some of them and each token carries a subset.
"""

from __future__ import annotations

import enum
import ipaddress
from collections.abc import Iterable

__all__ = ["CLIENT_TOKEN_PREFIX", "SCOPE_DESCRIPTIONS", "Scope", "ScopeError", "address_allowed",
           "is_client_token", "normalize_networks", "parse_scope_param", "scope_string"]

#: Client access tokens start with this, so a request's token is looked up in one table
#: only (login tokens are 43 URL-safe characters without it; see `is_client_token`).
CLIENT_TOKEN_PREFIX = "zct_"


class Scope(str, enum.Enum):
    """OAuth scopes (RFC 6749 §3.3), as the `scope` parameter spells them."""

    DECLARATIONS_READ = "declarations:read"
    IDENTITY_READ = "identity:read"
    EVENTS_READ = "events:read"
    WEBHOOKS_MANAGE = "webhooks:manage"


SCOPE_DESCRIPTIONS: dict[Scope, str] = {
    Scope.DECLARATIONS_READ: "读取本地区的申报及评审结果（身份证号遮蔽）",
    Scope.IDENTITY_READ: "读取完整身份证号（每次读取均记入操作日志）",
    Scope.EVENTS_READ: "读取变更事件流、接收事件通知",
    Scope.WEBHOOKS_MANAGE: "管理本客户端的 Webhook 订阅",
}


class ScopeError(ValueError):
    """A `scope` parameter that names an unknown scope or one the client was not granted."""


def parse_scope_param(raw: str | None, granted: Iterable[Scope]) -> frozenset[Scope]:
    """The scopes a token request asks for: the space-separated `scope` parameter (§3.3), each
    one granted to the client; absent or blank, all the client's scopes (§3.3 lets the server
    choose a documented default)."""
    granted_set = frozenset(granted)
    if raw is None or not raw.strip(" "):
        return granted_set
    wanted: set[Scope] = set()
    for token in raw.split(" "):
        if not token:
            continue  # RFC 6749 §3.3 says one space; tolerate doubled ones
        try:
            scope = Scope(token)
        except ValueError:
            raise ScopeError(f"未知的权限范围 {token[:40]!r}") from None
        if scope not in granted_set:
            raise ScopeError(f"客户端未被授予权限范围 {scope.value}")
        wanted.add(scope)
    return frozenset(wanted)


def scope_string(scopes: Iterable[Scope]) -> str:
    """The `scope` of a token response: space-separated, in a stable order."""
    return " ".join(sorted(s.value for s in scopes))


Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def normalize_networks(raw: Iterable[str]) -> list[Network]:
    """An allow-list as typed by the admin (`10.1.2.0/24`, `2001:db8::/32`, a bare address):
    parsed strictly, so `10.1.2.3/24` (host bits set) is refused rather than widened."""
    return [ipaddress.ip_network(item.strip(), strict=True) for item in raw]


def address_allowed(address: str | None, networks: Iterable[Network] | None) -> bool:
    """Whether a request from `address` may use the client. No list (None): from anywhere;
    a list: only from inside one of its networks, and never from an unknown address."""
    if networks is None:
        return True
    if address is None:
        return False
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped  # ::ffff:10.0.0.1 on a dual-stack socket is 10.0.0.1
    return any(ip.version == net.version and ip in net for net in networks)


def is_client_token(token: str) -> bool:
    """A client access token (CLIENT_TOKEN_PREFIX + 43 characters) as opposed to a login one."""
    return token.startswith(CLIENT_TOKEN_PREFIX) and len(token) == len(CLIENT_TOKEN_PREFIX) + 43
