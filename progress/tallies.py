"""Anonymous cohort figures that cannot be differenced (architecture: "Privacy of cohort figures").

A learner enters a figure once, when he finishes what it counts: his first finished attempt of
a scenario, his first submitted attempt of a quiz, the moment both self-assessment phases of a
survey step are answered in full, a commitment's first check-in. His values are then added to
the figure's pending counters in every cohort of the course he is an active member of, inside
the same transaction as the write that finished it (the repositories call in here). Joining a
cohort enters what he had finished before. Previews never count.

The counters hold no user id and no time of any learner, so removing a member or deleting an
account cannot change them. Facilitators see only the published counters, which move all at
once when at least `min_group` learners are pending: whatever two views a facilitator compares,
they differ by the values of `min_group` learners or more, never one.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select, tuple_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from progress.database import as_utc, fresh, insert_ignoring_conflict
from progress.tables import (
    CheckInRow,
    CohortFigureRow,
    CohortMemberRow,
    CohortRow,
    CohortTallyRow,
    CommitmentRow,
    QuizAttemptRow,
    ScenarioAttemptRow,
    ScenarioChoiceRow,
    SurveyAnswerRow,
    SurveyPhaseRow,
)

Amounts = Mapping[tuple[str, str], int]  # (subject, detail) -> what one learner adds

FIGURE_COLUMNS = ("cohort_id", "kind", "course_id", "module_id", "step_id")
SELF_ASSESSMENT_TOTALS = ("before", "after", "learners")


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


# Entering, called by the repositories inside the transaction that finishes something


def scenario_finished(session: Session, attempt_id: int) -> None:
    """Enter the attempt just finished when it is its learner's first finished one of the step."""
    attempt = _row(session, ScenarioAttemptRow, attempt_id)
    if attempt.is_preview:
        return
    figure = Figure("scenario", attempt.course_id, attempt.module_id, attempt.step_id)

    def first_path() -> Amounts | None:
        if _others_of_step(session, ScenarioAttemptRow, attempt, ScenarioAttemptRow.finished_at):
            return None
        return _paths(session, [attempt.id])[attempt.id]

    _enter(session, attempt.user_id, figure, first_path)


def quiz_submitted(session: Session, attempt_id: int) -> None:
    """Enter the attempt just submitted when it is its learner's first submitted one."""
    attempt = _row(session, QuizAttemptRow, attempt_id)
    if attempt.is_preview:
        return
    figure = Figure("quiz", attempt.course_id, attempt.module_id, attempt.step_id)

    def first_answers() -> Amounts | None:
        if _others_of_step(session, QuizAttemptRow, attempt, QuizAttemptRow.submitted_at):
            return None
        return _answer_amounts(attempt.answers)

    _enter(session, attempt.user_id, figure, first_answers)


def first_check_in(session: Session, commitment_id: int, outcome: str) -> None:
    """Enter a commitment's first check-in; the caller knows it is the first."""
    commitment = _row(session, CommitmentRow, commitment_id)
    if commitment.is_preview:
        return
    figure = Figure("commitment", commitment.course_id, commitment.module_id, commitment.step_id)
    _enter(session, commitment.user_id, figure, lambda: {(outcome, ""): 1})


def survey_phase_completed(
    session: Session, user_id: int, course_id: str, module_id: str, step_id: str
) -> None:
    """Enter the step's ratings once both phases are answered in full (just now, by the caller)."""
    figure = Figure("self_assessment", course_id, module_id, step_id)

    def ratings() -> Amounts | None:
        phases = select(func.count()).where(
            SurveyPhaseRow.user_id == user_id,
            SurveyPhaseRow.course_id == course_id,
            SurveyPhaseRow.module_id == module_id,
            SurveyPhaseRow.step_id == step_id,
            SurveyPhaseRow.is_preview.is_(False),
        )
        if (session.scalar(phases) or 0) < 2:
            return None
        return _ratings(session, user_id, figure)

    _enter(session, user_id, figure, ratings)


def member_joined(
    session: Session, cohort_id: int, user_id: int, removed_at: datetime | None
) -> None:
    """Enter what the learner finished before joining (or, rejoining, since he was removed).

    A learner finished everything before `removed_at` while a member, so it is in already.
    """
    course_id = session.scalar(select(CohortRow.course_id).where(CohortRow.id == cohort_id))
    if course_id is None:
        return
    entries = [
        entry
        for entry in learner_entries(session, user_id, course_id)
        if removed_at is None or entry.finished_at > as_utc(removed_at)
    ]
    _lock(session, [cohort_id], sorted({entry.figure for entry in entries}))
    for entry in sorted(entries, key=lambda e: e.figure):
        _add_pending(session, cohort_id, entry.figure, entry.amounts)


def learner_entries(session: Session, user_id: int, course_id: str) -> list[Entry]:
    """Every figure the learner has finished in the course, with his first values in each."""
    return [
        *_scenario_entries(session, user_id, course_id),
        *_quiz_entries(session, user_id, course_id),
        *_commitment_entries(session, user_id, course_id),
        *_self_assessment_entries(session, user_id, course_id),
    ]


# Publishing, when a facilitator reads


def publish_ready(
    session: Session,
    cohort_id: int,
    min_group: int,
    *,
    module_id: str | None = None,
    now: datetime | None = None,
) -> int:
    """Publish every figure (of the module) whose pending learners make a step of `min_group`.

    A figure whose published part is too small to be shown may publish as soon as the whole
    reaches `min_group`: no facilitator has seen its previous state. Returns how many moved.
    """
    figure = CohortFigureRow
    enough = or_(
        figure.pending_learners >= min_group,
        and_(
            figure.published_learners < min_group,
            figure.published_learners + figure.pending_learners >= min_group,
        ),
    )
    query = select(figure.kind, figure.course_id, figure.module_id, figure.step_id).where(
        figure.cohort_id == cohort_id, figure.pending_learners > 0, enough
    )
    if module_id is not None:
        query = query.where(figure.module_id == module_id)
    ordered = query.order_by(figure.kind, figure.course_id, figure.module_id, figure.step_id)
    ready = [Figure(*row) for row in session.execute(ordered.with_for_update())]
    if ready:
        _publish(session, cohort_id, ready, as_utc(now))
    return len(ready)


def _publish(session: Session, cohort_id: int, ready: Sequence[Figure], now: datetime) -> None:
    keys = [(f.kind, f.course_id, f.module_id, f.step_id) for f in ready]
    tally, figure = CohortTallyRow, CohortFigureRow
    session.execute(
        update(tally)
        .where(
            tally.cohort_id == cohort_id,
            tuple_(tally.kind, tally.course_id, tally.module_id, tally.step_id).in_(keys),
        )
        .values(published=tally.published + tally.pending, pending=0)
    )
    session.execute(
        update(figure)
        .where(
            figure.cohort_id == cohort_id,
            tuple_(figure.kind, figure.course_id, figure.module_id, figure.step_id).in_(keys),
        )
        .values(
            published_learners=figure.published_learners + figure.pending_learners,
            pending_learners=0,
            published_at=now,
        )
    )


# Adding to the pending counters


def _enter(
    session: Session, user_id: int, figure: Figure, values: Callable[[], Amounts | None]
) -> None:
    """Add `values()` to the figure in each of the learner's cohorts of the course.

    `values` runs after the figure's rows are locked, so that two transactions finishing the
    same learner's step at once (two tabs) cannot both see themselves as the first.
    """
    cohort_ids = _active_cohorts(session, user_id, figure.course_id)
    if not cohort_ids:
        return
    _lock(session, cohort_ids, [figure])
    amounts = values()
    if amounts is None:
        return
    for cohort_id in cohort_ids:
        _add_pending(session, cohort_id, figure, amounts)


def _active_cohorts(session: Session, user_id: int, course_id: str) -> list[int]:
    query = (
        select(CohortMemberRow.cohort_id)
        .join(CohortRow, CohortRow.id == CohortMemberRow.cohort_id)
        .where(
            CohortMemberRow.user_id == user_id,
            CohortMemberRow.removed_at.is_(None),
            CohortRow.course_id == course_id,
        )
        .order_by(CohortMemberRow.cohort_id)
    )
    return list(session.scalars(query))


def _lock(session: Session, cohort_ids: Sequence[int], figures: Sequence[Figure]) -> None:
    """Make sure the figures' rows exist and hold them, always in one order (no deadlocks)."""
    if not figures:
        return
    for cohort_id in cohort_ids:
        for figure in figures:
            row = _key_values(cohort_id, figure) | {"pending_learners": 0, "published_learners": 0}
            insert_ignoring_conflict(session, CohortFigureRow, row, key=FIGURE_COLUMNS)
    keys = [(c, f.kind, f.course_id, f.module_id, f.step_id) for c in cohort_ids for f in figures]
    columns = [getattr(CohortFigureRow, name) for name in FIGURE_COLUMNS]
    query = select(CohortFigureRow.cohort_id).where(tuple_(*columns).in_(keys))
    session.execute(query.order_by(*columns).with_for_update())


def _add_pending(session: Session, cohort_id: int, figure: Figure, amounts: Amounts) -> None:
    key = _key_values(cohort_id, figure)
    session.execute(
        update(CohortFigureRow)
        .where(*_figure_is(CohortFigureRow, key))
        .values(pending_learners=CohortFigureRow.pending_learners + 1)
    )
    if not amounts:
        return
    rows = [
        key | {"subject": subject, "detail": detail, "pending": amount, "published": 0}
        for (subject, detail), amount in sorted(amounts.items())
    ]
    statement = _insert(session).values(rows)
    statement = statement.on_conflict_do_update(
        index_elements=[*FIGURE_COLUMNS, "subject", "detail"],
        set_={"pending": CohortTallyRow.pending + statement.excluded.pending},
    )
    session.execute(statement)


def _insert(session: Session) -> Any:
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(CohortTallyRow)
    return sqlite.insert(CohortTallyRow)


def _key_values(cohort_id: int, figure: Figure) -> dict[str, Any]:
    return {
        "cohort_id": cohort_id,
        "kind": figure.kind,
        "course_id": figure.course_id,
        "module_id": figure.module_id,
        "step_id": figure.step_id,
    }


def _figure_is(
    table: type[CohortFigureRow] | type[CohortTallyRow], key: Mapping[str, Any]
) -> list[ColumnElement[bool]]:
    return [getattr(table, name) == key[name] for name in FIGURE_COLUMNS]


# A learner's first values, read from his own records


AttemptRow = ScenarioAttemptRow | QuizAttemptRow


def _row(session: Session, table: Any, row_id: int) -> Any:
    return session.execute(fresh(select(table).where(table.id == row_id))).scalar_one()


def _others_of_step(
    session: Session, table: type[AttemptRow], attempt: AttemptRow, done: Any
) -> bool:
    """Whether the learner has another finished (or submitted) attempt of the same step."""
    query = select(table.id).where(
        table.user_id == attempt.user_id,
        table.course_id == attempt.course_id,
        table.module_id == attempt.module_id,
        table.step_id == attempt.step_id,
        table.is_preview.is_(False),
        table.id != attempt.id,
        done.is_not(None),
    )
    return session.scalar(query.limit(1)) is not None


def _paths(session: Session, attempt_ids: Iterable[int]) -> dict[int, Counter[tuple[str, str]]]:
    """Each attempt's (node, choice) pairs, once each: a learner counts once per choice."""
    found: dict[int, Counter[tuple[str, str]]] = {i: Counter() for i in attempt_ids}
    query = select(
        ScenarioChoiceRow.attempt_id, ScenarioChoiceRow.node_id, ScenarioChoiceRow.choice_id
    ).where(ScenarioChoiceRow.attempt_id.in_(list(found)))
    for attempt_id, node_id, choice_id in session.execute(query.distinct()):
        found[attempt_id][node_id, choice_id] = 1
    return found


def _answer_amounts(answers: Mapping[str, Sequence[str]] | None) -> Counter[tuple[str, str]]:
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
    paths = _paths(session, [row.id for row in firsts])
    return [
        Entry(
            Figure("scenario", course_id, row.module_id, row.step_id),
            paths[row.id],
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
            _answer_amounts(row.answers),
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
        entries.append(Entry(figure, _ratings(session, user_id, figure), completed_at))
    return entries


def _ratings(session: Session, user_id: int, figure: Figure) -> Counter[tuple[str, str]]:
    """The step's statements rated in both phases: before and after sums, and one learner."""
    answer = SurveyAnswerRow
    query = select(answer.item_id, answer.phase, answer.value).where(
        *_learner_in_course(answer, user_id, figure.course_id),
        answer.module_id == figure.module_id,
        answer.step_id == figure.step_id,
    )
    given: dict[str, dict[str, int]] = {}
    for item_id, phase, value in session.execute(query):
        given.setdefault(item_id, {})[phase] = value
    amounts: Counter[tuple[str, str]] = Counter()
    for item_id, phases in given.items():
        if {"before", "after"} <= set(phases):
            amounts[item_id, "before"] = phases["before"]
            amounts[item_id, "after"] = phases["after"]
            amounts[item_id, "learners"] = 1
    return amounts


def _learner_in_course(table: Any, user_id: int, course_id: str) -> list[ColumnElement[bool]]:
    return [table.user_id == user_id, table.course_id == course_id, table.is_preview.is_(False)]
