"""When a step, a module and the course are complete.

A step is complete by its type's rule, judged when the learner acts (`step_complete`); the
steps so marked are stored, and modules and the course are judged from those step ids.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum

from modules.course import readability
from modules.course.marking import AnswerError, mark_quiz
from modules.course.models import (
    Commitment,
    Course,
    Lesson,
    Module,
    Quiz,
    Reflection,
    Scenario,
    Step,
    Survey,
)
from modules.course.scenarios import ScenarioError, play


@dataclass(frozen=True)
class StepActivity:
    """What a learner has done in one step, as plain values (from storage or a test)."""

    seen: bool = False
    scenario_attempts: Sequence[Sequence[str]] = ()
    quiz_attempts: Sequence[Mapping[str, Collection[str]]] = ()
    reflection: str | None = None
    commitment_saved: bool = False
    survey_answers: Mapping[str, int] = field(default_factory=dict)
    # "Then" ratings of the after phase, looking back; None where none are asked (before).
    survey_looking_back: Mapping[str, int] | None = None


def step_complete(step: Step, activity: StepActivity) -> bool:
    """The contract's completion rule for each step type."""
    if isinstance(step, Lesson):
        return activity.seen
    if isinstance(step, Scenario):
        return any(_reaches_ending(step, path) for path in activity.scenario_attempts)
    if isinstance(step, Quiz):
        return any(_passes(step, answers) for answers in activity.quiz_attempts)
    if isinstance(step, Reflection):
        text = activity.reflection
        return text is not None and len(readability.words(text)) >= step.min_words
    if isinstance(step, Commitment):
        return activity.commitment_saved
    if isinstance(step, Survey):
        items = {i.id for i in step.items}
        looking_back = activity.survey_looking_back
        if step.retrospective and looking_back is not None and not items <= set(looking_back):
            return False
        return items <= set(activity.survey_answers)
    raise TypeError(f"unknown step type {type(step).__name__}")  # pragma: no cover


def required_steps(module: Module) -> frozenset[str]:
    """The ids of the steps the module needs to be complete."""
    return frozenset(s.id for s in module.steps if s.required)


def module_complete(module: Module, completed_steps: Collection[str]) -> bool:
    """Complete when every required step is among the completed steps."""
    return complete_with(module, len(required_steps(module) & set(completed_steps)))


def complete_with(module: Module, required_done: int) -> bool:
    """The module-completion rule on a count of completed required steps (what reports hold).

    A module with no required steps is complete for everyone, started or not, in the
    learner's view and the facilitator's alike.
    """
    return required_done >= len(required_steps(module))


def module_progress(module: Module, completed_steps: Collection[str]) -> float:
    """Fraction of the required steps complete (1.0 for a module with none)."""
    required = required_steps(module)
    if not required:
        return 1.0
    return len(required & set(completed_steps)) / len(required)


def course_progress(modules: Sequence[tuple[Module, Collection[str]]]) -> float:
    """Fraction of the listed modules' required steps complete, each module with its steps.

    Counted in steps, not modules, so that the bar moves as the learner works through a
    module; the self-assessment is not a listed module and does not count.
    """
    required = [(required_steps(m), set(done)) for m, done in modules]
    total = sum(len(steps) for steps, _ in required)
    if not total:
        return 1.0 if modules else 0.0
    return sum(len(steps & done) for steps, done in required) / total


def course_complete(course: Course, completed_modules: Collection[str]) -> bool:
    """Complete when every listed module is; the self-assessment does not count."""
    return set(course.modules) <= set(completed_modules)


class Phase(Enum):
    BEFORE = "before"
    AFTER = "after"


def asks_looking_back(step: Survey, phase: Phase) -> bool:
    """Whether the phase asks, per statement, how often before the course, looking back."""
    return step.retrospective and phase is Phase.AFTER


def self_assessment_due(
    course: Course, completed_modules: Collection[str], phases_taken: Collection[Phase]
) -> Phase | None:
    """Which self-assessment phase to offer now, if any."""
    if course.self_assessment is None:
        return None
    if Phase.BEFORE not in phases_taken:
        return Phase.BEFORE
    if Phase.AFTER not in phases_taken and course_complete(course, completed_modules):
        return Phase.AFTER
    return None


def _reaches_ending(scenario: Scenario, path: Sequence[str]) -> bool:
    try:
        return play(scenario, path).ended
    except ScenarioError:  # recorded under older content: it no longer replays
        return False


def _passes(quiz: Quiz, answers: Mapping[str, Collection[str]]) -> bool:
    try:
        return mark_quiz(quiz, answers).passed
    except AnswerError:
        return False
