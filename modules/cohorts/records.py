"""Plain inputs to the reports, field for field like the storage rows (progress/report_repo.py).

Timestamps are aware UTC (naive ones are read as UTC). Reflections have no record here:
no report can receive their text.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from modules.course.check_ins import OUTCOMES as OUTCOMES
from modules.course.check_ins import Outcome as Outcome


@dataclass(frozen=True)
class Member:
    """An active member of the cohort."""

    user_id: int
    email: str
    display_name: str
    joined_at: datetime


@dataclass(frozen=True)
class Assignment:
    """A module assigned to the cohort, due by the end of `due_date` in the cohort's time zone."""

    module_id: str
    due_date: date


@dataclass(frozen=True)
class ModuleProgress:
    """One learner's progress in one module, as storage's ModuleStatusRow."""

    user_id: int
    module_id: str
    started_at: datetime | None
    completed_steps: int  # completed steps among the module's required ones
    last_completed_at: datetime | None


@dataclass(frozen=True)
class SelfAssessmentMean:
    """Mean answers to one statement over the learners who answered it before and after."""

    item_id: str
    learners: int
    before: float
    after: float


@dataclass(frozen=True)
class RetrospectiveMean:
    """Mean ratings of one statement over the learners who rated it before, then and after.

    "Then" is rated at the end, looking back to before the course (a retrospective survey).
    """

    item_id: str
    learners: int
    before: float
    then: float
    after: float


@dataclass(frozen=True)
class FirstChoiceCount:
    """How many learners took `choice_id` at a node in their first attempt of a scenario.

    Each learner counts once per node (their first choice there), so the counts at a node sum
    to the learners who reached it.
    """

    step_id: str
    node_id: str
    choice_id: str
    learners: int


@dataclass(frozen=True)
class FirstQuizAnswerCount:
    """How many learners selected exactly `selected` for a question in their first attempt."""

    step_id: str
    question_id: str
    selected: tuple[str, ...]
    learners: int


@dataclass(frozen=True)
class Basis:
    """What an anonymous figure is over: the learners in it, and when it last changed.

    Figures change only in steps of at least the smallest group shown (progress.tally_repo), so
    comparing two views never isolates one learner. `as_of` is None while nothing is shown.
    """

    learners: int
    as_of: datetime | None


NO_BASIS = Basis(0, None)
