"""The debrief of one module: how the cohort chose and answered, never who chose what.

Built from counts and anonymous first attempts only. Reflections are not an input. Any
aggregate over fewer learners than the threshold is withheld (see privacy.Guarded).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from modules.cohorts.privacy import Guarded, guard
from modules.cohorts.records import OUTCOMES, FirstChoiceCount, FirstQuizAnswers, Outcome
from modules.course.marking import AnswerError, mark_quiz
from modules.course.models import Course, Decision, Module, Quality, Quiz, Scenario

OUTCOME_LABELS: Mapping[Outcome, str] = {
    "done": "Done",
    "partly": "Partly done",
    "not_yet": "Not yet",
    "no_check_in": "No check-in yet",
}


@dataclass(frozen=True)
class ChoiceShare:
    choice_id: str
    text: str
    quality: Quality
    misconception: str | None
    learners: int
    share: float  # of the learners who reached the decision


@dataclass(frozen=True)
class DecisionSpread:
    """The first choices at one decision, in the written order of the choices."""

    node_id: str
    text: str
    choices: Guarded[tuple[ChoiceShare, ...]]


@dataclass(frozen=True)
class ScenarioDebrief:
    step_id: str
    title: str | None
    decisions: tuple[DecisionSpread, ...]  # in the written order of the nodes


@dataclass(frozen=True)
class MisconceptionCount:
    misconception_id: str
    name: str
    description: str
    times: int  # first choices tagged with it, over the decisions shown


@dataclass(frozen=True)
class QuestionDifficulty:
    question_id: str
    text: str
    right: int
    share_right: float  # of first attempts


@dataclass(frozen=True)
class QuizDebrief:
    step_id: str
    title: str | None
    questions: Guarded[tuple[QuestionDifficulty, ...]]  # hardest first


@dataclass(frozen=True)
class OutcomeCount:
    outcome: Outcome
    label: str
    commitments: int


@dataclass(frozen=True)
class Debrief:
    module_id: str
    title: str
    threshold: int
    scenarios: tuple[ScenarioDebrief, ...]
    misconceptions: Guarded[tuple[MisconceptionCount, ...]]  # most chosen first
    quizzes: tuple[QuizDebrief, ...]
    commitments: Guarded[tuple[OutcomeCount, ...]]
    facilitator_notes: str | None  # markdown, for facilitators only


def build_debrief(
    course: Course,
    module: Module,
    *,
    first_choices: Sequence[FirstChoiceCount],
    first_quiz_answers: Sequence[FirstQuizAnswers],
    commitment_outcomes: Mapping[str, int],
    threshold: int,
) -> Debrief:
    """The debrief of `module` for one cohort, from anonymous counts and first attempts."""
    scenarios = tuple(
        _scenario(step, first_choices, threshold)
        for step in module.steps
        if isinstance(step, Scenario)
    )
    return Debrief(
        module_id=module.id,
        title=module.title,
        threshold=threshold,
        scenarios=scenarios,
        misconceptions=_misconceptions(course, module, scenarios, threshold),
        quizzes=tuple(
            _quiz(step, first_quiz_answers, threshold)
            for step in module.steps
            if isinstance(step, Quiz)
        ),
        commitments=_commitments(commitment_outcomes, threshold),
        facilitator_notes=module.facilitator_notes,
    )


def _scenario(
    scenario: Scenario, counts: Sequence[FirstChoiceCount], threshold: int
) -> ScenarioDebrief:
    mine = Counter[tuple[str, str]]()
    for count in counts:
        if count.step_id == scenario.id:
            mine[count.node_id, count.choice_id] += count.learners
    decisions = tuple(
        _decision(node, mine, threshold) for node in scenario.nodes if isinstance(node, Decision)
    )
    return ScenarioDebrief(scenario.id, scenario.title, decisions)


def _decision(
    node: Decision, counts: Mapping[tuple[str, str], int], threshold: int
) -> DecisionSpread:
    """Counts of choices no longer in the node (older content) are left out."""
    taken = {c.id: counts.get((node.id, c.id), 0) for c in node.choices}
    reached = sum(taken.values())
    return DecisionSpread(
        node.id,
        node.text,
        guard(
            reached,
            threshold,
            lambda: tuple(
                ChoiceShare(
                    c.id, c.text, c.quality, c.misconception, taken[c.id], taken[c.id] / reached
                )
                for c in node.choices
            ),
        ),
    )


def _misconceptions(
    course: Course, module: Module, scenarios: Sequence[ScenarioDebrief], threshold: int
) -> Guarded[tuple[MisconceptionCount, ...]]:
    """Summed over shown decisions only, so a withheld one cannot be found by subtraction."""
    tagged = {
        c.misconception
        for step in module.steps
        if isinstance(step, Scenario)
        for node in step.nodes
        if isinstance(node, Decision)
        for c in node.choices
        if c.misconception
    }
    times = Counter[str]()
    for spread in (d.choices for s in scenarios for d in s.decisions):
        for share in spread.value or ():
            if share.misconception:
                times[share.misconception] += share.learners
    learners = max((_starters(s) for s in scenarios), default=0)
    if not tagged:
        return Guarded(learners, threshold, ())  # nothing to withhold
    return guard(
        learners,
        threshold,
        lambda: tuple(
            sorted(
                (
                    MisconceptionCount(m.id, m.name, m.description, times[m.id])
                    for m in course.misconceptions
                    if m.id in tagged
                ),
                key=lambda m: (-m.times, m.name.casefold()),
            )
        ),
    )


def _starters(scenario: ScenarioDebrief) -> int:
    """Learners who made a first choice in the scenario (at its first decision)."""
    return max((d.choices.learners for d in scenario.decisions), default=0)


def _quiz(quiz: Quiz, answers: Sequence[FirstQuizAnswers], threshold: int) -> QuizDebrief:
    """Attempts that no longer mark under the current content are left out."""
    results = []
    for attempt in answers:
        if attempt.step_id == quiz.id:
            try:
                results.append(mark_quiz(quiz, attempt.answers))
            except AnswerError:
                continue
    right = Counter(r.question.id for result in results for r in result.questions if r.right)

    def difficulty() -> tuple[QuestionDifficulty, ...]:
        rows = (
            QuestionDifficulty(q.id, q.text, right[q.id], right[q.id] / len(results))
            for q in quiz.questions
        )
        return tuple(sorted(rows, key=lambda d: d.share_right))  # stable: written order on ties

    return QuizDebrief(quiz.id, quiz.title, guard(len(results), threshold, difficulty))


def _commitments(outcomes: Mapping[str, int], threshold: int) -> Guarded[tuple[OutcomeCount, ...]]:
    total = sum(outcomes.get(o, 0) for o in OUTCOMES)
    return guard(
        total,
        threshold,
        lambda: tuple(OutcomeCount(o, OUTCOME_LABELS[o], outcomes.get(o, 0)) for o in OUTCOMES),
    )
