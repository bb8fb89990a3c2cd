"""Webhooks: where they may point, how a delivery is signed, and when a failed one is retried.

Targets (SSRF). The server posts to URLs its clients choose, from inside the province's
network, so a URL must not reach what the client itself cannot: a public address over
HTTPS, or an address inside a network the operator listed (`ZHICHENG_WEBHOOK_ALLOWED_NETWORKS`,
e.g. the HR systems' intranet, where plain HTTP is then accepted too). Loopback, private,
link-local (cloud metadata at 169.254.169.254), multicast and reserved addresses are refused
otherwise. A host name is checked on every address it resolves to, at creation and again
before each delivery (a name may be re-pointed); redirects are never followed.

Signatures. `X-Zhicheng-Signature: sha256=HEX(HMAC-SHA256(secret, timestamp + "." + body))`
with `X-Zhicheng-Timestamp` (Unix seconds, renewed on every attempt): a receiver recomputes
it over the raw body and refuses a timestamp older than its replay window (`verify`).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
from collections.abc import Sequence
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

MAX_URL_LENGTH = 2000
#: What a receiver should accept as recent (README): five minutes either way.
REPLAY_WINDOW_SECONDS = 300
SIGNATURE_PREFIX = "sha256="


class TargetRefused(ValueError):
    """Why a webhook URL (or one of its addresses) may not be a target, in Chinese."""


def split_target(url: str) -> tuple[str, str, int]:
    """(scheme, host, port) of a webhook URL, or TargetRefused for anything but plain
    http(s)://host[:port]/path?query without credentials or fragment."""
    if len(url) > MAX_URL_LENGTH or any(c.isspace() or ord(c) < 32 for c in url):
        raise TargetRefused("URL 过长或含空白、控制字符")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise TargetRefused("URL 格式不正确") from None
    if parts.scheme not in ("https", "http"):
        raise TargetRefused("URL 须以 https:// 开头")
    if not parts.hostname or parts.username is not None or parts.password is not None or parts.fragment:
        raise TargetRefused("URL 须含主机名，且不得含用户名、密码或 # 片段")
    return parts.scheme, parts.hostname, port or (443 if parts.scheme == "https" else 80)


def check_address(scheme: str, address: IPAddress, allowed: Sequence[IPNetwork]) -> None:
    """An address of the target: inside an allowed network (any scheme), or public over HTTPS."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped  # ::ffff:127.0.0.1 is 127.0.0.1
    if any(address in network for network in allowed):
        return
    if not address.is_global or address.is_multicast:
        raise TargetRefused(f"不能向内网、本机或保留地址（{address}）发送；如为政务内网，请由运维人员列入允许的网段")
    if scheme != "https":
        raise TargetRefused("公网地址须使用 https://")


def literal_address(host: str) -> IPAddress | None:
    """The host as an IP address when it is one (`[::1]` arrives as `::1`)."""
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The X-Zhicheng-Signature header's value."""
    message = str(timestamp).encode() + b"." + body
    return SIGNATURE_PREFIX + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def verify(secret: str, timestamp_header: str, body: bytes, signature_header: str, *, now: float,
           window: int = REPLAY_WINDOW_SECONDS) -> bool:
    """What a receiver does: the signature fits the raw body and the timestamp is recent."""
    try:
        timestamp = int(timestamp_header)
    except ValueError:
        return False
    if abs(now - timestamp) > window:
        return False
    return hmac.compare_digest(sign(secret, timestamp, body), signature_header)


def retry_delay(attempt: int, *, base: float, cap: float, jitter: float) -> float:
    """Seconds before attempt `attempt + 1` after `attempt` failed: base × 2^(attempt−1), at
    most `cap`, stretched by up to half again by `jitter` ∈ [0, 1) so that deliveries that
    failed together (a receiver down) do not all come back at the same instant."""
    exponent = min(max(attempt - 1, 0), 62)
    return min(base * 2.0**exponent, cap) * (1.0 + 0.5 * jitter)
