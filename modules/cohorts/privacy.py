"""Small-group privacy: an aggregate over fewer learners than the threshold is withheld."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")

MIN_GROUP_DEFAULT = 5
MIN_GROUP_FLOOR = 3


class ThresholdError(ValueError):
    """An anonymity threshold below the floor, or not a whole number."""


def check_threshold(value: int) -> int:
    """`value` when it is a valid anonymity threshold (a whole number, at least the floor)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ThresholdError(f"The smallest group shown must be a whole number, not {value!r}.")
    if value < MIN_GROUP_FLOOR:
        raise ThresholdError(
            f"The smallest group shown is at least {MIN_GROUP_FLOOR} learners, not {value}."
        )
    return value


def withheld(count: int, threshold: int) -> bool:
    """True when an aggregate over `count` learners must not be shown."""
    return count < check_threshold(threshold)


@dataclass(frozen=True)
class Guarded(Generic[T]):
    """An aggregate over `learners` people; `value` is None exactly when it is withheld."""

    learners: int
    threshold: int
    value: T | None

    @property
    def withheld(self) -> bool:
        return self.value is None

    @property
    def notice(self) -> str:
        """What to show instead of a withheld aggregate."""
        return f"Fewer than {self.threshold} learners: not shown" if self.withheld else ""


def guard(learners: int, threshold: int, build: Callable[[], T]) -> Guarded[T]:
    """The aggregate `build()` over `learners` people, computed only when it may be shown."""
    if withheld(learners, threshold):
        return Guarded(learners, threshold, None)
    return Guarded(learners, threshold, build())
