"""The sign-in throttling policy as pure decisions: counters and a moment in, a verdict out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from modules.services.throttle import (
    CLIENT_BURST,
    CLIENT_SPACING,
    FAILURE_WINDOW,
    LOCK_AFTER,
    MAX_WAIT,
    NO_WAIT,
    SLOW_AFTER,
    SLOW_DOWN,
    Admitted,
    Refusal,
    Refused,
    admit,
    client_key,
    succeeded,
)
from progress.auth_repo import SignInCounters

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
SECOND = timedelta(seconds=1)
EMPTY = SignInCounters(0, None, None)


def pair(failures: int, ago: timedelta) -> SignInCounters:
    """An account's failures from one address, the last `ago`; the address's bucket empty."""
    return SignInCounters(failures, NOW - ago, None)


def bucket(failures: int) -> SignInCounters:
    """An address that has just failed `failures` times (on other accounts)."""
    return SignInCounters(0, None, NOW + failures * CLIENT_SPACING)


@pytest.mark.parametrize(
    ("counters", "verdict"),
    [
        (EMPTY, 1),
        (pair(SLOW_AFTER - 1, SECOND), SLOW_AFTER),
        (pair(SLOW_AFTER, SECOND), Refused(Refusal.SLOWED, NOW - SECOND + SLOW_DOWN)),
        (pair(SLOW_AFTER, SLOW_DOWN), SLOW_AFTER + 1),
        (pair(LOCK_AFTER - 1, SLOW_DOWN), LOCK_AFTER),
        (pair(LOCK_AFTER, SLOW_DOWN), Refused(Refusal.LOCKED, NOW - SLOW_DOWN + FAILURE_WINDOW)),
        (pair(LOCK_AFTER, FAILURE_WINDOW - SECOND), Refused(Refusal.LOCKED, NOW + SECOND)),
        (pair(LOCK_AFTER, FAILURE_WINDOW), 1),
        (pair(50, FAILURE_WINDOW * 2), 1),
    ],
    ids=[
        "first",
        "fifth",
        "sixth-too-soon",
        "sixth-after-the-pause",
        "tenth",
        "eleventh-locked",
        "locked-until-fifteen-minutes-after-the-last",
        "lock-over",
        "long-quiet",
    ],
)
def test_an_account_from_one_address_is_slowed_after_five_and_locked_after_ten(
    counters: SignInCounters, verdict: int | Refused
) -> None:
    """`verdict`: the failure number the attempt is let through as, or the refusal."""
    decision = admit(counters, NOW)
    if isinstance(verdict, Refused):
        assert decision == verdict
    else:
        assert isinstance(decision, Admitted)
        assert (decision.failures, decision.wait) == (verdict, NO_WAIT)
        assert (decision.counters.failures, decision.counters.last_at) == (verdict, NOW)


@pytest.mark.parametrize(
    ("failures", "wait"),
    [
        (0, NO_WAIT),
        (CLIENT_BURST - 1, NO_WAIT),
        (CLIENT_BURST, CLIENT_SPACING),
        (CLIENT_BURST + 1, 2 * CLIENT_SPACING),
        (CLIENT_BURST + 2, MAX_WAIT),
    ],
)
def test_an_address_failing_on_many_accounts_waits_its_turn(failures: int, wait: timedelta) -> None:
    decision = admit(bucket(failures), NOW)
    assert isinstance(decision, Admitted)
    assert decision.wait == wait
    assert decision.counters.drained_at == NOW + (failures + 1) * CLIENT_SPACING


def test_an_address_whose_turn_is_further_than_the_longest_wait_is_told_when_to_come_back() -> None:
    decision = admit(bucket(CLIENT_BURST + 3), NOW)
    assert decision == Refused(Refusal.BUSY, NOW + MAX_WAIT + CLIENT_SPACING)


def test_the_address_bucket_drains_with_time() -> None:
    full = bucket(CLIENT_BURST + 2)
    later = admit(full, NOW + 3 * CLIENT_SPACING)
    assert isinstance(later, Admitted) and later.wait == NO_WAIT


def test_a_success_forgets_the_pair_and_takes_its_own_count_back_from_the_address() -> None:
    decision = admit(bucket(3), NOW)
    assert isinstance(decision, Admitted)
    assert succeeded(decision.counters) == SignInCounters(0, None, bucket(3).drained_at)


@pytest.mark.parametrize(
    ("address", "key"),
    [
        ("192.0.2.1", "192.0.2.1"),
        (" 192.0.2.1 ", "192.0.2.1"),
        ("::ffff:192.0.2.1", "192.0.2.1"),
        ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"),
        ("2001:db8:1:2::99", "2001:db8:1:2::/64"),
        ("::1", "::/64"),
        ("testclient", "testclient"),
        ("", ""),
        ("x" * 100, "x" * 64),
    ],
)
def test_one_client_is_an_ipv4_address_or_an_ipv6_64_network(address: str, key: str) -> None:
    assert client_key(address) == key
