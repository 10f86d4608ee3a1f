"""Step, module and course completion, and when the self-assessment is offered."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from modules.cohorts.dashboard import Status, status_of
from modules.cohorts.records import ModuleProgress
from modules.course import completion
from modules.course.completion import (
    Phase,
    StepActivity,
    course_complete,
    module_complete,
    module_progress,
    self_assessment_due,
    step_complete,
)
from modules.course.models import CourseContent, Module
from modules.services.learning import ModuleSummary

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)

DONE = {
    "why": StepActivity(seen=True),
    "rounds": StepActivity(scenario_attempts=[("thank", "defend")]),
    "check": StepActivity(quiz_attempts=[{"q1": {"a"}}]),
    "think": StepActivity(reflection="Dr. Okafor, about rounds"),
    "plan": StepActivity(commitment_saved=True),
}

# step id, activity, complete?
STEPS = [
    ("why", StepActivity(), False),
    ("why", StepActivity(seen=True), True),
    ("rounds", StepActivity(), False),
    ("rounds", StepActivity(scenario_attempts=[("thank", "plan")]), False),  # no ending yet
    ("rounds", StepActivity(scenario_attempts=[("thank", "plan"), ("explain", "ignore")]), True),
    ("rounds", StepActivity(scenario_attempts=[("gone-choice",)]), False),  # content changed
    ("check", StepActivity(quiz_attempts=[{"q1": {"b"}}]), False),
    ("check", StepActivity(quiz_attempts=[{"q1": {"b"}}, {"q1": {"a"}}]), True),  # a retry
    ("check", StepActivity(quiz_attempts=[{"q1": {"zzz"}}]), False),  # stale option ids
    ("think", StepActivity(reflection="too short"), False),  # min_words is 3
    ("think", StepActivity(reflection="three whole words"), True),
    ("plan", StepActivity(), False),
    ("plan", StepActivity(commitment_saved=True), True),
]


@pytest.mark.parametrize(("step_id", "activity", "complete"), STEPS)
def test_step_complete(
    sample: Module, step_id: str, activity: StepActivity, complete: bool
) -> None:
    step = sample.step(step_id)
    assert step is not None
    assert step_complete(step, activity) is complete


def test_survey_step_needs_every_item(content: CourseContent) -> None:
    survey_module = content.self_assessment
    assert survey_module is not None
    step = survey_module.steps[0]
    assert not step_complete(step, StepActivity(survey_answers={"ask": 3}))
    assert step_complete(step, StepActivity(survey_answers={"ask": 3, "credit": 4}))


def test_module_complete_when_required_steps_are(sample: Module) -> None:
    done = {
        step_id
        for step_id, activity in DONE.items()
        if step_complete(sample.step(step_id), activity)
    }
    assert module_complete(sample, done)
    assert not module_complete(sample, done - {"plan"})
    assert module_progress(sample, done - {"plan"}) == pytest.approx(4 / 5)
    assert module_progress(sample, set()) == 0.0


def test_optional_steps_do_not_hold_a_module_back(sample: Module) -> None:
    import dataclasses

    steps = tuple(
        dataclasses.replace(s, required=False) if s.id == "plan" else s for s in sample.steps
    )
    relaxed = dataclasses.replace(sample, steps=steps)
    assert module_complete(relaxed, set(DONE) - {"plan"})
    assert module_progress(relaxed, set(DONE)) == 1.0


@pytest.mark.parametrize(
    ("completed", "taken", "due"),
    [
        ((), (), Phase.BEFORE),
        (("sample",), (), Phase.BEFORE),
        ((), (Phase.BEFORE,), None),
        (("sample",), (Phase.BEFORE,), Phase.AFTER),
        (("sample",), (Phase.BEFORE, Phase.AFTER), None),
    ],
)
def test_self_assessment_due(
    content: CourseContent,
    completed: tuple[str, ...],
    taken: tuple[Phase, ...],
    due: Phase | None,
) -> None:
    assert self_assessment_due(content.course, completed, taken) is due


def test_course_complete_ignores_the_self_assessment(content: CourseContent) -> None:
    assert course_complete(content.course, {"sample"})
    assert not course_complete(content.course, {"survey"})


def _optional_everywhere(module: Module) -> Module:
    return dataclasses.replace(
        module, steps=tuple(dataclasses.replace(s, required=False) for s in module.steps)
    )


@pytest.mark.parametrize(
    ("make", "done"),
    [
        (lambda m: m, frozenset()),
        (lambda m: m, frozenset({"why"})),
        (lambda m: m, None),  # every step of it done
        (_optional_everywhere, frozenset()),  # nothing required: complete for everyone
    ],
    ids=["nothing done", "one step done", "all done", "no required steps"],
)
def test_the_learner_and_the_facilitator_see_one_module_completion(
    sample: Module, make: Callable[[Module], Module], done: frozenset[str] | None
) -> None:
    """The learner's view (ids he completed) and the dashboard's (a count from storage) agree."""
    module = make(sample)
    completed = frozenset(s.id for s in module.steps) if done is None else done
    learner_sees = ModuleSummary(module, completed).complete
    required_done = len(completion.required_steps(module) & completed)
    progress = (
        ModuleProgress(1, module.id, NOW, required_done, NOW) if completed else None
    )  # storage has no row for a learner who never opened the module
    facilitator_sees = status_of(module, progress) is Status.COMPLETED
    assert learner_sees == facilitator_sees
    assert learner_sees == (done is None or module is not sample)
