"""rules/scopes.py: the scope parameter, allow-lists and token kinds, without a database."""

from __future__ import annotations

import ipaddress

import pytest

from rules.scopes import (
    Scope,
    ScopeError,
    address_allowed,
    is_client_token,
    normalize_networks,
    parse_scope_param,
    scope_string,
)

GRANTED = {Scope.DECLARATIONS_READ, Scope.IDENTITY_READ}


def test_no_scope_parameter_means_every_granted_scope():
    assert parse_scope_param(None, GRANTED) == GRANTED
    assert parse_scope_param("  ", GRANTED) == GRANTED


def test_a_subset_is_granted_and_spaces_are_tolerated():
    assert parse_scope_param("identity:read", GRANTED) == {Scope.IDENTITY_READ}
    assert parse_scope_param("declarations:read  identity:read", GRANTED) == GRANTED


@pytest.mark.parametrize("raw", ["events:read", "declarations:read webhooks:manage", "DECLARATIONS:READ", "x" * 500])
def test_unknown_or_ungranted_scopes_are_refused(raw):
    with pytest.raises(ScopeError):
        parse_scope_param(raw, GRANTED)


def test_scope_string_is_sorted():
    assert scope_string([Scope.WEBHOOKS_MANAGE, Scope.DECLARATIONS_READ]) == "declarations:read webhooks:manage"


def test_networks_are_parsed_strictly():
    assert normalize_networks(["10.1.0.0/16", "192.168.1.7", "2001:db8::/32"]) == [
        ipaddress.ip_network("10.1.0.0/16"), ipaddress.ip_network("192.168.1.7/32"),
        ipaddress.ip_network("2001:db8::/32")]
    for bad in ("10.1.2.3/16", "10.1.2", "example.org", ""):
        with pytest.raises(ValueError):
            normalize_networks([bad])


def test_address_allowed():
    networks = normalize_networks(["10.1.0.0/16", "2001:db8::/32"])
    assert address_allowed("10.1.200.3", networks)
    assert address_allowed("::ffff:10.1.0.9", networks)  # an IPv4 peer on a dual-stack socket
    assert address_allowed("2001:db8::1", networks)
    assert not address_allowed("10.2.0.1", networks)
    assert not address_allowed(None, networks)
    assert not address_allowed("not-an-address", networks)
    assert not address_allowed("10.1.0.1", [])  # an empty list lets nobody in
    assert address_allowed(None, None)  # no list: from anywhere


def test_client_tokens_are_told_from_login_tokens_by_prefix_and_length():
    assert is_client_token("zct_" + "a" * 43)
    assert not is_client_token("zct_" + "a" * 39)  # a login token (43 characters) that happens to start so
    assert not is_client_token("a" * 43)
