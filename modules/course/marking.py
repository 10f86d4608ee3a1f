"""Marking knowledge checks and scoring self-assessments."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from statistics import fmean

from modules.course.models import Option, Question, Quiz, Survey


class AnswerError(ValueError):
    """An answer that does not fit the question or survey it is given for."""


@dataclass(frozen=True)
class QuestionResult:
    question: Question
    selected: frozenset[str]
    right: bool

    @property
    def chosen(self) -> tuple[Option, ...]:
        """The options the learner chose, in written order, each with its feedback."""
        return tuple(o for o in self.question.options if o.id in self.selected)

    @property
    def correct(self) -> frozenset[str]:
        return correct_options(self.question)


@dataclass(frozen=True)
class QuizResult:
    questions: tuple[QuestionResult, ...]
    pass_mark: float

    @property
    def right(self) -> int:
        return sum(q.right for q in self.questions)

    @property
    def score(self) -> float:
        """Fraction of questions answered right."""
        return self.right / len(self.questions) if self.questions else 0.0

    @property
    def passed(self) -> bool:
        return self.score >= self.pass_mark - 1e-9


def answers_shown(quiz: Quiz, passed: Sequence[bool]) -> bool:
    """Whether the right answers and explanations may be shown, after attempts that `passed`.

    A failed attempt shows only which questions were right and the chosen options' feedback,
    so that a retry is a second try and not a copy; a pass, or `reveal_after` failures, show
    the answers.
    """
    return fails_until_shown(quiz, passed) == 0


def fails_until_shown(quiz: Quiz, passed: Sequence[bool]) -> int:
    """Failed attempts still to go before the right answers are shown; 0 once they are."""
    if any(passed):
        return 0
    return max(quiz.reveal_after - len(passed), 0)


def correct_options(question: Question) -> frozenset[str]:
    return frozenset(o.id for o in question.options if o.correct)


def mark_quiz(quiz: Quiz, answers: Mapping[str, Collection[str]]) -> QuizResult:
    """Mark one attempt; a question is right when the selected set equals the correct set.

    An unanswered question counts as wrong. Unknown questions or options raise AnswerError.
    """
    unknown = set(answers) - {q.id for q in quiz.questions}
    if unknown:
        raise AnswerError(f"the quiz has no question {', '.join(sorted(unknown))}")
    results = []
    for question in quiz.questions:
        selected = frozenset(answers.get(question.id, ()))
        offered = {o.id for o in question.options}
        if not selected <= offered:
            extra = ", ".join(sorted(selected - offered))
            raise AnswerError(f"question '{question.id}' has no option {extra}")
        if not question.multiple and len(selected) > 1:
            raise AnswerError(f"question '{question.id}' takes one answer, not {len(selected)}")
        results.append(QuestionResult(question, selected, selected == correct_options(question)))
    return QuizResult(tuple(results), quiz.pass_mark)


@dataclass(frozen=True)
class SurveyScore:
    """Answers on the survey's scale, 1 (its first label) to N (its last)."""

    answers: Mapping[str, int]
    scale_size: int
    item_count: int

    @property
    def complete(self) -> bool:
        return len(self.answers) == self.item_count

    @property
    def mean(self) -> float | None:
        return fmean(self.answers.values()) if self.answers else None


def score_survey(survey: Survey, answers: Mapping[str, int]) -> SurveyScore:
    items = {i.id for i in survey.items}
    for item_id, value in answers.items():
        if item_id not in items:
            raise AnswerError(f"the survey has no item '{item_id}'")
        if isinstance(value, bool) or not 1 <= value <= len(survey.scale):
            raise AnswerError(
                f"item '{item_id}': {value!r} is off the scale 1..{len(survey.scale)}"
            )
    return SurveyScore(dict(answers), len(survey.scale), len(survey.items))
