"""A learner's way through the course: overview, positions, and the simple step types.

Every method acts for `actor` on the actor's own records only; preview records (for
facilitators trying a module) are stored apart and never count in progress or statistics.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from modules.course.check_ins import OUTCOMES
from modules.course.completion import (
    Phase,
    StepActivity,
    asks_looking_back,
    course_progress,
    module_complete,
    module_progress,
    self_assessment_due,
    step_complete,
)
from modules.course.marking import AnswerError, score_survey
from modules.course.models import (
    Commitment,
    CourseContent,
    Lesson,
    Module,
    Reflection,
    Step,
    Survey,
)
from modules.services import authz
from modules.services.actors import Actor
from modules.services.errors import InvalidInput, NotFound
from modules.services.text import clean_text
from modules.services.uow import UnitOfWork, UnitOfWorkFactory
from modules.services.xapi_outbox import ProgressReporter
from progress.errors import RecordNotFound
from progress.journal_repo import CommitmentRecord
from progress.learning_repo import LearnerRecord, LearnerStanding
from progress.step_repo import StepRef


@dataclass(frozen=True)
class ModuleSummary:
    module: Module
    completed_steps: frozenset[str]

    @property
    def fraction(self) -> float:
        return module_progress(self.module, self.completed_steps)

    @property
    def complete(self) -> bool:
        return module_complete(self.module, self.completed_steps)

    @property
    def started(self) -> bool:
        return bool(self.completed_steps)


@dataclass(frozen=True)
class CourseOverview:
    modules: tuple[ModuleSummary, ...]
    continue_at: StepRef | None
    self_assessment_due: Phase | None
    hidden_modules: tuple[str, ...]
    commitments_due: tuple[CommitmentRecord, ...]
    started: bool

    @property
    def complete(self) -> bool:
        return bool(self.modules) and all(m.complete for m in self.modules)

    @property
    def modules_complete(self) -> int:
        return sum(1 for m in self.modules if m.complete)

    @property
    def fraction(self) -> float:
        """How far through the course, by required steps (modules.course.completion)."""
        return course_progress([(m.module, m.completed_steps) for m in self.modules])


class LearningService:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        content: CourseContent,
        today: Callable[[], date] = lambda: datetime.now(UTC).date(),
        reporter: ProgressReporter | None = None,
    ) -> None:
        self.uow = uow
        self.content = content
        self.course = content.course
        self.today = today
        self.reporter = reporter  # queues xAPI statements when an LRS is configured

    def reporter_for(self, preview: bool) -> ProgressReporter | None:
        """Who reports this progress to the LRS: nobody for previews or without an LRS."""
        return None if preview else self.reporter

    # Reading

    def record(self, actor: Actor, preview: bool = False) -> LearnerRecord:
        with self.uow() as uow:
            return self.record_in(uow, authz.learner(uow.people, actor, preview), preview)

    def record_in(self, uow: UnitOfWork, actor: Actor, preview: bool = False) -> LearnerRecord:
        """The learner's whole record, read inside a unit of work the caller holds."""
        return uow.learning.learner_record(
            actor.user_id, self.course.id, self.course.self_assessment, preview
        )

    def standing(self, actor: Actor, preview: bool = False) -> LearnerStanding:
        """Where the learner stands (steps, position, plans, self-assessment): not his attempts."""
        with self.uow() as uow:
            actor = authz.learner(uow.people, actor, preview)
            return uow.learning.learner_standing(
                actor.user_id, self.course.id, self.course.self_assessment, preview
            )

    def completed_steps(self, actor: Actor, module_id: str, preview: bool = False) -> set[str]:
        """Ids of the module's steps the actor has completed."""
        with self.uow() as uow:
            actor = authz.learner(uow.people, actor, preview)
            return uow.learning.completed_steps(actor.user_id, self.course.id, module_id, preview)

    def overview(self, actor: Actor) -> CourseOverview:
        return self.overview_of(self.standing(actor))

    def overview_of(self, record: LearnerStanding) -> CourseOverview:
        """The course as one learner's record shows it (pure: no storage)."""
        summaries = tuple(
            ModuleSummary(m, frozenset(record.completed(m.id))) for m in self.content.listed_modules
        )
        completed = {s.module.id for s in summaries if s.complete}
        return CourseOverview(
            modules=summaries,
            continue_at=self._continue_at(record, summaries),
            self_assessment_due=self_assessment_due(
                self.course, completed, self._phases_taken(record)
            ),
            hidden_modules=tuple(m for m in self.course.modules if m not in self.content.modules),
            commitments_due=self.commitments_due(record),
            started=any(s.step.module_id in self.course.modules for s in record.steps),
        )

    def _continue_at(
        self, record: LearnerStanding, summaries: tuple[ModuleSummary, ...]
    ) -> StepRef | None:
        """Where the learner stopped; else the first step not done of the first open module."""
        position = record.position
        by_id = {s.module.id: s for s in summaries}
        if position is not None and position.module_id in by_id:
            summary = by_id[position.module_id]
            if summary.module.step(position.step_id) and not summary.complete:
                return self.ref(position.module_id, position.step_id)
        for summary in summaries:
            if not summary.complete:
                step = next(
                    (s for s in summary.module.steps if s.id not in summary.completed_steps),
                    summary.module.steps[0],
                )
                return self.ref(summary.module.id, step.id)
        return None

    def _phases_taken(self, record: LearnerStanding) -> set[Phase]:
        survey = self.content.self_assessment
        if survey is None:
            return set()
        taken = set()
        now = self.self_assessment_answers_of(record)
        then = self.looking_back_of(record)
        for phase in Phase:
            steps = [s for s in survey.steps if isinstance(s, Survey)]
            activity = StepActivity(
                survey_answers=now[phase],
                survey_looking_back=then if phase is Phase.AFTER else None,
            )
            if steps and all(step_complete(s, activity) for s in steps):
                taken.add(phase)
        return taken

    def commitments_due(self, record: LearnerStanding) -> tuple[CommitmentRecord, ...]:
        """Plans whose target date has come and that have no check-in since it."""
        today = self.today()
        return tuple(
            c
            for c in record.commitments
            if c.target_date <= today
            and not any(ci.checked_on >= c.target_date for ci in c.check_ins)
        )

    # Steps

    def module(self, module_id: str, *, allow_survey: bool = True) -> Module:
        module = self.content.modules.get(module_id)
        listed = module_id in self.course.modules
        survey = allow_survey and module_id == self.course.self_assessment
        if module is None or not (listed or survey):
            raise NotFound("That module is not available. It may have been renamed or hidden.")
        return module

    def step(self, module_id: str, step_id: str) -> Step:
        step = self.module(module_id).step(step_id)
        if step is None:
            raise NotFound("That step is not part of this module any more.")
        return step

    def ref(self, module_id: str, step_id: str) -> StepRef:
        return StepRef(self.course.id, module_id, step_id)

    def version(self, module_id: str) -> str:
        return self.content.versions[module_id]

    def open_step(
        self, actor: Actor, module_id: str, step_id: str, preview: bool = False
    ) -> set[str]:
        """Note where the learner is (the Continue button and a reload come back here).

        Returns the ids of the module's steps he has completed, read in the same unit of work:
        what the player shows beside the step it opens.
        """
        ref = self.ref(module_id, self.step(module_id, step_id).id)
        with self.uow() as uow:
            return self.open_in(uow, authz.learner(uow.people, actor, preview), ref, preview)

    def open_in(self, uow: UnitOfWork, actor: Actor, ref: StepRef, preview: bool) -> set[str]:
        """`open_step` inside a unit of work the caller holds, for an actor it has checked."""
        if ref.module_id != self.course.self_assessment:
            uow.learning.save_position(actor.user_id, ref, preview)
        uow.learning.mark_started(actor.user_id, ref, self.version(ref.module_id), preview)
        return uow.learning.completed_steps(actor.user_id, self.course.id, ref.module_id, preview)

    def complete_if_done(
        self,
        uow: UnitOfWork,
        actor: Actor,
        module_id: str,
        step: Step,
        activity: StepActivity,
        preview: bool,
    ) -> bool:
        """Mark the step complete when the domain's rule says so, in the caller's unit of work.

        Every step type completes here, through `step_complete`: the one completion rule.
        """
        done = step_complete(step, activity)
        if done:
            ref = self.ref(module_id, step.id)
            uow.learning.mark_completed(actor.user_id, ref, self.version(module_id), preview)
            if (reporter := self.reporter_for(preview)) is not None:
                reporter.step_completed(uow, actor.user_id, ref, step)
        return done

    def complete_lesson(
        self, actor: Actor, module_id: str, step_id: str, preview: bool = False
    ) -> None:
        step = self.step(module_id, step_id)
        if not isinstance(step, Lesson):
            raise InvalidInput("That step is not a lesson.")
        with self.uow() as uow:
            actor = authz.learner(uow.people, actor, preview)
            self.complete_if_done(uow, actor, module_id, step, StepActivity(seen=True), preview)

    def save_reflection(
        self, actor: Actor, module_id: str, step_id: str, text: str, preview: bool = False
    ) -> bool:
        """Store the learner's private text; True when it completes the step."""
        step = self.step(module_id, step_id)
        if not isinstance(step, Reflection):
            raise InvalidInput("That step is not a reflection.")
        text = clean_text(text, "Your reflection", multiline=True).strip()
        if not text:
            raise InvalidInput("Write something before you save.")
        with self.uow() as uow:
            actor = authz.learner(uow.people, actor, preview)
            ref = self.ref(module_id, step_id)
            uow.learning.save_reflection(actor.user_id, ref, text, self.version(module_id), preview)
            activity = StepActivity(reflection=text)
            return self.complete_if_done(uow, actor, module_id, step, activity, preview)

    def save_commitment(
        self,
        actor: Actor,
        module_id: str,
        step_id: str,
        cue: str,
        action: str,
        target_date: date,
        preview: bool = False,
    ) -> CommitmentRecord:
        step = self.step(module_id, step_id)
        if not isinstance(step, Commitment):
            raise InvalidInput("That step is not a commitment.")
        cue = clean_text(cue, 'The "When ..." part of your plan', multiline=True).strip()
        action = clean_text(action, 'The "I will ..." part of your plan', multiline=True)
        action = action.strip()
        if not cue or not action:
            raise InvalidInput("Write both parts of the plan: when, and what you will do.")
        if target_date < self.today():
            raise InvalidInput("Pick a target date from today on.")
        with self.uow() as uow:
            actor = authz.learner(uow.people, actor, preview)
            saved = uow.learning.save_commitment(
                actor.user_id,
                self.ref(module_id, step_id),
                cue,
                action,
                target_date,
                self.version(module_id),
                preview,
            )
            activity = StepActivity(commitment_saved=True)
            self.complete_if_done(uow, actor, module_id, step, activity, preview)
            return saved

    def default_target_date(self, module_id: str, step_id: str) -> date:
        step = self.step(module_id, step_id)
        days = step.check_in_days if isinstance(step, Commitment) else 30
        return self.today() + timedelta(days=days)

    def check_in(
        self, actor: Actor, commitment_id: int, outcome: str, note: str | None
    ) -> CommitmentRecord:
        if outcome not in OUTCOMES:
            raise InvalidInput("Choose done, partly or not yet.")
        note = clean_text(note or "", "Your note", multiline=True).strip() or None
        with self.uow() as uow:
            actor = authz.learner(uow.people, actor, False)
            try:
                return uow.learning.check_in(actor.user_id, commitment_id, outcome, note)
            except RecordNotFound:
                raise NotFound("That plan is not yours or no longer exists.") from None

    # The self-assessment

    def save_self_assessment(
        self,
        actor: Actor,
        phase: Phase,
        answers: Mapping[str, int],
        preview: bool = False,
        looking_back: Mapping[str, int] | None = None,
    ) -> None:
        """Store a phase's ratings; `looking_back`: the after phase's "then" ratings, if asked."""
        module_id = self.course.self_assessment
        if module_id is None:
            raise NotFound("This course has no self-assessment.")
        module = self.module(module_id)
        surveys = [s for s in module.steps if isinstance(s, Survey)]
        then = dict(looking_back or {})
        if then and not any(asks_looking_back(s, phase) for s in surveys):
            raise InvalidInput(
                "Ratings looking back to before the course are asked only at the end, and only"
                " where the self-assessment asks for them."
            )
        for step in surveys:
            try:  # the domain's scale rule
                for given in (answers, then):
                    score_survey(step, {i.id: given[i.id] for i in step.items if i.id in given})
            except AnswerError:
                raise InvalidInput("Each answer must be on the scale.") from None
        with self.uow() as uow:
            actor = authz.learner(uow.people, actor, preview)
            for step in surveys:
                items = [i.id for i in step.items]
                asked = asks_looking_back(step, phase)
                uow.learning.save_survey_answers(
                    actor.user_id,
                    self.ref(module_id, step.id),
                    phase.value,
                    {i: answers[i] for i in items if i in answers},
                    items,
                    self.version(module_id),
                    preview,
                    looking_back={i: then[i] for i in items if i in then} if asked else None,
                    looking_back_items=items if asked else (),
                )

    def self_assessment_answers(self, actor: Actor) -> dict[Phase, dict[str, int]]:
        return self.self_assessment_answers_of(self.standing(actor))

    @staticmethod
    def self_assessment_answers_of(record: LearnerStanding) -> dict[Phase, dict[str, int]]:
        """The ratings of how often now, per phase ("then" ratings are in looking_back_of)."""
        result: dict[Phase, dict[str, int]] = {phase: {} for phase in Phase}
        for answer in record.survey_answers:
            if answer.rating == "now":
                result[Phase(answer.phase)][answer.item_id] = answer.value
        return result

    def looking_back(self, actor: Actor) -> dict[str, int]:
        return self.looking_back_of(self.standing(actor))

    @staticmethod
    def looking_back_of(record: LearnerStanding) -> dict[str, int]:
        """The after phase's "then" ratings: how often before the course, looking back."""
        return {a.item_id: a.value for a in record.survey_answers if a.rating == "then"}
