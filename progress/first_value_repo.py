"""A learner's first values for each anonymous figure, read from his own records.

What progress.tally_repo adds to a cohort's counters: his first finished attempt of a scenario
(each node and choice once), his first submitted answers to a quiz (one selection per
question), the outcome of a commitment's first check-in, and his ratings once both phases of a
survey step are complete (before and after sums, and one learner, per statement; and, where he
also rated "then", looking back, a retrospective figure of before, then and after). Nothing
here writes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from progress.database import fresh
from progress.tables import (
    CheckInRow,
    CommitmentRow,
    QuizAttemptRow,
    ScenarioAttemptRow,
    ScenarioChoiceRow,
    SurveyAnswerRow,
    SurveyPhaseRow,
)

Amounts = Mapping[tuple[str, str], int]  # (subject, detail) -> what one learner adds


@dataclass(frozen=True, slots=True, order=True)
class Figure:
    """One figure of any cohort: the kind and the step of the course it counts."""

    kind: str
    course_id: str
    module_id: str
    step_id: str


@dataclass(frozen=True, slots=True)
class Entry:
    """One learner's values for one figure, and when he finished what it counts."""

    figure: Figure
    amounts: Amounts
    finished_at: datetime


def learner_entries(session: Session, user_id: int, course_id: str) -> list[Entry]:
    """Every figure the learner has finished in the course, with his first values in each."""
    return [
        *_scenario_entries(session, user_id, course_id),
        *_quiz_entries(session, user_id, course_id),
        *_commitment_entries(session, user_id, course_id),
        *_self_assessment_entries(session, user_id, course_id),
    ]


AttemptRow = ScenarioAttemptRow | QuizAttemptRow


def load(session: Session, table: Any, row_id: int) -> Any:
    """The row as stored now (an earlier copy in the session may be stale)."""
    return session.execute(fresh(select(table).where(table.id == row_id))).scalar_one()


def has_another(
    session: Session,
    table: type[AttemptRow],
    attempt_id: int,
    user_id: int,
    figure: Figure,
    done: Any,
) -> bool:
    """Whether the learner has another finished (or submitted) attempt of the figure's step."""
    query = select(table.id).where(
        table.user_id == user_id,
        table.course_id == figure.course_id,
        table.module_id == figure.module_id,
        table.step_id == figure.step_id,
        table.is_preview.is_(False),
        table.id != attempt_id,
        done.is_not(None),
    )
    return session.scalar(query.limit(1)) is not None


def paths(session: Session, attempt_ids: Iterable[int]) -> dict[int, Counter[tuple[str, str]]]:
    """Each attempt's (node, choice) pairs, once each: a learner counts once per choice."""
    found: dict[int, Counter[tuple[str, str]]] = {i: Counter() for i in attempt_ids}
    query = select(
        ScenarioChoiceRow.attempt_id, ScenarioChoiceRow.node_id, ScenarioChoiceRow.choice_id
    ).where(ScenarioChoiceRow.attempt_id.in_(list(found)))
    for attempt_id, node_id, choice_id in session.execute(query.distinct()):
        found[attempt_id][node_id, choice_id] = 1
    return found


def answer_amounts(answers: Mapping[str, Sequence[str]] | None) -> Counter[tuple[str, str]]:
    """One per question: the options selected, as one sorted, space-separated detail."""
    return Counter({(q, " ".join(sorted(options))): 1 for q, options in (answers or {}).items()})


def _firsts(rows: Iterable[Any], moment: Callable[[Any], datetime]) -> list[Any]:
    """The earliest row of each step (ties: the lower id)."""
    first: dict[tuple[str, str], Any] = {}
    for row in sorted(rows, key=lambda r: (moment(r), r.id)):
        first.setdefault((row.module_id, row.step_id), row)
    return list(first.values())


def _scenario_entries(session: Session, user_id: int, course_id: str) -> list[Entry]:
    attempt = ScenarioAttemptRow
    finished = session.scalars(
        select(attempt).where(
            *_learner_in_course(attempt, user_id, course_id), attempt.finished_at.is_not(None)
        )
    )
    firsts = _firsts(finished, lambda row: row.finished_at)
    taken = paths(session, [row.id for row in firsts])
    return [
        Entry(
            Figure("scenario", course_id, row.module_id, row.step_id),
            taken[row.id],
            row.finished_at,
        )
        for row in firsts
    ]


def _quiz_entries(session: Session, user_id: int, course_id: str) -> list[Entry]:
    attempt = QuizAttemptRow
    submitted = session.scalars(
        select(attempt).where(
            *_learner_in_course(attempt, user_id, course_id), attempt.submitted_at.is_not(None)
        )
    )
    return [
        Entry(
            Figure("quiz", course_id, row.module_id, row.step_id),
            answer_amounts(row.answers),
            row.submitted_at,
        )
        for row in _firsts(submitted, lambda row: row.submitted_at)
    ]


def _commitment_entries(session: Session, user_id: int, course_id: str) -> list[Entry]:
    first_day = (
        select(func.min(CheckInRow.checked_on))
        .where(CheckInRow.commitment_id == CommitmentRow.id)
        .correlate(CommitmentRow)
        .scalar_subquery()
    )
    query = (
        select(CommitmentRow.module_id, CommitmentRow.step_id, CheckInRow)
        .join(CheckInRow, CheckInRow.commitment_id == CommitmentRow.id)
        .where(
            *_learner_in_course(CommitmentRow, user_id, course_id),
            CheckInRow.checked_on == first_day,
        )
    )
    return [
        Entry(
            Figure("commitment", course_id, module_id, step_id),
            {(check.outcome, ""): 1},
            check.checked_at,
        )
        for module_id, step_id, check in session.execute(query)
    ]


def _self_assessment_entries(session: Session, user_id: int, course_id: str) -> list[Entry]:
    phase = SurveyPhaseRow
    query = (
        select(phase.module_id, phase.step_id, func.max(phase.completed_at))
        .where(*_learner_in_course(phase, user_id, course_id))
        .group_by(phase.module_id, phase.step_id)
        .having(func.count() == 2)
    )
    entries = []
    for module_id, step_id, completed_at in session.execute(query):
        figure = Figure("self_assessment", course_id, module_id, step_id)
        entries.append(Entry(figure, ratings(session, user_id, figure), completed_at))
        looking_back = retrospective_ratings(session, user_id, figure)
        if looking_back:
            retrospective = Figure("retrospective", course_id, module_id, step_id)
            entries.append(Entry(retrospective, looking_back, completed_at))
    return entries


def both_phases_complete(session: Session, user_id: int, figure: Figure) -> bool:
    """Whether the learner has answered both phases of the survey step in full."""
    phase = SurveyPhaseRow
    query = select(func.count()).where(
        *_learner_in_course(phase, user_id, figure.course_id),
        phase.module_id == figure.module_id,
        phase.step_id == figure.step_id,
    )
    return (session.scalar(query) or 0) >= 2


def ratings(session: Session, user_id: int, figure: Figure) -> Counter[tuple[str, str]]:
    """The step's statements rated in both phases: before and after sums, and one learner."""
    return _sums(_given(session, user_id, figure), ("before", "after"))


def retrospective_ratings(
    session: Session, user_id: int, figure: Figure
) -> Counter[tuple[str, str]]:
    """The statements rated before, then (looking back) and after: the three, and one learner.

    Empty when he gave no "then" rating (the survey did not ask for one when he finished).
    """
    return _sums(_given(session, user_id, figure), ("before", "then", "after"))


def _given(session: Session, user_id: int, figure: Figure) -> dict[str, dict[str, int]]:
    """item id -> "before", "after" and (a "then" rating of the after phase) "then" -> value."""
    answer = SurveyAnswerRow
    query = select(answer.item_id, answer.phase, answer.rating, answer.value).where(
        *_learner_in_course(answer, user_id, figure.course_id),
        answer.module_id == figure.module_id,
        answer.step_id == figure.step_id,
    )
    given: dict[str, dict[str, int]] = {}
    for item_id, phase, rating, value in session.execute(query):
        given.setdefault(item_id, {})["then" if rating == "then" else phase] = value
    return given


def _sums(
    given: Mapping[str, Mapping[str, int]], wanted: Sequence[str]
) -> Counter[tuple[str, str]]:
    amounts: Counter[tuple[str, str]] = Counter()
    for item_id, values in given.items():
        if set(wanted) <= set(values):
            for name in wanted:
                amounts[item_id, name] = values[name]
            amounts[item_id, "learners"] = 1
    return amounts


def _learner_in_course(table: Any, user_id: int, course_id: str) -> list[ColumnElement[bool]]:
    return [table.user_id == user_id, table.course_id == course_id, table.is_preview.is_(False)]
