"""rules.throttle (failed-login delays, the client's address, login fingerprints) and the
ID-number mask's residue (rules.identity.mask_candidates): pure, the clock passed in."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from rules.identity import mask_candidates, mask_resident_id, resident_id_check_char
from rules.throttle import (
    ThrottlePolicy,
    ThrottleState,
    after_failure,
    client_address,
    delay_after,
    login_fingerprint,
)

T0 = datetime(2026, 3, 1, 1, 0, tzinfo=UTC)
POLICY = ThrottlePolicy(free_failures=5, first_delay=timedelta(seconds=30),
                        max_delay=timedelta(minutes=15), forget_after=timedelta(hours=24))


def test_the_first_failures_are_free_then_the_delay_doubles_up_to_the_cap() -> None:
    delays = [delay_after(n, POLICY).total_seconds() for n in range(1, 12)]
    assert delays == [0, 0, 0, 0, 30, 60, 120, 240, 480, 900, 900]
    assert delay_after(10**9, POLICY) == timedelta(minutes=15)  # no overflow however many


def test_a_failure_blocks_from_its_own_moment() -> None:
    state = ThrottleState()
    for i in range(5):
        state = after_failure(state, POLICY, T0 + timedelta(seconds=i))
    assert state.failures == 5
    assert state.blocked_until == T0 + timedelta(seconds=4 + 30)
    assert state.blocked_at(T0 + timedelta(seconds=33)) == state.blocked_until
    assert state.blocked_at(T0 + timedelta(seconds=34)) is None


def test_a_quiet_day_forgets_the_count() -> None:
    state = ThrottleState(failures=9, last_failure_at=T0, blocked_until=T0 + timedelta(minutes=8))
    assert after_failure(state, POLICY, T0 + timedelta(hours=23)).failures == 10
    fresh = after_failure(state, POLICY, T0 + timedelta(hours=24))
    assert fresh.failures == 1 and fresh.blocked_until is None


@pytest.mark.parametrize(
    ("peer", "forwarded", "trusted", "expected"),
    [
        ("10.1.1.1", [], [], "10.1.1.1"),
        # Not behind a trusted proxy: the header is the caller's own invention.
        ("10.1.1.1", ["203.0.113.9"], [], "10.1.1.1"),
        ("10.0.0.5", ["203.0.113.9"], ["10.0.0.5"], "203.0.113.9"),
        # The nearest hop that is not a trusted proxy; anything the client prepended is ignored.
        ("10.0.0.5", ["6.6.6.6, 203.0.113.9", "10.0.0.6"], ["10.0.0.5", "10.0.0.6"], "203.0.113.9"),
        ("10.0.0.5", ["not-an-address"], ["10.0.0.5"], "10.0.0.5"),
        (None, ["203.0.113.9"], [], None),
    ],
)
def test_client_address(peer, forwarded, trusted, expected) -> None:
    assert client_address(peer, forwarded, trusted) == expected


def test_a_login_fingerprint_correlates_without_revealing() -> None:
    key = b"k" * 32
    id_number = "370102198506150019"
    fingerprint = login_fingerprint(key, id_number)
    assert fingerprint.startswith("hmac:") and fingerprint.endswith("/18")
    assert id_number not in fingerprint and "19850615" not in fingerprint
    assert login_fingerprint(key, " Zhang_San ") == login_fingerprint(key, "zhang_san")
    assert login_fingerprint(b"x" * 32, id_number) != fingerprint  # keyed: no table of all IDs


def _id(birth: date, sequence: str = "019", region: str = "370102") -> str:
    first17 = f"{region}{birth:%Y%m%d}{sequence}"
    return first17 + resident_id_check_char(first17)


def test_the_mask_with_the_birth_year_leaves_about_33_candidates() -> None:
    counts = []
    day = date(1984, 1, 1)  # a leap year
    while day.year == 1984:
        number = _id(day)
        candidates = mask_candidates(mask_resident_id(number), 1984)
        assert number in candidates
        counts.append(len(candidates))
        day += timedelta(days=1)
    # Measured: 32 to 35 numbers for every birthday of the year, 33.2 on average.
    assert min(counts) >= 30 and 33 <= sum(counts) / len(counts) < 34


def test_mask_candidates_refuses_what_is_not_a_mask() -> None:
    with pytest.raises(ValueError):
        mask_candidates("370102198506150019", 1985)
