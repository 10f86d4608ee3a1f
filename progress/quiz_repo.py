"""Quiz attempts: started when shown (the seed fixes the option order), submitted once."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, select, update
from sqlalchemy.orm import Session

from progress import tally_repo
from progress.database import as_utc, fresh
from progress.errors import RecordNotFound
from progress.step_repo import StepRef
from progress.tables import QuizAttemptRow

Answers = Mapping[str, Sequence[str]]  # question id -> selected option ids


@dataclass(frozen=True, slots=True)
class QuizAttemptRecord:
    id: int
    user_id: int
    step: StepRef
    content_version: str
    seed: int
    is_preview: bool
    started_at: datetime
    submitted_at: datetime | None
    answers: dict[str, tuple[str, ...]] | None
    score: float | None
    passed: bool | None


def start_quiz_attempt(
    session: Session,
    user_id: int,
    step: StepRef,
    content_version: str,
    seed: int,
    *,
    is_preview: bool = False,
    now: datetime | None = None,
) -> QuizAttemptRecord:
    row = QuizAttemptRow(
        user_id=user_id,
        course_id=step.course_id,
        module_id=step.module_id,
        step_id=step.step_id,
        content_version=content_version,
        is_preview=is_preview,
        seed=seed,
        started_at=as_utc(now),
    )
    session.add(row)
    session.flush()
    return _record(row)


def submit_quiz_attempt(
    session: Session,
    user_id: int,
    attempt_id: int,
    answers: Answers,
    *,
    score: float,
    passed: bool,
    now: datetime | None = None,
) -> QuizAttemptRecord:
    """Store the answers; an attempt is submitted once (a double click keeps the first)."""
    _owned_attempt(session, user_id, attempt_id)
    stored = {question: sorted(options) for question, options in answers.items()}
    submitted = session.execute(
        update(QuizAttemptRow)
        .where(QuizAttemptRow.id == attempt_id, QuizAttemptRow.submitted_at.is_(None))
        .values(submitted_at=as_utc(now), answers=stored, score=score, passed=passed)
    )
    if getattr(submitted, "rowcount", 0):  # submitted now: cohort figures may count it
        tally_repo.quiz_submitted(session, attempt_id)
    return quiz_attempt(session, user_id, attempt_id)


def quiz_attempt(session: Session, user_id: int, attempt_id: int) -> QuizAttemptRecord:
    """The attempt; RecordNotFound when missing or someone else's."""
    return _record(_owned_attempt(session, user_id, attempt_id))


def quiz_attempts(
    session: Session,
    user_id: int,
    course_id: str,
    module_id: str | None = None,
    *,
    is_preview: bool = False,
) -> list[QuizAttemptRecord]:
    """Every attempt of the learner in the course (or a module), oldest first."""
    query = _attempts_query(user_id, course_id, module_id, is_preview)
    return [_record(row) for row in session.scalars(query.order_by(QuizAttemptRow.id))]


def _attempts_query(
    user_id: int, course_id: str, module_id: str | None, is_preview: bool
) -> Select[QuizAttemptRow]:
    query = select(QuizAttemptRow).where(
        QuizAttemptRow.user_id == user_id,
        QuizAttemptRow.course_id == course_id,
        QuizAttemptRow.is_preview == is_preview,
    )
    if module_id is not None:
        query = query.where(QuizAttemptRow.module_id == module_id)
    return fresh(query)


def _owned_attempt(session: Session, user_id: int, attempt_id: int) -> QuizAttemptRow:
    query = select(QuizAttemptRow).where(
        QuizAttemptRow.id == attempt_id, QuizAttemptRow.user_id == user_id
    )
    row = session.scalar(fresh(query))
    if row is None:
        raise RecordNotFound(f"quiz attempt {attempt_id} of user {user_id}")
    return row


def _record(row: QuizAttemptRow) -> QuizAttemptRecord:
    answers = None
    if row.answers is not None:
        answers = {question: tuple(options) for question, options in row.answers.items()}
    return QuizAttemptRecord(
        id=row.id,
        user_id=row.user_id,
        step=StepRef(row.course_id, row.module_id, row.step_id),
        content_version=row.content_version,
        seed=row.seed,
        is_preview=row.is_preview,
        started_at=row.started_at,
        submitted_at=row.submitted_at,
        answers=answers,
        score=row.score,
        passed=row.passed,
    )
