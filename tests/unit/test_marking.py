"""Quiz marking with per-option feedback, and survey scoring."""

from __future__ import annotations

import pytest

from modules.course.marking import AnswerError, mark_quiz, score_survey
from modules.course.models import Quiz, Survey

# answers -> (questions right, score, passed at the sample's pass mark of 0.5)
ATTEMPTS = [
    ({"q1": {"a"}, "q2": {"a", "c"}}, (True, True), 1.0, True),
    ({"q1": {"a"}, "q2": {"a"}}, (True, False), 0.5, True),
    ({"q1": {"b"}, "q2": {"a", "c"}}, (False, True), 0.5, True),
    ({"q1": {"b"}, "q2": {"a", "b", "c"}}, (False, False), 0.0, False),
    ({"q1": set(), "q2": set()}, (False, False), 0.0, False),
    ({}, (False, False), 0.0, False),
    ({"q2": {"c", "a"}}, (False, True), 0.5, True),
]


@pytest.mark.parametrize(("answers", "right", "score", "passed"), ATTEMPTS)
def test_mark_quiz(
    quiz: Quiz,
    answers: dict[str, set[str]],
    right: tuple[bool, ...],
    score: float,
    passed: bool,
) -> None:
    result = mark_quiz(quiz, answers)
    assert tuple(q.right for q in result.questions) == right
    assert result.score == pytest.approx(score)
    assert result.passed is passed


def test_chosen_options_carry_their_feedback(quiz: Quiz) -> None:
    result = mark_quiz(quiz, {"q1": {"b"}})
    first = result.questions[0]
    assert [o.id for o in first.chosen] == ["b"]
    assert first.chosen[0].feedback == "Reasons sound like defense."
    assert first.correct == {"a"}


def test_pass_mark_is_inclusive(quiz: Quiz) -> None:
    import dataclasses

    strict = dataclasses.replace(quiz, pass_mark=0.8)
    assert not mark_quiz(strict, {"q1": {"a"}}).passed
    assert mark_quiz(strict, {"q1": {"a"}, "q2": {"a", "c"}}).passed


@pytest.mark.parametrize(
    ("answers", "gist"),
    [
        ({"q9": {"a"}}, "no question q9"),
        ({"q1": {"z"}}, "question 'q1' has no option z"),
        ({"q1": {"a", "b"}}, "takes one answer, not 2"),
    ],
)
def test_bad_answers_are_refused(quiz: Quiz, answers: dict[str, set[str]], gist: str) -> None:
    with pytest.raises(AnswerError, match=gist):
        mark_quiz(quiz, answers)


@pytest.mark.parametrize(
    ("answers", "complete", "mean"),
    [
        ({}, False, None),
        ({"ask": 2}, False, 2.0),
        ({"ask": 2, "credit": 5}, True, 3.5),
        ({"ask": 1, "credit": 1}, True, 1.0),
    ],
)
def test_score_survey(
    survey: Survey, answers: dict[str, int], complete: bool, mean: float | None
) -> None:
    scored = score_survey(survey, answers)
    assert scored.complete is complete
    assert scored.mean == (pytest.approx(mean) if mean is not None else None)


@pytest.mark.parametrize(
    ("answers", "gist"),
    [
        ({"ask": 0}, "off the scale 1..5"),
        ({"ask": 6}, "off the scale"),
        ({"nope": 3}, "no item"),
        ({"ask": True}, "off the scale"),
    ],
)
def test_survey_answers_off_the_scale_are_refused(
    survey: Survey, answers: dict[str, int], gist: str
) -> None:
    with pytest.raises(AnswerError, match=gist):
        score_survey(survey, answers)
