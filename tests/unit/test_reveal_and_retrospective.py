"""The quiz's `reveal_after` and the survey's `retrospective`: read, checked, in the schema."""

from __future__ import annotations

import dataclasses

import jsonschema
import pytest

from modules.course.completion import Phase
from modules.course.marking import answers_shown, fails_until_shown
from modules.course.models import CourseContent, Quiz, Survey
from modules.course.schema import module_schema
from modules.services.actors import Actor
from modules.services.errors import InvalidInput
from modules.services.learning import LearningService
from tests.fakes import FakeUnitOfWork

LEARNER = Actor(1, "Dev", frozenset({"learner"}))


@pytest.mark.parametrize(
    ("reveal_after", "passed", "to_go"),
    [
        (2, [], 2),
        (2, [False], 1),
        (2, [False, False], 0),
        (2, [False, False, False], 0),
        (2, [True], 0),
        (2, [False, True], 0),
        (2, [True, False], 0),  # passed once: he has seen the answers already
        (0, [], 0),
        (0, [False], 0),
        (1, [False], 0),
        (3, [False, False], 1),
    ],
)
def test_failures_until_the_answers_show(
    quiz: Quiz, reveal_after: int, passed: list[bool], to_go: int
) -> None:
    rule = dataclasses.replace(quiz, reveal_after=reveal_after)
    assert fails_until_shown(rule, passed) == to_go
    assert answers_shown(rule, passed) == (to_go == 0)


def test_the_defaults(quiz: Quiz, content: object) -> None:
    assert quiz.reveal_after == 2
    survey = content.modules["survey"].steps[0]  # type: ignore[attr-defined]
    assert isinstance(survey, Survey) and survey.retrospective is False


def _step_schema(name: str) -> dict[str, object]:
    return module_schema()["$defs"][name]  # type: ignore[no-any-return]


def test_the_schema_knows_both_fields() -> None:
    reveal = _step_schema("Quiz")["properties"]["reveal_after"]  # type: ignore[index]
    assert reveal["type"] == "integer" and reveal["minimum"] == 0
    retrospective = _step_schema("Survey")["properties"]["retrospective"]  # type: ignore[index]
    assert retrospective["type"] == "boolean"


@pytest.mark.parametrize(
    ("step", "valid"),
    [
        ({"type": "quiz", "reveal_after": 0}, True),
        ({"type": "quiz", "reveal_after": 3}, True),
        ({"type": "quiz", "reveal_after": -1}, False),
        ({"type": "quiz", "reveal_after": 1.5}, False),
        ({"type": "quiz", "reveal_after": "2"}, False),
        ({"type": "survey", "retrospective": True}, True),
        ({"type": "survey", "retrospective": "yes"}, False),
        ({"type": "quiz", "retrospective": True}, False),
    ],
)
def test_the_schema_checks_their_values(step: dict[str, object], valid: bool) -> None:
    base: dict[str, object] = {
        "quiz": {"id": "q", "questions": []},
        "survey": {"id": "s", "scale": ["No", "Yes"], "items": []},
    }[str(step["type"])]  # type: ignore[assignment]
    module = {
        "id": "m",
        "title": "M",
        "summary": "S",
        "minutes": 5,
        "objectives": ["Ask"],
        "steps": [{**base, **step}],  # type: ignore[dict-item]
    }
    if valid:
        jsonschema.validate(module, module_schema())
    else:
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(module, module_schema())


# The retrospective self-assessment in the learning service (fake unit of work)


def _retrospective(content: CourseContent) -> CourseContent:
    survey = content.modules["survey"]
    step = survey.steps[0]
    assert isinstance(step, Survey)
    module = dataclasses.replace(survey, steps=(dataclasses.replace(step, retrospective=True),))
    return dataclasses.replace(content, modules={**content.modules, "survey": module})


@pytest.fixture
def looking_back_service(content: CourseContent) -> tuple[LearningService, FakeUnitOfWork]:
    uow = FakeUnitOfWork()
    uow.people.roles[LEARNER.user_id] = LEARNER.roles
    return LearningService(uow, _retrospective(content)), uow


def _finish_course(learning: LearningService, uow: FakeUnitOfWork) -> None:
    """Mark the one course module's steps complete, as its steps' services would."""
    for step in learning.content.modules["sample"].steps:
        with uow as work:
            ref = learning.ref("sample", step.id)
            work.learning.mark_completed(LEARNER.user_id, ref, "v", False)


def test_the_after_phase_is_taken_only_with_both_ratings_of_every_statement(
    looking_back_service: tuple[LearningService, FakeUnitOfWork],
) -> None:
    learning, uow = looking_back_service
    learning.save_self_assessment(LEARNER, Phase.BEFORE, {"ask": 4, "credit": 4})
    _finish_course(learning, uow)
    assert learning.overview(LEARNER).self_assessment_due is Phase.AFTER
    learning.save_self_assessment(LEARNER, Phase.AFTER, {"ask": 4, "credit": 5})
    assert learning.overview(LEARNER).self_assessment_due is Phase.AFTER  # no "then" yet
    learning.save_self_assessment(LEARNER, Phase.AFTER, {}, looking_back={"ask": 2, "credit": 3})
    assert learning.overview(LEARNER).self_assessment_due is None
    record = learning.record(LEARNER)
    assert learning.self_assessment_answers_of(record)[Phase.AFTER] == {"ask": 4, "credit": 5}
    assert learning.looking_back_of(record) == {"ask": 2, "credit": 3}


@pytest.mark.parametrize(
    ("phase", "looking_back", "message"),
    [
        (Phase.BEFORE, {"ask": 2}, "only at the end"),
        (Phase.AFTER, {"ask": 0}, "on the scale"),
        (Phase.AFTER, {"ask": 6}, "on the scale"),
    ],
)
def test_bad_looking_back_ratings_are_refused_and_nothing_is_stored(
    looking_back_service: tuple[LearningService, FakeUnitOfWork],
    phase: Phase,
    looking_back: dict[str, int],
    message: str,
) -> None:
    learning, uow = looking_back_service
    with pytest.raises(InvalidInput, match=message):
        learning.save_self_assessment(LEARNER, phase, {"ask": 3}, looking_back=looking_back)
    assert uow.learning.surveys == {}


def test_a_survey_that_is_not_retrospective_refuses_looking_back(
    content: CourseContent,
) -> None:
    uow = FakeUnitOfWork()
    uow.people.roles[LEARNER.user_id] = LEARNER.roles
    learning = LearningService(uow, content)
    with pytest.raises(InvalidInput, match="only at the end"):
        learning.save_self_assessment(LEARNER, Phase.AFTER, {"ask": 3}, looking_back={"ask": 2})
