"""The cohort dashboard: who is where in which module, who is overdue or quiet, and the trend."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from modules.cohorts.cohort import CohortSettings, as_utc
from modules.cohorts.privacy import Guarded, guard
from modules.cohorts.records import (
    NO_BASIS,
    Assignment,
    Basis,
    Member,
    ModuleProgress,
    RetrospectiveMean,
    SelfAssessmentMean,
)
from modules.course import completion
from modules.course.models import CourseContent, Module, Survey


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
    progress: Sequence[ModuleProgress],
    assignments: Sequence[Assignment],
    last_activity: Mapping[int, datetime],
    self_assessment: Sequence[SelfAssessmentMean],
    now: datetime,
    self_assessment_basis: Basis = NO_BASIS,
    retrospective: Sequence[RetrospectiveMean] = (),
    retrospective_basis: Basis = NO_BASIS,
) -> Dashboard:
    """The dashboard for `members` (active ones, no preview rows) at `now`."""
    modules = content.listed_modules
    due = {a.module_id: a.due_date for a in assignments}
    today = cohort.local_date(now)
    found = {(p.user_id, p.module_id): p for p in progress}
    learners = tuple(
        _learner(cohort, m, modules, found, due, today, last_activity.get(m.user_id), now)
        for m in sorted(members, key=lambda m: (m.display_name.casefold(), m.email))
    )
    return Dashboard(
        cohort_name=cohort.name,
        course_title=content.course.title,
        today=today,
        threshold=cohort.min_group,
        modules=tuple(_column(module, due.get(module.id), learners) for module in modules),
        learners=learners,
        completions=_completions(cohort, learners, today),
        self_assessment=_statements(content, self_assessment, retrospective, cohort.min_group),
        totals=_totals(learners, len(modules)),
        self_assessment_basis=self_assessment_basis,
        retrospective_basis=retrospective_basis,
    )


def required_steps(content: CourseContent) -> dict[str, frozenset[str]]:
    """Each listed module's required step ids: what storage counts `completed_steps` over."""
    return {m.id: completion.required_steps(m) for m in content.listed_modules}


def status_of(module: Module, progress: ModuleProgress | None) -> Status:
    """Completed by the domain's one rule; otherwise started when any step has a record."""
    if completion.complete_with(module, progress.completed_steps if progress else 0):
        return Status.COMPLETED
    return Status.NOT_STARTED if progress is None else Status.IN_PROGRESS


def _learner(
    cohort: CohortSettings,
    member: Member,
    modules: Sequence[Module],
    found: Mapping[tuple[int, str], ModuleProgress],
    due: Mapping[str, date],
    today: date,
    last: datetime | None,
    now: datetime,
) -> LearnerRow:
    cells = tuple(
        _cell(module, found.get((member.user_id, module.id)), due.get(module.id), today)
        for module in modules
    )
    quiet_since = as_utc(last if last is not None else member.joined_at)
    inactive = as_utc(now) - quiet_since >= timedelta(days=cohort.inactive_after_days)
    return LearnerRow(member.user_id, member.display_name, member.email, cells, last, inactive)


def _cell(
    module: Module, progress: ModuleProgress | None, due: date | None, today: date
) -> ModuleCell:
    status = status_of(module, progress)
    done = status is Status.COMPLETED
    return ModuleCell(
        module_id=module.id,
        status=status,
        started_at=progress.started_at if progress else None,
        completed_at=progress.last_completed_at if progress and done else None,
        overdue=due is not None and today > due and not done,
    )


def _column(module: Module, due: date | None, learners: Sequence[LearnerRow]) -> ModuleColumn:
    statuses = Counter(c.status for r in learners for c in r.cells if c.module_id == module.id)
    return ModuleColumn(
        module.id,
        module.title,
        module.minutes,
        due,
        statuses[Status.COMPLETED],
        statuses[Status.IN_PROGRESS],
    )


def _completions(
    cohort: CohortSettings, learners: Sequence[LearnerRow], today: date
) -> tuple[WeekCount, ...]:
    weeks = Counter(
        _monday(cohort.local_date(c.completed_at))
        for r in learners
        for c in r.cells
        if c.completed_at is not None
    )
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


def _totals(learners: Sequence[LearnerRow], modules: int) -> CohortTotals:
    statuses = Counter(c.status for r in learners for c in r.cells)
    return CohortTotals(
        learners=len(learners),
        modules=modules,
        completed=statuses[Status.COMPLETED],
        in_progress=statuses[Status.IN_PROGRESS],
        finished_course=sum(
            modules > 0 and all(c.status is Status.COMPLETED for c in r.cells) for r in learners
        ),
        overdue_learners=sum(bool(r.overdue) for r in learners),
        inactive_learners=sum(r.inactive for r in learners),
    )
