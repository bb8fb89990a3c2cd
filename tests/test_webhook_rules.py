"""rules.webhooks: targets (SSRF), signatures a receiver can verify, and the retry schedule."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress

import pytest

from rules.webhooks import (
    REPLAY_WINDOW_SECONDS,
    TargetRefused,
    check_address,
    literal_address,
    retry_delay,
    sign,
    split_target,
    verify,
)

LOOPBACK = [ipaddress.ip_network("127.0.0.0/8")]


@pytest.mark.parametrize("url", [
    "ftp://hr.example.cn/x", "file:///etc/passwd", "https://user:pw@hr.example.cn/", "https:///nohost",
    "https://hr.example.cn/#frag", "https://hr.example.cn:99999/", "https://hr.example.cn/a b", "javascript:alert(1)",
    "https://hr.example.cn/" + "x" * 2000, "hr.example.cn/hook",
])
def test_malformed_targets(url):
    with pytest.raises(TargetRefused):
        split_target(url)


def test_split_target_defaults_the_port():
    assert split_target("https://hr.example.cn/hooks?a=1") == ("https", "hr.example.cn", 443)
    assert split_target("http://127.0.0.1:8081/in") == ("http", "127.0.0.1", 8081)
    assert split_target("https://[::1]/") == ("https", "::1", 443)


@pytest.mark.parametrize("address", [
    "127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "0.0.0.0", "::1", "fe80::1",
    "fc00::1", "224.0.0.1", "100.64.0.1", "::ffff:127.0.0.1", "::ffff:10.0.0.1",
])
def test_internal_addresses_are_refused_unless_allowed(address):
    ip = ipaddress.ip_address(address)
    with pytest.raises(TargetRefused):
        check_address("https", ip, [])
    check_address("http", ip, [ipaddress.ip_network("0.0.0.0/0"), ipaddress.ip_network("::/0")])  # the operator allowed it


def test_public_addresses_need_https():
    public = ipaddress.ip_address("202.102.128.68")
    check_address("https", public, [])
    with pytest.raises(TargetRefused):
        check_address("http", public, [])


def test_an_allowed_network_admits_http():
    check_address("http", ipaddress.ip_address("127.0.0.1"), LOOPBACK)
    with pytest.raises(TargetRefused):
        check_address("http", ipaddress.ip_address("10.0.0.1"), LOOPBACK)


def test_literal_address():
    assert literal_address("127.0.0.1") == ipaddress.ip_address("127.0.0.1")
    assert literal_address("hr.example.cn") is None


def test_signature_is_hmac_sha256_of_timestamp_dot_body():
    body = b'{"type":"DECLARATION_APPROVED"}'
    expected = hmac.new(b"whsec_abc", b"1767225600." + body, hashlib.sha256).hexdigest()
    assert sign("whsec_abc", 1767225600, body) == "sha256=" + expected


def test_verify_checks_body_secret_and_window():
    body, ts = b'{"a":1}', 1767225600
    header = sign("s3cret", ts, body)
    assert verify("s3cret", str(ts), body, header, now=ts + 10)
    assert not verify("s3cret", str(ts), body + b" ", header, now=ts)
    assert not verify("other", str(ts), body, header, now=ts)
    assert not verify("s3cret", str(ts + 1), body, header, now=ts)  # the timestamp is signed too
    assert not verify("s3cret", str(ts), body, header, now=ts + REPLAY_WINDOW_SECONDS + 1)
    assert not verify("s3cret", "yesterday", body, header, now=ts)


def test_retry_delay_doubles_to_a_cap_with_jitter():
    delays = [retry_delay(n, base=10, cap=3600, jitter=0.0) for n in range(1, 11)]
    assert delays[:4] == [10, 20, 40, 80]
    assert max(delays) == 3600
    assert retry_delay(3, base=10, cap=3600, jitter=0.999) == pytest.approx(40 * 1.4995)
    assert retry_delay(10_000, base=10, cap=3600, jitter=0.5) == 3600 * 1.25  # no overflow
