"""A cohort's settings, validated, and the calendar facts that follow from its time zone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from modules.cohorts.privacy import MIN_GROUP_DEFAULT, check_threshold

NAME_MAX = 120
INACTIVE_DAYS_DEFAULT = 14
INACTIVE_DAYS_MAX = 365


class CohortError(ValueError):
    """A cohort setting or input that breaks a cohort rule; the message is for a facilitator."""


@dataclass(frozen=True)
class CohortSettings:
    """What reports need to know about a cohort; invalid values raise CohortError."""

    name: str
    time_zone: str
    inactive_after_days: int = INACTIVE_DAYS_DEFAULT
    min_group: int = MIN_GROUP_DEFAULT

    def __post_init__(self) -> None:
        check_name(self.name)
        zone(self.time_zone)
        check_inactive_days(self.inactive_after_days)
        check_threshold(self.min_group)

    @property
    def zone(self) -> ZoneInfo:
        return zone(self.time_zone)

    def local_date(self, moment: datetime) -> date:
        """The calendar date of `moment` in the cohort's time zone (naive means UTC)."""
        return as_utc(moment).astimezone(self.zone).date()


def check_name(name: str) -> str:
    cleaned = " ".join(name.split())
    if not cleaned:
        raise CohortError("A cohort needs a name.")
    if len(cleaned) > NAME_MAX:
        raise CohortError(f"A cohort name has at most {NAME_MAX} characters.")
    return cleaned


def zone(time_zone: str) -> ZoneInfo:
    """The IANA time zone named `time_zone`, such as 'Europe/London'."""
    try:
        return ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise CohortError(f"'{time_zone}' is not a known time zone.") from error


def check_inactive_days(days: int) -> int:
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= INACTIVE_DAYS_MAX:
        raise CohortError(
            f"Inactive after must be a whole number of days from 1 to {INACTIVE_DAYS_MAX}."
        )
    return days


def as_utc(moment: datetime) -> datetime:
    """`moment` as an aware datetime; a naive one is taken to be UTC (as SQLite returns it)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
