"""How sign-in is throttled: the policy, as pure decisions on counters and the time.

Two counters meet at every attempt (progress.auth_repo keeps them, locked while they are read):

- **One account from one client address** (guessing one person's password). After
  SLOW_AFTER failures each new attempt must come SLOW_DOWN after the last one; after
  LOCK_AFTER failures the pair is refused until FAILURE_WINDOW after the last one. The count
  starts again after FAILURE_WINDOW without an attempt, and after a successful sign-in. A
  stranger elsewhere cannot lock the owner out: his failures count against his own address.
- **One client address, any account** (trying a password on many accounts). Each failure
  fills a bucket that drains at one failure per CLIENT_SPACING; up to CLIENT_BURST fit without
  delay. Beyond that a password check waits its turn, one per CLIENT_SPACING, and is never
  locked out (a hospital's staff may share one NAT address); an attempt whose turn is more
  than MAX_WAIT away is told to come back then.

An attempt counts as a failure the moment it is let through, before the slow password check,
so concurrent guesses see each other; a successful sign-in takes its count back.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from progress.auth_repo import SignInCounters
from progress.tables.accounts import CLIENT_LENGTH

FAILURE_WINDOW = timedelta(minutes=15)  # a pair's failures are forgotten after this long
SLOW_AFTER = 5  # a pair's failures after which each attempt waits SLOW_DOWN after the last
SLOW_DOWN = timedelta(seconds=30)
LOCK_AFTER = 10  # a pair's failures after which it is refused for FAILURE_WINDOW
CLIENT_BURST = 10  # failures from one address (any accounts) that need no waiting
CLIENT_SPACING = timedelta(seconds=10)  # then one password check per this, per address
MAX_WAIT = timedelta(seconds=30)  # the longest an attempt is held waiting for its turn
IPV6_PREFIX = 64  # one IPv6 client is a /64 network: a host there has all of its addresses

NO_WAIT = timedelta(0)


class Refusal(Enum):
    LOCKED = "locked"  # the pair: LOCK_AFTER failures
    SLOWED = "slowed"  # the pair: too soon after the last failure
    BUSY = "busy"  # the address: its turn is further away than MAX_WAIT


@dataclass(frozen=True, slots=True)
class Admitted:
    """The attempt may check its password once `wait` has passed; store `counters` first."""

    failures: int  # the pair's failures should this attempt fail too
    wait: timedelta
    counters: SignInCounters


@dataclass(frozen=True, slots=True)
class Refused:
    reason: Refusal
    retry_at: datetime


def admit(counters: SignInCounters, moment: datetime) -> Admitted | Refused:
    """Let one attempt through (counted as a failure until it succeeds) or refuse it."""
    failures = current_failures(counters, moment)
    if failures and counters.last_at is not None:
        if failures >= LOCK_AFTER:
            return Refused(Refusal.LOCKED, counters.last_at + FAILURE_WINDOW)
        if failures >= SLOW_AFTER and counters.last_at + SLOW_DOWN > moment:
            return Refused(Refusal.SLOWED, counters.last_at + SLOW_DOWN)
    drained_at = max(counters.drained_at or moment, moment)
    wait = max(NO_WAIT, drained_at - moment - (CLIENT_BURST - 1) * CLIENT_SPACING)
    if wait > MAX_WAIT:
        return Refused(Refusal.BUSY, moment + wait)
    counted = SignInCounters(failures + 1, moment, drained_at + CLIENT_SPACING)
    return Admitted(failures + 1, wait, counted)


def succeeded(counters: SignInCounters) -> SignInCounters:
    """After a successful sign-in: the pair's failures forgotten, the address's one taken back."""
    drained_at = counters.drained_at - CLIENT_SPACING if counters.drained_at else None
    return SignInCounters(0, None, drained_at)


def current_failures(counters: SignInCounters, moment: datetime) -> int:
    """The pair's failures that still count at `moment` (none after a quiet FAILURE_WINDOW)."""
    if counters.last_at is None or counters.last_at + FAILURE_WINDOW <= moment:
        return 0
    return counters.failures


def client_key(address: str) -> str:
    """The address counted as one client: IPv4 as is, IPv6 as its /64, else the text given."""
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return address.strip()[:CLIENT_LENGTH]
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, IPV6_PREFIX), strict=False))
    return str(ip)
