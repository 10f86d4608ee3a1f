"""Sign-in throttling on a real database: per account and address, per address, atomic.

The password checks that happen are counted by wrapping verify_password, never by timing;
waits are recorded by a stand-in for time.sleep that moves a test clock instead.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

import pytest
from argon2 import PasswordHasher, Type
from sqlalchemy import Engine

from modules.services import accounts
from modules.services.accounts import AccountProblem, TooManyAttempts, WrongCredentials
from modules.services.runtime import Runtime
from modules.services.throttle import (
    CLIENT_BURST,
    CLIENT_SPACING,
    LOCK_AFTER,
    MAX_WAIT,
    SLOW_AFTER,
)
from modules.settings import Settings
from progress import auth_repo, passwords
from progress.database import session_factory

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
PASSWORD = "correct horse battery"
WRONG = "not the password at all"
OWNER = "owner@example.org"
STRANGER = "203.0.113.66"  # address A
OWNER_ADDRESS = "198.51.100.7"  # address B
HOSPITAL_NAT = "192.0.2.10"
BURST = 30


@pytest.fixture
def rt(engine: Engine, database_url: str, tmp_path: Path) -> Runtime:
    settings = Settings(database_url=database_url, content_dir=tmp_path)
    return Runtime(settings, engine, session_factory(engine))


@pytest.fixture
def quick_hashing(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Argon2id at its cheapest, for tests that sign many people up and in (not the bursts)."""
    monkeypatch.setattr(passwords, "_hasher", PasswordHasher(1, 1024, 1, type=Type.ID))
    passwords._decoy_hash.cache_clear()
    yield
    passwords._decoy_hash.cache_clear()


@pytest.fixture
def checks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The passwords of the checks sign_in makes (appended from whichever thread makes one)."""
    made: list[str] = []
    real = accounts.verify_password

    def counted(password_hash: str | None, password: str) -> bool:
        made.append(password)  # list.append is atomic: safe from many threads
        return real(password_hash, password)

    monkeypatch.setattr(accounts, "verify_password", counted)
    return made


class Clock:
    """The time sign_in is told, moved on by the waits it asks for (recorded, not slept)."""

    def __init__(self) -> None:
        self.now = NOW
        self.waits: list[float] = []

    def wait(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.now += timedelta(seconds=seconds)


def no_wait(seconds: float) -> None:
    raise AssertionError(f"asked to wait {seconds} s")


def attempt(
    rt: Runtime,
    email: str,
    password: str,
    client: str,
    at: datetime = NOW,
    wait: Callable[[float], None] = no_wait,
) -> type[AccountProblem] | None:
    """The kind of refusal, or None when signed in."""
    try:
        accounts.sign_in(rt, email, password, now=at, client=client, wait=wait)
    except AccountProblem as problem:
        return type(problem)
    return None


def burst(calls: list[Callable[[], type[AccountProblem] | None]]) -> list[object]:
    """Run every call at once, from its own thread; their answers in no particular order."""
    start = threading.Barrier(len(calls))
    answers: list[object] = []

    def run(call: Callable[[], type[AccountProblem] | None]) -> None:
        start.wait()
        try:
            answers.append(call())
        except BaseException as error:  # noqa: BLE001 - shown by the assertion on answers
            answers.append(error)

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


@pytest.fixture
def owner(rt: Runtime) -> Iterator[str]:
    accounts.sign_up(rt, OWNER, "Owner", PASSWORD, now=NOW - timedelta(days=1))
    yield OWNER


def test_a_burst_of_guesses_reaches_the_password_check_only_as_often_as_the_policy_says(
    rt: Runtime, owner: str, checks: list[str]
) -> None:
    answers = burst([lambda: attempt(rt, owner, WRONG, STRANGER) for _ in range(BURST)])
    assert len(checks) == SLOW_AFTER  # was 14 to 30 of 30, against a limit of 10
    assert sorted(map(str, answers)) == sorted(
        [str(WrongCredentials)] * (SLOW_AFTER - 1)
        + [str(TooManyAttempts)] * (BURST - SLOW_AFTER + 1)
    )
    with rt.sessions.begin() as session:
        assert auth_repo.sign_in_counters(session, owner, STRANGER).failures == SLOW_AFTER


def test_a_burst_at_many_accounts_from_one_address_queues_for_its_turns(
    rt: Runtime, checks: list[str]
) -> None:
    clock = Clock()
    emails = [f"person{n}@example.org" for n in range(BURST)]
    answers = burst([partial(attempt, rt, e, WRONG, HOSPITAL_NAT, wait=clock.wait) for e in emails])
    let_through = CLIENT_BURST + int(MAX_WAIT / CLIENT_SPACING)
    assert len(checks) == let_through
    assert answers.count(WrongCredentials) == let_through
    assert answers.count(TooManyAttempts) == BURST - let_through
    spacing = CLIENT_SPACING.total_seconds()
    assert sorted(clock.waits) == [spacing * n for n in range(1, let_through - CLIENT_BURST + 1)]


def test_fifty_failures_from_one_address_never_stop_the_owner_from_another(
    rt: Runtime, owner: str, checks: list[str]
) -> None:
    moments = [NOW + timedelta(seconds=n / 2) for n in range(50)]  # all within SLOW_DOWN
    answers = [attempt(rt, owner, WRONG, STRANGER, at) for at in moments]
    assert answers.count(TooManyAttempts) == 50 - SLOW_AFTER + 1
    assert len(checks) == SLOW_AFTER <= LOCK_AFTER
    assert attempt(rt, owner, PASSWORD, OWNER_ADDRESS, moments[-1]) is None
    # ... while the stranger's address stays refused, even with the right password.
    assert attempt(rt, owner, PASSWORD, STRANGER, moments[-1]) is TooManyAttempts


def test_the_owner_signs_in_from_elsewhere_while_a_stranger_is_locked_out(
    rt: Runtime, owner: str
) -> None:
    moments = [NOW + timedelta(seconds=31 * n) for n in range(LOCK_AFTER + 1)]
    answers = [attempt(rt, owner, WRONG, STRANGER, at) for at in moments]
    assert answers[-1] is TooManyAttempts
    with pytest.raises(TooManyAttempts, match="locked"):
        accounts.sign_in(rt, owner, PASSWORD, now=moments[-1], client=STRANGER, wait=no_wait)
    assert attempt(rt, owner, PASSWORD, OWNER_ADDRESS, moments[-1]) is None


def test_one_address_trying_many_accounts_is_slowed_but_never_refused(
    rt: Runtime, quick_hashing: None, checks: list[str]
) -> None:
    clock = Clock()
    tried = 3 * CLIENT_BURST
    for n in range(tried):
        answer = attempt(rt, f"person{n}@example.org", WRONG, HOSPITAL_NAT, clock.now, clock.wait)
        assert answer is WrongCredentials, f"attempt {n + 1}"
        clock.now += timedelta(seconds=1)  # the client's own pace: one a second
    assert len(checks) == tried
    # The first CLIENT_BURST + 1 pass at once; then one password check per CLIENT_SPACING.
    spacing = (CLIENT_SPACING - timedelta(seconds=1)).total_seconds()
    assert clock.waits == [spacing] * (tried - CLIENT_BURST - 1)


def test_the_same_accounts_are_not_slowed_from_another_address(
    rt: Runtime, quick_hashing: None, owner: str
) -> None:
    clock = Clock()
    for n in range(3 * CLIENT_BURST):
        attempt(rt, f"person{n}@example.org", WRONG, HOSPITAL_NAT, clock.now, clock.wait)
    assert clock.waits, "the address was not slowed"
    assert attempt(rt, owner, PASSWORD, OWNER_ADDRESS, clock.now) is None


@pytest.fixture
def colleagues(rt: Runtime, quick_hashing: None) -> list[str]:
    """Staff who share the hospital's one NAT address."""
    emails = [f"nurse{n}@example.org" for n in range(2 * CLIENT_BURST)]
    for email in emails:
        accounts.sign_up(rt, email, "Nurse", PASSWORD, now=NOW - timedelta(days=1))
    return emails


def test_colleagues_behind_one_address_who_sign_in_are_never_slowed(
    rt: Runtime, colleagues: list[str]
) -> None:
    assert [attempt(rt, email, PASSWORD, HOSPITAL_NAT) for email in colleagues] == [None] * len(
        colleagues
    )


def test_colleagues_who_mistype_now_and_then_are_never_slowed(
    rt: Runtime, colleagues: list[str]
) -> None:
    for n, email in enumerate(colleagues):  # one typo per CLIENT_SPACING, then the password
        at = NOW + n * CLIENT_SPACING
        assert attempt(rt, email, WRONG, HOSPITAL_NAT, at) is WrongCredentials
        assert attempt(rt, email, PASSWORD, HOSPITAL_NAT, at + timedelta(seconds=1)) is None
    with rt.sessions.begin() as session:
        assert auth_repo.sign_in_counters(session, colleagues[-1], HOSPITAL_NAT).failures == 0


def test_a_success_forgets_the_failures_from_that_address_only(rt: Runtime, owner: str) -> None:
    for address in (STRANGER, OWNER_ADDRESS):
        for n in range(SLOW_AFTER - 1):
            attempt(rt, owner, WRONG, address, NOW + timedelta(seconds=n))
    assert attempt(rt, owner, PASSWORD, OWNER_ADDRESS, NOW + timedelta(seconds=9)) is None
    with rt.sessions.begin() as session:
        assert auth_repo.sign_in_counters(session, owner, OWNER_ADDRESS).failures == 0
        assert auth_repo.sign_in_counters(session, owner, STRANGER).failures == SLOW_AFTER - 1
