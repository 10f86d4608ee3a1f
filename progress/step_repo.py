"""Step progress and the learner's last position (for the Continue button)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, bindparam, select, update
from sqlalchemy.orm import Session

from progress.database import as_utc, fresh, insert_ignoring_conflict, keyed_rows, upsert
from progress.tables import LearnerPositionRow, StepProgressRow


@dataclass(frozen=True, slots=True)
class StepRef:
    """A step of the content, by ids: progress never points into content with foreign keys."""

    course_id: str
    module_id: str
    step_id: str


@dataclass(frozen=True, slots=True)
class StepProgressRecord:
    step: StepRef
    status: str
    started_at: datetime
    completed_at: datetime | None
    content_version: str
    is_preview: bool


@dataclass(frozen=True, slots=True)
class Position:
    module_id: str
    step_id: str
    updated_at: datetime


STEP_KEY = ("user_id", "course_id", "module_id", "step_id", "is_preview")


def step_values(user_id: int, step: StepRef, is_preview: bool) -> dict[str, object]:
    """The key columns every learner record shares."""
    return {
        "user_id": user_id,
        "course_id": step.course_id,
        "module_id": step.module_id,
        "step_id": step.step_id,
        "is_preview": is_preview,
    }


def mark_step_started(
    session: Session,
    user_id: int,
    step: StepRef,
    content_version: str,
    *,
    is_preview: bool = False,
    now: datetime | None = None,
) -> None:
    """Note that the learner opened the step; no change when it was started before."""
    row = step_values(user_id, step, is_preview) | {
        "status": "started",
        "started_at": as_utc(now),
        "completed_at": None,
        "content_version": content_version,
    }
    insert_ignoring_conflict(session, StepProgressRow, row, key=STEP_KEY)


def mark_step_completed(
    session: Session,
    user_id: int,
    step: StepRef,
    content_version: str,
    *,
    is_preview: bool = False,
    now: datetime | None = None,
) -> None:
    """Complete the step; completing it again keeps the first completion time and version."""
    moment = as_utc(now)
    mark_step_started(session, user_id, step, content_version, is_preview=is_preview, now=moment)
    session.execute(
        update(StepProgressRow)
        .where(*_step_is(user_id, step, is_preview), StepProgressRow.status != "completed")
        .values(status="completed", completed_at=moment, content_version=content_version)
    )


# Built once: the player reads a module's steps on every page run (see scenario_repo).
_OF_COURSE = ("user_id", "course_id", "is_preview")
_STEPS = {  # True: of one module
    False: keyed_rows(StepProgressRow, _OF_COURSE),
    True: keyed_rows(StepProgressRow, (*_OF_COURSE, "module_id")),
}


_steps = StepProgressRow.__table__.c
_COMPLETED_IN_MODULE = select(_steps.step_id).where(
    _steps.user_id == bindparam("user_id"),
    _steps.course_id == bindparam("course_id"),
    _steps.module_id == bindparam("module_id"),
    _steps.is_preview == bindparam("is_preview"),
    _steps.status == "completed",
)


def completed_step_ids(
    session: Session, user_id: int, course_id: str, module_id: str, *, is_preview: bool = False
) -> set[str]:
    """Ids of the module's steps the learner has completed (one read of one column)."""
    values = {"user_id": user_id, "course_id": course_id, "module_id": module_id}
    return set(session.scalars(_COMPLETED_IN_MODULE, values | {"is_preview": is_preview}))


def step_progress(
    session: Session,
    user_id: int,
    course_id: str,
    module_id: str | None = None,
    *,
    is_preview: bool = False,
) -> list[StepProgressRecord]:
    """The learner's step records in a course (or one module of it)."""
    values = {"user_id": user_id, "course_id": course_id, "is_preview": is_preview}
    if module_id is not None:
        values["module_id"] = module_id
    rows = session.scalars(_STEPS[module_id is not None], values)
    return [_progress_record(row) for row in rows]


def save_position(
    session: Session,
    user_id: int,
    step: StepRef,
    *,
    is_preview: bool = False,
    now: datetime | None = None,
) -> None:
    """Remember the step the learner is at, and since when: reopening it writes nothing.

    A reload, a reconnection or a second device opens the step he is at: its transaction then
    changes no row (on SQLite no WAL write and no fsync at its commit).
    """
    row = step_values(user_id, step, is_preview) | {"updated_at": as_utc(now)}
    key = ("user_id", "course_id", "is_preview")
    moved = ("module_id", "step_id")
    upsert(
        session, LearnerPositionRow, row, key=key, update=(*moved, "updated_at"), when_changed=moved
    )


def last_position(
    session: Session, user_id: int, course_id: str, *, is_preview: bool = False
) -> Position | None:
    values = {"user_id": user_id, "course_id": course_id, "is_preview": is_preview}
    row = session.scalar(_POSITION, values)
    return None if row is None else Position(row.module_id, row.step_id, row.updated_at)


# Built once, as _STEPS: Home reads it on every run.
_POSITION = fresh(
    select(LearnerPositionRow).where(
        LearnerPositionRow.user_id == bindparam("user_id"),
        LearnerPositionRow.course_id == bindparam("course_id"),
        LearnerPositionRow.is_preview == bindparam("is_preview"),
    )
)


def _step_is(user_id: int, step: StepRef, is_preview: bool) -> tuple[ColumnElement[bool], ...]:
    return (
        StepProgressRow.user_id == user_id,
        StepProgressRow.course_id == step.course_id,
        StepProgressRow.module_id == step.module_id,
        StepProgressRow.step_id == step.step_id,
        StepProgressRow.is_preview == is_preview,
    )


def _progress_record(row: StepProgressRow) -> StepProgressRecord:
    return StepProgressRecord(
        step=StepRef(row.course_id, row.module_id, row.step_id),
        status=row.status,
        started_at=row.started_at,
        completed_at=row.completed_at,
        content_version=row.content_version,
        is_preview=row.is_preview,
    )
