"""The course's own quizzes: a wrong option's feedback says why it falls short, not what is right.

After a failed attempt the learner reads the feedback of the options he chose, and not the
right answers (content-format.md, `reveal_after`). A wrong option's feedback that repeats the
right option's words would give the answer away; this checks that none shares a run of
`RUN` words with a right option of its question.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from modules.course.models import Option, Question, Quiz
from modules.course.validation import validate_directory

CONTENT = Path(__file__).resolve().parents[2] / "content"
RUN = 4  # words in a row; three-word runs are mostly "the", "of", "her" filler
WORD = re.compile(r"[a-z0-9']+")


def runs(text: str, size: int = RUN) -> set[tuple[str, ...]]:
    words = WORD.findall(re.sub(r"\[@[^\]]*\]", "", text.lower()))
    return {tuple(words[i : i + size]) for i in range(len(words) - size + 1)}


def wrong_options() -> Iterator[tuple[str, Question, Option]]:
    content = validate_directory(CONTENT).content
    assert content is not None
    for module in content.listed_modules:
        for step in module.steps:
            if isinstance(step, Quiz):
                for question in step.questions:
                    for option in question.options:
                        if not option.correct:
                            yield f"{module.id}/{question.id}/{option.id}", question, option


CASES = list(wrong_options())


@pytest.mark.parametrize(("where", "question", "option"), CASES, ids=[c[0] for c in CASES])
def test_a_wrong_options_feedback_does_not_repeat_the_right_answer(
    where: str, question: Question, option: Option
) -> None:
    assert option.feedback, f"{where}: a wrong option needs feedback saying why it falls short"
    right = set().union(*(runs(o.text) for o in question.options if o.correct))
    shared = runs(option.feedback) & right
    assert not shared, f"{where}: its feedback repeats the right answer: {sorted(shared)}"


def test_the_check_finds_a_feedback_that_repeats_the_answer() -> None:
    assert runs("Try this: walk through a real month under the rule.") & runs(
        "Walk through a real month under the rule with two doctors"
    )


def test_there_are_quizzes_to_check() -> None:
    assert len(CASES) >= 60
