"""A learner's way through the course: overview, positions, and the simple step types.

Every method acts for `actor` on the actor's own records only; preview records (for
facilitators trying a module) are stored apart and never count in progress or statistics.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from modules.course.completion import (
    Phase,
    StepActivity,
    module_complete,
    module_progress,
    self_assessment_due,
    step_complete,
)
from modules.course.models import (
    Commitment,
    CourseContent,
    Lesson,
    Module,
    Reflection,
    Step,
    Survey,
)
from modules.services.actors import Actor, require_preview_allowed
from modules.services.errors import InvalidInput, NotFound
from modules.services.store import (
    CommitmentRecord,
    LearnerRecord,
    LearningStore,
    StepRef,
)
from progress.errors import RecordNotFound

CHECK_IN_OUTCOMES = ("done", "partly", "not_yet")


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


class LearningService:
    def __init__(
        self,
        store: LearningStore,
        content: CourseContent,
        today: Callable[[], date] = lambda: datetime.now(UTC).date(),
    ) -> None:
        self.store = store
        self.content = content
        self.course = content.course
        self.today = today

    # Reading

    def record(self, actor: Actor, preview: bool = False) -> LearnerRecord:
        require_preview_allowed(actor, preview)
        return self.store.learner_record(
            actor.user_id, self.course.id, self.course.self_assessment, preview
        )

    def completed_steps(self, actor: Actor, module_id: str, preview: bool = False) -> set[str]:
        """Ids of the module's steps the actor has completed."""
        require_preview_allowed(actor, preview)
        return self.store.completed_steps(actor.user_id, self.course.id, module_id, preview)

    def overview(self, actor: Actor) -> CourseOverview:
        record = self.record(actor)
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
        self, record: LearnerRecord, summaries: tuple[ModuleSummary, ...]
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
                step = next(s for s in summary.module.steps if s.id not in summary.completed_steps)
                return self.ref(summary.module.id, step.id)
        return None

    def _phases_taken(self, record: LearnerRecord) -> set[Phase]:
        survey = self.content.self_assessment
        if survey is None:
            return set()
        items = {i.id for s in survey.steps if isinstance(s, Survey) for i in s.items}
        taken = set()
        for phase in Phase:
            answered = {a.item_id for a in record.survey_answers if a.phase == phase.value}
            if items and items <= answered:
                taken.add(phase)
        return taken

    def commitments_due(self, record: LearnerRecord) -> tuple[CommitmentRecord, ...]:
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

    def open_step(self, actor: Actor, module_id: str, step_id: str, preview: bool = False) -> Step:
        """Note where the learner is: the Continue button and a reload come back here."""
        require_preview_allowed(actor, preview)
        step = self.step(module_id, step_id)
        ref = self.ref(module_id, step_id)
        if module_id != self.course.self_assessment:
            self.store.save_position(actor.user_id, ref, preview)
        self.store.mark_started(actor.user_id, ref, self.version(module_id), preview)
        return step

    def complete_step(self, actor: Actor, module_id: str, step_id: str, preview: bool) -> None:
        require_preview_allowed(actor, preview)
        ref = self.ref(module_id, step_id)
        self.store.mark_completed(actor.user_id, ref, self.version(module_id), preview)

    def complete_lesson(
        self, actor: Actor, module_id: str, step_id: str, preview: bool = False
    ) -> None:
        if not isinstance(self.step(module_id, step_id), Lesson):
            raise InvalidInput("That step is not a lesson.")
        self.complete_step(actor, module_id, step_id, preview)

    def save_reflection(
        self, actor: Actor, module_id: str, step_id: str, text: str, preview: bool = False
    ) -> bool:
        """Store the learner's private text; True when it completes the step."""
        step = self.step(module_id, step_id)
        if not isinstance(step, Reflection):
            raise InvalidInput("That step is not a reflection.")
        if not text.strip():
            raise InvalidInput("Write something before you save.")
        require_preview_allowed(actor, preview)
        ref = self.ref(module_id, step_id)
        self.store.save_reflection(
            actor.user_id, ref, text.strip(), self.version(module_id), preview
        )
        done = step_complete(step, StepActivity(reflection=text))
        if done:
            self.complete_step(actor, module_id, step_id, preview)
        return done

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
        if not cue.strip() or not action.strip():
            raise InvalidInput("Write both parts of the plan: when, and what you will do.")
        if target_date < self.today():
            raise InvalidInput("Pick a target date from today on.")
        require_preview_allowed(actor, preview)
        saved = self.store.save_commitment(
            actor.user_id,
            self.ref(module_id, step_id),
            cue.strip(),
            action.strip(),
            target_date,
            self.version(module_id),
            preview,
        )
        self.complete_step(actor, module_id, step_id, preview)
        return saved

    def default_target_date(self, module_id: str, step_id: str) -> date:
        step = self.step(module_id, step_id)
        days = step.check_in_days if isinstance(step, Commitment) else 30
        return self.today() + timedelta(days=days)

    def check_in(
        self, actor: Actor, commitment_id: int, outcome: str, note: str | None
    ) -> CommitmentRecord:
        if outcome not in CHECK_IN_OUTCOMES:
            raise InvalidInput("Choose done, partly or not yet.")
        try:
            return self.store.check_in(
                actor.user_id, commitment_id, outcome, (note or "").strip() or None
            )
        except RecordNotFound:
            raise NotFound("That plan is not yours or no longer exists.") from None

    # The self-assessment

    def save_self_assessment(
        self, actor: Actor, phase: Phase, answers: Mapping[str, int], preview: bool = False
    ) -> None:
        module_id = self.course.self_assessment
        if module_id is None:
            raise NotFound("This course has no self-assessment.")
        module = self.module(module_id)
        require_preview_allowed(actor, preview)
        for step in module.steps:
            if not isinstance(step, Survey):
                continue
            items = {i.id for i in step.items}
            mine = {k: v for k, v in answers.items() if k in items}
            if any(not 1 <= v <= len(step.scale) for v in mine.values()):
                raise InvalidInput("Each answer must be on the scale.")
            ref = self.ref(module_id, step.id)
            self.store.save_survey_answers(
                actor.user_id, ref, phase.value, mine, self.version(module_id), preview
            )

    def self_assessment_answers(self, actor: Actor) -> dict[Phase, dict[str, int]]:
        record = self.record(actor)
        result: dict[Phase, dict[str, int]] = {phase: {} for phase in Phase}
        for answer in record.survey_answers:
            result[Phase(answer.phase)][answer.item_id] = answer.value
        return result
