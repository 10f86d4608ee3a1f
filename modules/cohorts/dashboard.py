"""The cohort dashboard: who is where in which module, who is overdue or quiet, and the trend."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Protocol

from modules.cohorts.cohort import CohortSettings, as_utc
from modules.cohorts.privacy import Guarded, guard
from modules.cohorts.records import (
    NO_BASIS,
    Assignment,
    Basis,
    Member,
    RetrospectiveMean,
    SelfAssessmentMean,
)
from modules.course import completion
from modules.course.models import CourseContent, Module, Survey


class ModuleProgressFields(Protocol):
    """records.ModuleProgress, or any row with its fields (storage's, passed on as it comes):
    a dashboard reads one per learner and module, so none is copied into another object."""

    @property
    def user_id(self) -> int: ...
    @property
    def module_id(self) -> str: ...
    @property
    def started_at(self) -> datetime | None: ...
    @property
    def completed_steps(self) -> int: ...
    @property
    def last_completed_at(self) -> datetime | None: ...


class Status(StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


@dataclass(frozen=True)
class ModuleColumn:
    """A listed module, its due date for this cohort if assigned, and how far the cohort is."""

    module_id: str
    title: str
    minutes: int
    due_date: date | None
    completed: int
    in_progress: int


@dataclass(frozen=True)
class ModuleCell:
    module_id: str
    status: Status
    started_at: datetime | None
    completed_at: datetime | None
    overdue: bool  # assigned, past its due date in the cohort's time zone, not completed


@dataclass(frozen=True)
class LearnerRow:
    user_id: int
    name: str
    email: str
    cells: tuple[ModuleCell, ...]  # in the order of Dashboard.modules
    last_activity: datetime | None
    inactive: bool  # no activity (or, with none, no joining) for the cohort's inactive days

    @property
    def overdue(self) -> tuple[ModuleCell, ...]:
        return tuple(c for c in self.cells if c.overdue)


@dataclass(frozen=True)
class WeekCount:
    """Modules completed in one ISO week (Monday `starts`), and all completed by its end."""

    week: str  # "2025-W07"
    starts: date
    completed: int
    cumulative: int


@dataclass(frozen=True)
class MeanChange:
    before: float
    after: float
    then: float | None = None  # looking back, at the end, to before the course

    @property
    def change(self) -> float:
        return self.after - self.before


@dataclass(frozen=True)
class StatementChange:
    """One self-assessment statement: the mean before and after, over those who answered both.

    `looking_back` holds the before, then and after means over those who rated all three (a
    retrospective survey): a figure of its own, withheld and moving like the other.
    """

    item_id: str
    text: str
    means: Guarded[MeanChange]
    looking_back: Guarded[MeanChange] | None = None  # None: the survey asks no "then" rating


@dataclass(frozen=True)
class CohortTotals:
    learners: int
    modules: int
    completed: int  # (learner, module) pairs completed
    in_progress: int
    finished_course: int  # learners who completed every listed module
    overdue_learners: int
    inactive_learners: int

    @property
    def completion_share(self) -> float:
        cells = self.learners * self.modules
        return self.completed / cells if cells else 0.0


@dataclass(frozen=True)
class Dashboard:
    cohort_name: str
    course_title: str
    today: date  # in the cohort's time zone
    threshold: int
    modules: tuple[ModuleColumn, ...]
    learners: tuple[LearnerRow, ...]  # by name
    completions: tuple[WeekCount, ...]  # from the first completion's week to this week
    self_assessment: tuple[StatementChange, ...]
    totals: CohortTotals
    self_assessment_basis: Basis = NO_BASIS  # an anonymous figure: see records.Basis
    retrospective_basis: Basis = NO_BASIS  # the before, then and after figure's

    @property
    def retrospective(self) -> bool:
        """Whether the self-assessment asks "then" ratings, looking back."""
        return any(s.looking_back is not None for s in self.self_assessment)


def build_dashboard(
    cohort: CohortSettings,
    content: CourseContent,
    *,
    members: Sequence[Member],
    progress: Iterable[ModuleProgressFields],
    assignments: Sequence[Assignment],
    last_activity: Mapping[int, datetime],
    self_assessment: Sequence[SelfAssessmentMean],
    now: datetime,
    self_assessment_basis: Basis = NO_BASIS,
    retrospective: Sequence[RetrospectiveMean] = (),
    retrospective_basis: Basis = NO_BASIS,
) -> Dashboard:
    """The dashboard for `members` (active ones, no preview rows) at `now`."""
    due = {a.module_id: a.due_date for a in assignments}
    today = cohort.local_date(now)
    columns = [_Column(module, due.get(module.id), today) for module in content.listed_modules]
    found: dict[int, dict[str, ModuleProgressFields]] = {}
    for record in progress:
        found.setdefault(record.user_id, {})[record.module_id] = record
    quiet_since = as_utc(now) - timedelta(days=cohort.inactive_after_days)
    nothing: dict[str, ModuleProgressFields] = {}
    learners = tuple(
        _learner(
            m, columns, found.get(m.user_id, nothing), last_activity.get(m.user_id), quiet_since
        )
        for m in sorted(members, key=lambda m: (m.display_name.casefold(), m.email))
    )
    statuses = Counter((c.module_id, c.status) for r in learners for c in r.cells)
    return Dashboard(
        cohort_name=cohort.name,
        course_title=content.course.title,
        today=today,
        threshold=cohort.min_group,
        modules=tuple(column.summary(statuses) for column in columns),
        learners=learners,
        completions=_completions(cohort, learners, today),
        self_assessment=_statements(content, self_assessment, retrospective, cohort.min_group),
        totals=_totals(learners, len(columns), statuses),
        self_assessment_basis=self_assessment_basis,
        retrospective_basis=retrospective_basis,
    )


def required_steps(content: CourseContent) -> dict[str, frozenset[str]]:
    """Each listed module's required step ids: what storage counts `completed_steps` over."""
    return {m.id: completion.required_steps(m) for m in content.listed_modules}


def status_of(module: Module, progress: ModuleProgressFields | None) -> Status:
    """Completed by the domain's one rule; otherwise started when any step has a record."""
    if completion.complete_with(module, progress.completed_steps if progress else 0):
        return Status.COMPLETED
    return Status.NOT_STARTED if progress is None else Status.IN_PROGRESS


class _Column:
    """What one module's cells share: its due date, the status rule's answers, the empty cell.

    Built once per dashboard, so that no learner's row repeats the module's work.
    """

    def __init__(self, module: Module, due: date | None, today: date) -> None:
        self.module = module
        self.due = due
        self.late = due is not None and today > due
        self._statuses: dict[int, Status] = {}  # completed steps -> status, by status_of
        status = status_of(module, None)
        # Every learner who has not started the module has this same cell: it is shared.
        self.untouched = ModuleCell(
            module.id, status, None, None, self.late and status is not Status.COMPLETED
        )

    def cell(self, progress: ModuleProgressFields | None) -> ModuleCell:
        if progress is None:
            return self.untouched
        status = self._statuses.get(progress.completed_steps)
        if status is None:
            status = self._statuses[progress.completed_steps] = status_of(self.module, progress)
        done = status is Status.COMPLETED
        return ModuleCell(
            module_id=self.module.id,
            status=status,
            started_at=progress.started_at,
            completed_at=progress.last_completed_at if done else None,
            overdue=self.late and not done,
        )

    def summary(self, statuses: Mapping[tuple[str, Status], int]) -> ModuleColumn:
        module = self.module
        return ModuleColumn(
            module.id,
            module.title,
            module.minutes,
            self.due,
            statuses.get((module.id, Status.COMPLETED), 0),
            statuses.get((module.id, Status.IN_PROGRESS), 0),
        )


def _learner(
    member: Member,
    columns: Sequence[_Column],
    found: Mapping[str, ModuleProgressFields],
    last: datetime | None,
    quiet_since: datetime,
) -> LearnerRow:
    cells = tuple(column.cell(found.get(column.module.id)) for column in columns)
    inactive = as_utc(last if last is not None else member.joined_at) <= quiet_since
    return LearnerRow(member.user_id, member.display_name, member.email, cells, last, inactive)


def _completions(
    cohort: CohortSettings, learners: Sequence[LearnerRow], today: date
) -> tuple[WeekCount, ...]:
    days = Counter(
        cohort.local_date(c.completed_at)
        for r in learners
        for c in r.cells
        if c.completed_at is not None
    )
    weeks = Counter[date]()
    for day, count in days.items():
        weeks[_monday(day)] += count
    if not weeks:
        return ()
    monday, last, total, result = min(weeks), max(max(weeks), _monday(today)), 0, []
    while monday <= last:
        total += weeks[monday]
        year, week, _ = monday.isocalendar()
        result.append(WeekCount(f"{year}-W{week:02d}", monday, weeks[monday], total))
        monday += timedelta(days=7)
    return tuple(result)


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _statements(
    content: CourseContent,
    means: Sequence[SelfAssessmentMean],
    looking_back: Sequence[RetrospectiveMean],
    threshold: int,
) -> tuple[StatementChange, ...]:
    survey = content.self_assessment
    if survey is None:
        return ()
    found = {m.item_id: m for m in means}
    found_then = {m.item_id: m for m in looking_back}
    return tuple(
        StatementChange(
            item.id,
            item.text,
            _means(found.get(item.id), threshold),
            _then_means(found_then.get(item.id), threshold) if step.retrospective else None,
        )
        for step in survey.steps
        if isinstance(step, Survey)
        for item in step.items
    )


def _means(mean: SelfAssessmentMean | None, threshold: int) -> Guarded[MeanChange]:
    if mean is None:
        return guard(0, threshold, lambda: MeanChange(0.0, 0.0))
    return guard(mean.learners, threshold, lambda: MeanChange(mean.before, mean.after))


def _then_means(mean: RetrospectiveMean | None, threshold: int) -> Guarded[MeanChange]:
    if mean is None:
        return guard(0, threshold, lambda: MeanChange(0.0, 0.0, 0.0))
    return guard(mean.learners, threshold, lambda: MeanChange(mean.before, mean.after, mean.then))


def _totals(
    learners: Sequence[LearnerRow], modules: int, statuses: Counter[tuple[str, Status]]
) -> CohortTotals:
    """The cohort's totals; `statuses` counts the cells by (module id, status)."""
    by_status = Counter[Status]()
    for (_module, status), count in statuses.items():
        by_status[status] += count
    return CohortTotals(
        learners=len(learners),
        modules=modules,
        completed=by_status[Status.COMPLETED],
        in_progress=by_status[Status.IN_PROGRESS],
        finished_course=sum(
            modules > 0 and all(c.status is Status.COMPLETED for c in r.cells) for r in learners
        ),
        overdue_learners=sum(any(c.overdue for c in r.cells) for r in learners),
        inactive_learners=sum(r.inactive for r in learners),
    )
