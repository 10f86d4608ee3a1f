"""The quiz's `reveal_after` and the survey's `retrospective`: read, checked, in the schema."""

from __future__ import annotations

import dataclasses

import jsonschema
import pytest

from modules.course.marking import answers_shown, fails_until_shown
from modules.course.models import Quiz, Survey
from modules.course.schema import module_schema


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
