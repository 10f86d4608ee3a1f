"""The sample cohort: made-up learners who show a new facilitator his views filled in.

`create_sample_cohort` makes, for an existing facilitator, a cohort marked as a sample with
the synthetic learners of modules.cohorts.sample, and plays their six weeks through the real
services (LearningService, Practice), so that every figure is counted by the same code as a
real learner's: progress, first choices, quiz answers, check-ins and self-assessments. Each
learner's weeks are one unit of work that all his service calls share (one transaction), so
that the app's own writes never wait long on SQLite; a failure midway removes what was made.
The records carry the made-up days they happened on (progress.database.records_dated).

Synthetic accounts never sign in, and never join a real cohort; `remove_samples` deletes them
and every sample cohort, with everything they recorded.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from types import TracebackType

from sqlalchemy.orm import Session

from modules.cohorts.cohort import CohortSettings
from modules.cohorts.sample import (
    LEARNERS,
    SAMPLE_COHORT_NAME,
    SampleLearner,
    check_in_outcome,
    due_days_from_today,
    email_of,
    pick_choice,
    quiz_answers,
    ratings_after,
    ratings_before,
    ratings_then,
    reflection_text,
)
from modules.course.completion import Phase
from modules.course.models import (
    Commitment,
    CourseContent,
    Lesson,
    Module,
    Quiz,
    Reflection,
    Scenario,
    Step,
    Survey,
)
from modules.services.actors import ADMIN, FACILITATOR, LEARNER, Actor
from modules.services.errors import InvalidInput
from modules.services.learning import LearningService
from modules.services.practice import Practice
from modules.services.runtime import Runtime
from modules.services.uow import SqlUnitOfWork
from progress import account_repo, cohort_repo
from progress.cohort_repo import CohortRecord
from progress.database import records_dated

SEED = 2027
CHECK_IN_AFTER_DAYS = 7  # the sample's plans are checked on a week after they were made


@dataclass(frozen=True)
class SampleMade:
    cohort: CohortRecord
    learners: int
    modules_finished: int


@dataclass(frozen=True)
class SamplesRemoved:
    cohorts: int
    accounts: int


class _Joined(SqlUnitOfWork):
    """The unit of work the services are given here: the one open transaction, again.

    It shares the outer unit of work's session and repositories (whatever they are);
    entering and leaving commit nothing: the outer one commits the whole sample, or nothing.
    """

    def __init__(self, outer: SqlUnitOfWork) -> None:
        self._outer = outer

    def __enter__(self) -> _Joined:
        shared = {k: v for k, v in vars(self._outer).items() if not k.startswith("_")}
        vars(self).update(shared)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        return None


def create_sample_cohort(
    rt: Runtime,
    content: CourseContent,
    owner_email: str,
    *,
    time_zone: str = "America/New_York",
    now: datetime | None = None,
) -> SampleMade:
    """A sample cohort owned by the facilitator with this address; InvalidInput says why not."""
    settings = CohortSettings(SAMPLE_COHORT_NAME, time_zone, min_group=rt.settings.min_group)
    moment = now or datetime.now(UTC)
    today = settings.local_date(moment)
    writer = _SampleWriter(rt, content, settings, today)
    with writer.unit():
        cohort = writer.cohort(_owner(writer.session, owner_email))
    finished = 0
    try:
        for plan in LEARNERS:
            with writer.unit():
                finished += writer.learner(cohort, plan)
    except BaseException:  # a crash or ^C midway: no half-made sample stays behind
        _discard(rt, cohort.id)
        raise
    return SampleMade(cohort, len(LEARNERS), finished)


def remove_samples(rt: Runtime) -> SamplesRemoved:
    """Delete every sample cohort and synthetic account, with all they recorded."""
    with rt.transaction() as session:
        cohorts = cohort_repo.delete_sample_cohorts(session)
        accounts = account_repo.delete_users(session, account_repo.synthetic_user_ids(session))
    return SamplesRemoved(cohorts, accounts)


def _discard(rt: Runtime, cohort_id: int) -> None:
    with rt.transaction() as session:
        made_up = [m.user_id for m in cohort_repo.members(session, cohort_id)]
        account_repo.delete_users(session, made_up)
        cohort_repo.delete_sample_cohorts(session, only=cohort_id)


def _owner(session: Session, email: str) -> account_repo.UserRecord:
    owner = account_repo.find_user_by_email(session, email)
    if owner is None:
        raise InvalidInput(
            f"Nobody has an account with the address {email.strip()!r}: create it first."
        )
    if not {FACILITATOR, ADMIN} & owner.roles:
        raise InvalidInput(
            f"{owner.display_name} is not a facilitator: give the account the facilitator"
            " role first."
        )
    for cohort in cohort_repo.cohorts_facilitated_by(session, owner.id, include_archived=True):
        if cohort.is_sample:
            raise InvalidInput(
                f"{owner.display_name} has a sample cohort already ({cohort.name}). Remove the"
                " sample cohorts first to make a new one."
            )
    return owner


class _SampleWriter:
    """Plays the plan of modules.cohorts.sample, day by made-up day, through the services."""

    def __init__(
        self, rt: Runtime, content: CourseContent, settings: CohortSettings, today: date
    ) -> None:
        self.rt = rt
        self._outer: SqlUnitOfWork | None = None
        self.content = content
        self.settings = settings
        self.today = today
        self.day = today
        self.rng = random.Random(SEED)
        self.learning = LearningService(self._joined, content, today=lambda: self.day)
        self.practice = Practice(self.learning)

    @contextmanager
    def unit(self) -> Iterator[None]:
        """One unit of work that every service call inside shares: all of it, or none."""
        with self.rt.uow() as outer:
            self._outer = outer
            try:
                yield
            finally:
                self._outer = None

    @property
    def session(self) -> Session:
        return self._current().session

    def _joined(self) -> _Joined:
        return _Joined(self._current())

    def _current(self) -> SqlUnitOfWork:
        if self._outer is None:
            raise RuntimeError("the sample is written inside writer.unit()")
        return self._outer

    def at(self, days_ago: int, hour: int = 9) -> AbstractContextManager[None]:
        """Write as of `days_ago` days before today, at about `hour` in the cohort's zone."""
        self.day = self.today - timedelta(days=days_ago)
        minute = self.rng.randrange(60)
        local = datetime.combine(self.day, time(hour, minute), tzinfo=self.settings.zone)
        return records_dated(local)

    def cohort(self, owner: account_repo.UserRecord) -> CohortRecord:
        first_day = max(learner.joined_days_ago for learner in LEARNERS) + 2
        modules = self.content.listed_modules
        with self.at(first_day):
            cohort = cohort_repo.create_cohort(
                self.session,
                course_id=self.content.course.id,
                name=self.settings.name,
                time_zone=self.settings.time_zone,
                owner_id=owner.id,
                sample=True,
            )
            for index, module in enumerate(modules):
                due = self.today + timedelta(days=due_days_from_today(index, len(modules)))
                cohort_repo.set_assignment(self.session, cohort.id, module.id, due, owner.id)
        return cohort

    def learner(self, cohort: CohortRecord, plan: SampleLearner) -> int:
        """Write one learner's weeks; returns how many modules he finished."""
        email = email_of(plan, cohort.id, account_repo.SYNTHETIC_DOMAIN)
        with self.at(plan.joined_days_ago, hour=8):
            person = account_repo.create_user(
                self.session, email, plan.name, None, (LEARNER,), synthetic=True
            )
            cohort_repo.add_member(self.session, cohort.id, person.id)
        actor = Actor(person.id, person.display_name, frozenset({LEARNER}))
        survey = self.content.self_assessment
        before: dict[str, int] = {}
        if survey is not None:
            with self.at(plan.joined_days_ago, hour=8):
                before = self._self_assessment(actor, survey, Phase.BEFORE, None)
        modules = self.content.listed_modules
        done = min(plan.modules_done, len(modules))  # the plan is for eight modules
        for index, module in enumerate(modules[:done]):
            with self.at(plan.finished_days_ago(index), hour=7 + index % 10):
                self._module(actor, module, plan, len(module.steps))
        if plan.steps_into_next and done < len(modules):
            with self.at(plan.finished_days_ago(done), hour=18):
                self._module(actor, modules[done], plan, plan.steps_into_next)
        if survey is not None and modules and done == len(modules):
            with self.at(max(1, plan.finished_days_ago(done - 1) - 1), hour=12):
                self._self_assessment(actor, survey, Phase.AFTER, before)
        return done

    def _self_assessment(
        self, actor: Actor, survey: Module, phase: Phase, before: dict[str, int] | None
    ) -> dict[str, int]:
        answers: dict[str, int] = {}
        then: dict[str, int] = {}
        for step in survey.steps:
            if not isinstance(step, Survey):
                continue
            self.learning.open_step(actor, survey.id, step.id)
            points = len(step.scale)
            if before is None:
                answers |= ratings_before(step.items, points, self.rng)
                continue
            mine = {i.id: before[i.id] for i in step.items if i.id in before}
            answers |= ratings_after(mine, points, self.rng)
            if step.retrospective:  # the after phase also asks "looking back, before the course"
                then |= ratings_then(mine, self.rng)
        self.learning.save_self_assessment(actor, phase, answers, looking_back=then or None)
        return answers

    def _module(self, actor: Actor, module: Module, plan: SampleLearner, steps: int) -> None:
        for step in module.steps[:steps]:
            self.learning.open_step(actor, module.id, step.id)
            self._step(actor, module.id, step, plan)

    def _step(self, actor: Actor, module_id: str, step: Step, plan: SampleLearner) -> None:
        actions: dict[type[Step], Callable[[Actor, str, Step, SampleLearner], None]] = {
            Lesson: lambda a, m, s, p: self.learning.complete_lesson(a, m, s.id),
            Scenario: self._scenario,
            Quiz: self._quiz,
            Reflection: self._reflection,
            Commitment: self._commitment,
        }
        action = actions.get(type(step))
        if action is not None:  # a survey outside the self-assessment: nothing to play
            action(actor, module_id, step, plan)

    def _scenario(self, actor: Actor, module_id: str, step: Step, plan: SampleLearner) -> None:
        view = self.practice.scenario_view(actor, module_id, step.id)
        for _ in range(100):  # a scenario ends long before; this only bounds a broken one
            if view.state.ending is not None:
                return
            choice = pick_choice(view.choices, plan.skill, self.rng)
            view = self.practice.choose(
                actor, module_id, step.id, view.attempt_id, view.position, choice.id
            )

    def _quiz(self, actor: Actor, module_id: str, step: Step, plan: SampleLearner) -> None:
        view = self.practice.quiz_view(actor, module_id, step.id)
        accuracy = 0.45 + 0.5 * plan.skill
        for attempt in range(4):  # the last try is all right: every sample learner passes
            answers = quiz_answers(view.quiz.questions, view.options, accuracy, self.rng)
            view = self.practice.submit_quiz(actor, module_id, step.id, view.attempt_id, answers)
            if view.result is not None and view.result.passed:
                return
            accuracy = 1.0 if attempt >= 1 else accuracy + 0.25
            view = self.practice.retry_quiz(actor, module_id, step.id)

    def _reflection(self, actor: Actor, module_id: str, step: Step, plan: SampleLearner) -> None:
        assert isinstance(step, Reflection)
        self.learning.save_reflection(actor, module_id, step.id, reflection_text(step.min_words))

    def _commitment(self, actor: Actor, module_id: str, step: Step, plan: SampleLearner) -> None:
        assert isinstance(step, Commitment)
        action = step.suggestions[0] if step.suggestions else "try the move this module showed"
        target = self.day + timedelta(days=CHECK_IN_AFTER_DAYS)
        saved = self.learning.save_commitment(
            actor, module_id, step.id, "the situation of this module comes up", action, target
        )
        days_ago = (self.today - target).days - 1
        if days_ago >= 1:
            made_on = self.day
            with self.at(days_ago, hour=17):
                outcome = check_in_outcome(plan.skill, self.rng)
                self.learning.check_in(actor, saved.id, outcome, None)
            self.day = made_on
