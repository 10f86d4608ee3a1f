"""Anonymous cohort figures that cannot be differenced (architecture: "Privacy of cohort figures").

A learner enters a figure once, when he finishes what it counts: his first finished attempt of
a scenario, his first submitted attempt of a quiz, the moment both self-assessment phases of a
survey step are answered in full (his "then" ratings, looking back, enter a retrospective
figure at that moment too), a commitment's first check-in. His values are then added to
the figure's pending counters in every cohort of the course he is an active member of, inside
the same transaction as the write that finished it (the repositories call in here; his values
are read by progress.first_value_repo). Joining a cohort enters what he had finished before.
Previews never count.

The counters hold no user id and no time of any learner, so removing a member or deleting an
account cannot change them. Facilitators see only the published counters, which move all at
once when at least `min_group` learners are pending: whatever two views a facilitator compares,
they differ by the values of `min_group` learners or more, never one. The move happens when a
facilitator reads (publish_ready, in the read's transaction, with ALLY_MIN_GROUP from the
service), so storage needs no setting and the learner's own writes never wait on it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, select, tuple_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from progress import first_value_repo
from progress.database import as_utc, insert_ignoring_conflict
from progress.first_value_repo import Amounts, Figure
from progress.step_repo import StepRef
from progress.tables import (
    CohortFigureRow,
    CohortMemberRow,
    CohortRow,
    CohortTallyRow,
    CommitmentRow,
    QuizAttemptRow,
    ScenarioAttemptRow,
)

FIGURE_COLUMNS = ("cohort_id", "kind", "course_id", "module_id", "step_id")


# Entering, called by the repositories inside the transaction that finishes something


def scenario_finished(
    session: Session, attempt_id: int, user_id: int, step: StepRef, is_preview: bool
) -> None:
    """Enter the attempt just finished when it is its learner's first finished one of the step."""
    if is_preview:
        return
    figure = Figure("scenario", step.course_id, step.module_id, step.step_id)

    def first_path() -> Amounts | None:
        done = ScenarioAttemptRow.finished_at
        if first_value_repo.has_another(
            session, ScenarioAttemptRow, attempt_id, user_id, figure, done
        ):
            return None
        return first_value_repo.paths(session, [attempt_id])[attempt_id]

    _enter(session, user_id, figure, first_path)


def quiz_submitted(session: Session, attempt_id: int) -> None:
    """Enter the attempt just submitted when it is its learner's first submitted one."""
    attempt = first_value_repo.load(session, QuizAttemptRow, attempt_id)
    if attempt.is_preview:
        return
    figure = Figure("quiz", attempt.course_id, attempt.module_id, attempt.step_id)

    def first_answers() -> Amounts | None:
        done = QuizAttemptRow.submitted_at
        if first_value_repo.has_another(
            session, QuizAttemptRow, attempt.id, attempt.user_id, figure, done
        ):
            return None
        return first_value_repo.answer_amounts(attempt.answers)

    _enter(session, attempt.user_id, figure, first_answers)


def first_check_in(session: Session, commitment_id: int, outcome: str) -> None:
    """Enter a commitment's first check-in; the caller knows it is the first."""
    commitment = first_value_repo.load(session, CommitmentRow, commitment_id)
    if commitment.is_preview:
        return
    figure = Figure("commitment", commitment.course_id, commitment.module_id, commitment.step_id)
    _enter(session, commitment.user_id, figure, lambda: {(outcome, ""): 1})


def survey_phase_completed(
    session: Session, user_id: int, course_id: str, module_id: str, step_id: str
) -> None:
    """Enter the step's ratings once both phases are answered in full (just now, by the caller).

    "Then" ratings, where he gave them, enter a retrospective figure of their own at the same
    moment: it holds only learners who gave them, so it too moves in steps of min_group.
    """
    figure = Figure("self_assessment", course_id, module_id, step_id)
    retrospective = Figure("retrospective", course_id, module_id, step_id)

    def ratings() -> Amounts | None:
        if not first_value_repo.both_phases_complete(session, user_id, figure):
            return None
        return first_value_repo.ratings(session, user_id, figure)

    def looking_back() -> Amounts | None:
        if not first_value_repo.both_phases_complete(session, user_id, figure):
            return None
        return first_value_repo.retrospective_ratings(session, user_id, figure) or None

    # In the figures' sort order, as member_joined locks them: no deadlock between the two.
    if first_value_repo.retrospective_ratings(session, user_id, figure):
        _enter(session, user_id, retrospective, looking_back)
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
        for entry in first_value_repo.learner_entries(session, user_id, course_id)
        if removed_at is None or entry.finished_at > as_utc(removed_at)
    ]
    _lock(session, [cohort_id], sorted({entry.figure for entry in entries}))
    for entry in sorted(entries, key=lambda e: e.figure):
        _add_pending(session, cohort_id, entry.figure, entry.amounts)


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
