"""What the learner writes: private reflections, and commitments with their check-ins."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from progress import tally_repo
from progress.database import as_utc, fresh, keyed_rows, upsert
from progress.errors import RecordNotFound
from progress.step_repo import STEP_KEY, StepRef, step_values
from progress.tables import CheckInRow, CommitmentRow, ReflectionRow


@dataclass(frozen=True, slots=True)
class ReflectionRecord:
    step: StepRef
    text: str
    content_version: str
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class CheckInRecord:
    checked_on: date
    outcome: str
    note: str | None
    checked_at: datetime


@dataclass(frozen=True, slots=True)
class CommitmentRecord:
    id: int
    step: StepRef
    cue: str
    action: str
    target_date: date
    content_version: str
    created_at: datetime
    updated_at: datetime
    check_ins: tuple[CheckInRecord, ...]


def save_reflection(
    session: Session,
    user_id: int,
    step: StepRef,
    text: str,
    content_version: str,
    *,
    is_preview: bool = False,
    now: datetime | None = None,
) -> None:
    """Store the learner's reflection for the step, replacing an earlier one."""
    moment = as_utc(now)
    row = step_values(user_id, step, is_preview) | {
        "text": text,
        "content_version": content_version,
        "created_at": moment,
        "updated_at": moment,
    }
    changed = ("text", "content_version", "updated_at")
    upsert(session, ReflectionRow, row, key=STEP_KEY, update=changed)


def reflections(
    session: Session, user_id: int, course_id: str, *, is_preview: bool = False
) -> list[ReflectionRecord]:
    """The learner's reflections in the course, in the order first written."""
    query = select(ReflectionRow).where(
        ReflectionRow.user_id == user_id,
        ReflectionRow.course_id == course_id,
        ReflectionRow.is_preview == is_preview,
    )
    rows = session.scalars(fresh(query.order_by(ReflectionRow.id)))
    return [
        ReflectionRecord(
            StepRef(row.course_id, row.module_id, row.step_id),
            row.text,
            row.content_version,
            row.created_at,
            row.updated_at,
        )
        for row in rows
    ]


def save_commitment(
    session: Session,
    user_id: int,
    step: StepRef,
    *,
    cue: str,
    action: str,
    target_date: date,
    content_version: str,
    is_preview: bool = False,
    now: datetime | None = None,
) -> CommitmentRecord:
    """Store the if-then plan for the step, replacing an earlier one (its check-ins stay)."""
    moment = as_utc(now)
    row = step_values(user_id, step, is_preview) | {
        "cue": cue,
        "action": action,
        "target_date": target_date,
        "content_version": content_version,
        "created_at": moment,
        "updated_at": moment,
    }
    changed = ("cue", "action", "target_date", "content_version", "updated_at")
    upsert(session, CommitmentRow, row, key=STEP_KEY, update=changed)
    query = select(CommitmentRow).where(
        CommitmentRow.user_id == user_id,
        CommitmentRow.course_id == step.course_id,
        CommitmentRow.module_id == step.module_id,
        CommitmentRow.step_id == step.step_id,
        CommitmentRow.is_preview == is_preview,
    )
    return _with_check_ins(session, [session.scalars(fresh(query)).one()])[0]


def commitments(
    session: Session, user_id: int, course_id: str, *, is_preview: bool = False
) -> list[CommitmentRecord]:
    """The learner's commitments in the course with their check-ins, oldest first."""
    values = {"user_id": user_id, "course_id": course_id, "is_preview": is_preview}
    return _with_check_ins(session, list(session.scalars(_COMMITMENTS, values)))


# Built once: Home reads them on every run (the plans due for a check-in).
_COMMITMENTS = keyed_rows(CommitmentRow, ("user_id", "course_id", "is_preview"))


def check_in(
    session: Session,
    user_id: int,
    commitment_id: int,
    outcome: str,
    note: str | None = None,
    *,
    now: datetime | None = None,
) -> CommitmentRecord:
    """Record how the plan went (done / partly / not_yet); the same day, the last answer wins."""
    owned = select(CommitmentRow).where(
        CommitmentRow.id == commitment_id, CommitmentRow.user_id == user_id
    )
    # Locked: two tabs checking in at once agree on which check-in is the first.
    commitment = session.scalar(fresh(owned.with_for_update()))
    if commitment is None:
        raise RecordNotFound(f"commitment {commitment_id} of user {user_id}")
    earlier = select(CheckInRow.id).where(CheckInRow.commitment_id == commitment_id).limit(1)
    first = session.scalar(earlier) is None
    moment = as_utc(now)
    row = {
        "commitment_id": commitment_id,
        "checked_on": moment.date(),
        "outcome": outcome,
        "note": note or None,
        "checked_at": moment,
    }
    key = ("commitment_id", "checked_on")
    upsert(session, CheckInRow, row, key=key, update=("outcome", "note", "checked_at"))
    if first:
        tally_repo.first_check_in(session, commitment_id, outcome)
    return _with_check_ins(session, [commitment])[0]


def _with_check_ins(session: Session, rows: list[CommitmentRow]) -> list[CommitmentRecord]:
    found: dict[int, list[CheckInRecord]] = {row.id: [] for row in rows}
    if rows:
        query = (
            select(CheckInRow)
            .where(CheckInRow.commitment_id.in_(found))
            .order_by(CheckInRow.commitment_id, CheckInRow.checked_on)
        )
        for check in session.scalars(fresh(query)):
            found[check.commitment_id].append(
                CheckInRecord(check.checked_on, check.outcome, check.note, check.checked_at)
            )
    return [
        CommitmentRecord(
            id=row.id,
            step=StepRef(row.course_id, row.module_id, row.step_id),
            cue=row.cue,
            action=row.action,
            target_date=row.target_date,
            content_version=row.content_version,
            created_at=row.created_at,
            updated_at=row.updated_at,
            check_ins=tuple(found[row.id]),
        )
        for row in rows
    ]
