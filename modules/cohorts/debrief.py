"""The debrief of one module: how the cohort chose and answered, never who chose what.

Built from anonymous counts only (progress.tally_repo: they move in steps of at least the
threshold, so two views cannot be compared to find one learner's answer). Each figure carries
its Basis: over how many learners, as of when. Reflections are not an input. Any aggregate
over fewer learners than the threshold is withheld (see privacy.Guarded).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import tzinfo

from modules.cohorts.cohort import as_utc
from modules.cohorts.privacy import Guarded, guard
from modules.cohorts.records import (
    NO_BASIS,
    OUTCOMES,
    Basis,
    FirstChoiceCount,
    FirstQuizAnswerCount,
    Outcome,
)
from modules.course.check_ins import LABELS
from modules.course.marking import correct_options
from modules.course.models import Commitment, Course, Decision, Module, Quality, Quiz, Scenario

OUTCOME_LABELS = LABELS


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
    basis: Basis  # learners whose first finished attempt is counted


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
    basis: Basis  # learners whose first submitted attempt is counted


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
    misconceptions_basis: Basis
    quizzes: tuple[QuizDebrief, ...]
    commitments: Guarded[tuple[OutcomeCount, ...]]  # first check-ins
    commitments_basis: Basis
    facilitator_notes: str | None  # markdown, for facilitators only


def build_debrief(
    course: Course,
    module: Module,
    *,
    first_choices: Sequence[FirstChoiceCount],
    first_quiz_answers: Sequence[FirstQuizAnswerCount],
    commitment_outcomes: Mapping[str, int],
    bases: Mapping[str, Basis],
    threshold: int,
) -> Debrief:
    """The debrief of `module` for one cohort, from anonymous counts; `bases` by step id."""
    scenarios = tuple(
        _scenario(step, first_choices, bases.get(step.id, NO_BASIS), threshold)
        for step in module.steps
        if isinstance(step, Scenario)
    )
    plans = [bases.get(s.id, NO_BASIS) for s in module.steps if isinstance(s, Commitment)]
    return Debrief(
        module_id=module.id,
        title=module.title,
        threshold=threshold,
        scenarios=scenarios,
        misconceptions=_misconceptions(course, module, scenarios, threshold),
        misconceptions_basis=_combined((s.basis for s in scenarios), add=False),
        quizzes=tuple(
            _quiz(step, first_quiz_answers, bases.get(step.id, NO_BASIS), threshold)
            for step in module.steps
            if isinstance(step, Quiz)
        ),
        commitments=_commitments(commitment_outcomes, threshold),
        commitments_basis=_combined(plans, add=True),
        facilitator_notes=module.facilitator_notes,
    )


def basis_note(basis: Basis, threshold: int, zone: tzinfo) -> str:
    """In words: over how many learners a figure is, as of when (in the cohort's time zone)."""
    if basis.as_of is None or basis.learners < threshold:
        return f"Shown once {threshold} learners have finished it."
    local = as_utc(basis.as_of).astimezone(zone)
    return (
        f"Over {basis.learners} learners, as of {local.day} {local:%B %Y, %H:%M %Z}."
        f" Updated once {threshold} more have finished."
    )


def _combined(bases: Iterable[Basis], *, add: bool) -> Basis:
    """One basis for a figure drawn from several: learners added (or the most), latest time."""
    found = list(bases)
    counts = [b.learners for b in found]
    moments = [b.as_of for b in found if b.as_of is not None]
    learners = sum(counts) if add else max(counts, default=0)
    return Basis(learners, max(moments, default=None))


def _scenario(
    scenario: Scenario, counts: Sequence[FirstChoiceCount], basis: Basis, threshold: int
) -> ScenarioDebrief:
    mine = Counter[tuple[str, str]]()
    for count in counts:
        if count.step_id == scenario.id:
            mine[count.node_id, count.choice_id] += count.learners
    decisions = tuple(
        _decision(node, mine, threshold) for node in scenario.nodes if isinstance(node, Decision)
    )
    return ScenarioDebrief(scenario.id, scenario.title, decisions, basis)


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


def _quiz(
    quiz: Quiz, answers: Sequence[FirstQuizAnswerCount], basis: Basis, threshold: int
) -> QuizDebrief:
    """Right on the first try: exactly the correct options selected.

    A question left unanswered, or answered with options no longer written, counts as not
    right; answers to questions no longer in the quiz are left out.
    """
    questions = {q.id: q for q in quiz.questions}
    right = Counter[str]()
    for count in answers:
        question = questions.get(count.question_id) if count.step_id == quiz.id else None
        if question is not None and frozenset(count.selected) == correct_options(question):
            right[question.id] += count.learners
    learners = basis.learners

    def difficulty() -> tuple[QuestionDifficulty, ...]:
        rows = (
            QuestionDifficulty(q.id, q.text, right[q.id], right[q.id] / learners)
            for q in quiz.questions
        )
        return tuple(sorted(rows, key=lambda d: d.share_right))  # stable: written order on ties

    return QuizDebrief(quiz.id, quiz.title, guard(learners, threshold, difficulty), basis)


def _commitments(outcomes: Mapping[str, int], threshold: int) -> Guarded[tuple[OutcomeCount, ...]]:
    total = sum(outcomes.get(o, 0) for o in OUTCOMES)
    return guard(
        total,
        threshold,
        lambda: tuple(OutcomeCount(o, OUTCOME_LABELS[o], outcomes.get(o, 0)) for o in OUTCOMES),
    )
