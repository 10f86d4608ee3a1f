"""Aggregates over a cohort's learner records, for the dashboard and the debrief.

Each function runs one SQL statement whatever the cohort's size: the database groups and
counts, and Python only reshapes the result. Every query counts the cohort's active members
only and leaves preview rows out. Reflections are never read.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Float,
    Select,
    SQLColumnExpression,
    Subquery,
    and_,
    case,
    cast,
    false,
    func,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import InstrumentedAttribute, Session, aliased

from progress.tables import (
    CHECK_IN_OUTCOMES,
    CheckInRow,
    CohortMemberRow,
    CommitmentRow,
    QuizAttemptRow,
    ScenarioAttemptRow,
    ScenarioChoiceRow,
    StepProgressRow,
    SurveyAnswerRow,
)

NO_CHECK_IN = "no_check_in"


@dataclass(frozen=True, slots=True)
class ModuleStatusRow:
    user_id: int
    module_id: str
    started_at: datetime | None
    completed_steps: int  # completed steps among the module's required ones
    last_completed_at: datetime | None  # of those required steps


def module_status(
    session: Session, cohort_id: int, course_id: str, required: Mapping[str, Collection[str]]
) -> list[ModuleStatusRow]:
    """One row per active member and module with any step progress."""
    step = StepProgressRow
    members = _active_members(cohort_id)
    done = and_(step.status == "completed", _is_required(required))
    query = (
        select(
            step.user_id,
            step.module_id,
            func.min(step.started_at),
            func.sum(case((done, 1), else_=0)),
            func.max(case((done, step.completed_at))),
        )
        .join(members, members.c.user_id == step.user_id)
        .where(step.course_id == course_id, _counted(step.is_preview))
        .group_by(step.user_id, step.module_id)
        .order_by(step.user_id, step.module_id)
    )
    return [
        ModuleStatusRow(user, module, started, int(completed or 0), last)
        for user, module, started, completed, last in session.execute(query)
    ]


def last_activity(session: Session, cohort_id: int, course_id: str) -> dict[int, datetime]:
    """Each active member's latest step start or completion, choice, quiz submission, check-in.

    Members with no activity at all are left out.
    """
    members = _active_members(cohort_id)
    step, attempt, quiz = StepProgressRow, ScenarioAttemptRow, QuizAttemptRow
    # A step completes after it starts, so the later of the two is the completion, if any.
    steps = _latest(step.user_id, func.coalesce(step.completed_at, step.started_at)).where(
        step.course_id == course_id, _counted(step.is_preview)
    )
    choices = (
        _latest(attempt.user_id, ScenarioChoiceRow.chosen_at)
        .join(ScenarioChoiceRow, ScenarioChoiceRow.attempt_id == attempt.id)
        .where(attempt.course_id == course_id, _counted(attempt.is_preview))
    )
    quizzes = _latest(quiz.user_id, quiz.submitted_at).where(
        quiz.course_id == course_id, _counted(quiz.is_preview)
    )
    check_ins = (
        _latest(CommitmentRow.user_id, CheckInRow.checked_at)
        .join(CheckInRow, CheckInRow.commitment_id == CommitmentRow.id)
        .where(CommitmentRow.course_id == course_id, _counted(CommitmentRow.is_preview))
    )
    parts = [
        part.join(members, members.c.user_id == user).group_by(user)
        for part, user in (
            (steps, step.user_id),
            (choices, attempt.user_id),
            (quizzes, quiz.user_id),
            (check_ins, CommitmentRow.user_id),
        )
    ]
    every = union_all(*parts).subquery("activity")
    query = select(every.c.user_id, func.max(every.c.at)).group_by(every.c.user_id)
    return {user: moment for user, moment in session.execute(query) if moment is not None}


def best_quiz_scores(
    session: Session, cohort_id: int, course_id: str
) -> dict[tuple[int, str], float]:
    """(user id, module id) -> the member's best submitted quiz score in that module."""
    quiz = QuizAttemptRow
    members = _active_members(cohort_id)
    query = (
        select(quiz.user_id, quiz.module_id, func.max(quiz.score))
        .join(members, members.c.user_id == quiz.user_id)
        .where(
            quiz.course_id == course_id,
            _counted(quiz.is_preview),
            quiz.submitted_at.is_not(None),
            quiz.score.is_not(None),
        )
        .group_by(quiz.user_id, quiz.module_id)
    )
    rows = session.execute(query)
    return {(user, module): float(best) for user, module, best in rows if best is not None}


def first_choice_counts(
    session: Session, cohort_id: int, course_id: str, module_id: str
) -> list[tuple[str, str, str, int]]:
    """(step id, node id, choice id, learners) over each member's first attempt per scenario."""
    first = _first_attempts(ScenarioAttemptRow, cohort_id, course_id, module_id)
    choice, learner = ScenarioChoiceRow, first.c.user_id
    query = (
        select(first.c.step_id, choice.node_id, choice.choice_id, func.count(learner.distinct()))
        .join(choice, choice.attempt_id == first.c.attempt_id)
        .group_by(first.c.step_id, choice.node_id, choice.choice_id)
        .order_by(first.c.step_id, choice.node_id, choice.choice_id)
    )
    rows = session.execute(query)
    return [(step, node, chosen, int(learners)) for step, node, chosen, learners in rows]


def first_quiz_answers(
    session: Session, cohort_id: int, course_id: str, module_id: str
) -> list[tuple[str, dict[str, tuple[str, ...]]]]:
    """(step id, answers) of each member's first submitted attempt per quiz; nobody named.

    Sorted by step and answers, so that not even the order hints at who answered what.
    """
    submitted = QuizAttemptRow.submitted_at.is_not(None)
    first = _first_attempts(QuizAttemptRow, cohort_id, course_id, module_id, submitted)
    query = select(QuizAttemptRow.step_id, QuizAttemptRow.answers).join(
        first, first.c.attempt_id == QuizAttemptRow.id
    )
    found = [
        (step, {question: tuple(options) for question, options in (answers or {}).items()})
        for step, answers in session.execute(query)
    ]
    return sorted(found, key=lambda item: (item[0], sorted(item[1].items())))


def commitment_outcomes(
    session: Session, cohort_id: int, course_id: str, module_id: str | None = None
) -> dict[str, int]:
    """How many members' commitments stand at each latest check-in outcome, or none yet."""
    commitment = CommitmentRow
    members = _active_members(cohort_id)
    earlier = aliased(CheckInRow)
    latest_day = (
        select(func.max(earlier.checked_on))
        .where(earlier.commitment_id == commitment.id)
        .correlate(commitment)
        .scalar_subquery()
    )
    latest = and_(CheckInRow.commitment_id == commitment.id, CheckInRow.checked_on == latest_day)
    query = (
        select(CheckInRow.outcome, func.count(commitment.id))
        .select_from(commitment)
        .join(members, members.c.user_id == commitment.user_id)
        .outerjoin(CheckInRow, latest)
        .where(commitment.course_id == course_id, _counted(commitment.is_preview))
        .group_by(CheckInRow.outcome)
    )
    if module_id is not None:
        query = query.where(commitment.module_id == module_id)
    counts = dict.fromkeys((*CHECK_IN_OUTCOMES, NO_CHECK_IN), 0)
    for outcome, count in session.execute(query):
        counts[outcome or NO_CHECK_IN] += int(count)
    return counts


def self_assessment_means(
    session: Session, cohort_id: int, course_id: str, survey_module: str
) -> list[tuple[str, int, float, float]]:
    """(item id, learners who answered it before and after, mean before, mean after)."""
    before, after = aliased(SurveyAnswerRow), aliased(SurveyAnswerRow)
    members = _active_members(cohort_id)
    same_answer = and_(
        after.user_id == before.user_id,
        after.course_id == before.course_id,
        after.module_id == before.module_id,
        after.step_id == before.step_id,
        after.is_preview == before.is_preview,
        after.item_id == before.item_id,
        after.phase == "after",
    )
    query = (
        select(
            before.item_id,
            func.count(),
            func.avg(cast(before.value, Float)),
            func.avg(cast(after.value, Float)),
        )
        .join(members, members.c.user_id == before.user_id)
        .join(after, same_answer)
        .where(
            before.course_id == course_id,
            before.module_id == survey_module,
            before.phase == "before",
            _counted(before.is_preview),
        )
        .group_by(before.item_id)
        .order_by(before.item_id)
    )
    return [
        (item, int(learners), float(mean_before), float(mean_after))
        for item, learners, mean_before, mean_after in session.execute(query)
    ]


def _active_members(cohort_id: int) -> Subquery:
    return (
        select(CohortMemberRow.user_id)
        .where(CohortMemberRow.cohort_id == cohort_id, CohortMemberRow.removed_at.is_(None))
        .subquery("members")
    )


def _counted(is_preview: InstrumentedAttribute[bool]) -> ColumnElement[bool]:
    return is_preview == false()


def _is_required(required: Mapping[str, Collection[str]]) -> ColumnElement[bool]:
    steps = [
        and_(StepProgressRow.module_id == module, StepProgressRow.step_id.in_(sorted(ids)))
        for module, ids in sorted(required.items())
        if ids
    ]
    return or_(*steps) if steps else false()


def _latest(
    user: InstrumentedAttribute[int], moment: SQLColumnExpression[Any]
) -> Select[int, datetime | None]:
    return select(user.label("user_id"), func.max(moment).label("at"))


def _first_attempts(
    table: type[ScenarioAttemptRow] | type[QuizAttemptRow],
    cohort_id: int,
    course_id: str,
    module_id: str,
    *conditions: ColumnElement[bool],
) -> Subquery:
    """(user id, step id, attempt id) of each active member's first attempt per step."""
    members = _active_members(cohort_id)
    query = (
        select(table.user_id, table.step_id, func.min(table.id).label("attempt_id"))
        .join(members, members.c.user_id == table.user_id)
        .where(table.course_id == course_id, table.module_id == module_id)
        .where(_counted(table.is_preview), *conditions)
        .group_by(table.user_id, table.step_id)
    )
    return query.subquery("first_attempts")
