"""Scenario attempts and the path of choices each one took."""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Row, Select, Table, bindparam, exists, func, select, update
from sqlalchemy.orm import Session

from progress import tally_repo
from progress.database import INSERTS, as_utc, dialect_of, fresh, insert_ignoring_conflict
from progress.errors import AttemptFinished, RecordNotFound
from progress.people_repo import LIVE_SESSION
from progress.step_repo import StepRef
from progress.tables import ScenarioAttemptRow, ScenarioChoiceRow


@dataclass(frozen=True, slots=True)
class ScenarioChoiceRecord:
    position: int
    node_id: str
    choice_id: str
    quality: str
    chosen_at: datetime


@dataclass(frozen=True, slots=True)
class ScenarioAttemptRecord:
    id: int
    user_id: int
    step: StepRef
    content_version: str
    seed: int
    is_preview: bool
    started_at: datetime
    finished_at: datetime | None
    ending_node_id: str | None
    score: float | None
    choices: tuple[ScenarioChoiceRecord, ...]


def start_scenario_attempt(
    session: Session,
    user_id: int,
    step: StepRef,
    content_version: str,
    seed: int,
    *,
    is_preview: bool = False,
    now: datetime | None = None,
) -> ScenarioAttemptRecord:
    """A new attempt; `seed` fixes the order its choices are shown in."""
    row = ScenarioAttemptRow(
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
    return _attempt_record(row, ())


def record_choice(
    session: Session,
    user_id: int,
    attempt_id: int,
    position: int,
    *,
    node_id: str,
    choice_id: str,
    quality: str,
    now: datetime | None = None,
) -> ScenarioChoiceRecord:
    """Add a choice at `position` (0, 1, ...) of the attempt's path; once per position.

    A repeated call for a position already taken (a double click, a second tab) changes
    nothing and returns the choice stored there first. AttemptFinished when the attempt
    has reached its ending and the position is new.
    """
    attempt = session.execute(_FINISHED, {"attempt_id": attempt_id, "user_id": user_id}).first()
    if attempt is None:
        raise RecordNotFound(f"scenario attempt {attempt_id} of user {user_id}")
    if attempt.finished_at is None:
        chosen = ScenarioChoiceRecord(position, node_id, choice_id, quality, as_utc(now))
        values = {
            "attempt_id": attempt_id,
            "position": position,
            "node_id": node_id,
            "choice_id": choice_id,
            "quality": quality,
            "chosen_at": chosen.chosen_at,
        }
        key = ("attempt_id", "position")
        if insert_ignoring_conflict(session, ScenarioChoiceRow, values, key=key):
            return chosen  # what was just stored: no need to read it back
    stored = session.execute(_AT_POSITION, {"attempt_id": attempt_id, "position": position})
    found = stored.first()
    if found is None:
        raise AttemptFinished(f"scenario attempt {attempt_id} has ended")
    return _choice_record(found)


def extend_latest_path(
    session: Session,
    user_id: int,
    step: StepRef,
    attempt_id: int,
    position: int,
    *,
    node_id: str,
    choice_id: str,
    quality: str,
    is_preview: bool = False,
    now: datetime | None = None,
    in_session: str | None = None,
) -> ScenarioChoiceRecord | None:
    """Add a choice to the learner's latest attempt of `step`, where a player last saw it.

    Stored only when attempt `attempt_id` is his latest attempt of the step, has not ended and
    holds exactly `position` choices, and, with `in_session` (a session's hash), while that
    browser session of his is live: one statement, no read, for a player that shows the path
    it extends. None when any of that is not so (a double click, a stale tab, an attempt ended
    or replaced in another tab, a sign-out): nothing is stored, and the caller's full checks
    and record_choice's rules say what to do.
    """
    chosen = ScenarioChoiceRecord(position, node_id, choice_id, quality, as_utc(now))
    values = {
        "user_id": user_id,
        "course_id": step.course_id,
        "module_id": step.module_id,
        "step_id": step.step_id,
        "is_preview": is_preview,
        "attempt_id": attempt_id,
        "position": position,
        "node_id": node_id,
        "choice_id": choice_id,
        "quality": quality,
        "chosen_at": chosen.chosen_at,
    }
    if in_session is not None:
        values |= {"session_hash": in_session, "now": chosen.chosen_at}
    added = session.execute(_extending(dialect_of(session), in_session is not None), values)
    return chosen if getattr(added, "rowcount", 0) else None


def finish_scenario_attempt(
    session: Session,
    user_id: int,
    attempt_id: int,
    ending_node_id: str,
    score: float,
    now: datetime | None = None,
    *,
    read: ScenarioAttemptRecord | None = None,
) -> ScenarioAttemptRecord:
    """Record the ending reached; an attempt finishes once (later calls change nothing).

    `read` is the attempt as this transaction read it, its path whole: given, the finished
    attempt is made from it instead of being read again.
    """
    finished_at = as_utc(now)
    finished = session.execute(
        _FINISH,
        {
            "of_attempt": attempt_id,
            "of_user": user_id,
            "at": finished_at,
            "ending": ending_node_id,
            "scored": score,
        },
    )
    if not getattr(finished, "rowcount", 0):  # finished before, someone else's, or missing
        return scenario_attempt(session, user_id, attempt_id)
    if read is not None and (read.id, read.user_id) == (attempt_id, user_id):
        attempt = dataclasses.replace(
            read, finished_at=finished_at, ending_node_id=ending_node_id, score=score
        )
    else:
        attempt = scenario_attempt(session, user_id, attempt_id)
    tally_repo.scenario_finished(session, attempt.id, user_id, attempt.step, attempt.is_preview)
    return attempt


def scenario_attempt(session: Session, user_id: int, attempt_id: int) -> ScenarioAttemptRecord:
    """The attempt with its path; RecordNotFound when missing or someone else's."""
    row = _owned_attempt(session, user_id, attempt_id)
    return _with_choices(session, [row])[0]


@dataclass(frozen=True, slots=True)
class ScenarioProgress:
    """A learner's latest attempt of one scenario with its path, and his earlier scores."""

    latest: ScenarioAttemptRecord | None
    earlier_scores: tuple[float, ...]  # finished attempts before the latest, oldest first


# Built once (bindparam for the values): the player runs these on every choice, and building
# a statement costs more than running it on SQLite. They name the tables' columns, not the
# mapped classes' attributes, and so give rows of columns: no ORM step runs for them (a third
# of the time per statement, measured), and no mapped object is made.
_attempts = ScenarioAttemptRow.__table__.c
_choices = ScenarioChoiceRow.__table__.c
_later = ScenarioAttemptRow.__table__.alias("later").c
_OF_STEP = (
    _attempts.user_id == bindparam("user_id"),
    _attempts.course_id == bindparam("course_id"),
    _attempts.module_id == bindparam("module_id"),
    _attempts.step_id == bindparam("step_id"),
    _attempts.is_preview == bindparam("is_preview"),
)
_ATTEMPT = (
    _attempts.id,
    _attempts.user_id,
    _attempts.course_id,
    _attempts.module_id,
    _attempts.step_id,
    _attempts.content_version,
    _attempts.seed,
    _attempts.is_preview,
    _attempts.started_at,
    _attempts.finished_at,
    _attempts.ending_node_id,
    _attempts.score,
)
_CHOICE = (
    _choices.position,
    _choices.node_id,
    _choices.choice_id,
    _choices.quality,
    _choices.chosen_at,
)
_NEWEST = (  # the id of the learner's latest attempt of the step
    select(func.max(_later.id))
    .where(
        _later.user_id == bindparam("user_id"),
        _later.course_id == bindparam("course_id"),
        _later.module_id == bindparam("module_id"),
        _later.step_id == bindparam("step_id"),
        _later.is_preview == bindparam("is_preview"),
    )
    .scalar_subquery()
)
# The latest attempt with its path: a row per choice (one, without a choice, for an empty path).
_LATEST = (
    select(*_ATTEMPT, *_CHOICE)
    .select_from(
        ScenarioAttemptRow.__table__.outerjoin(
            ScenarioChoiceRow.__table__, _choices.attempt_id == _attempts.id
        )
    )
    .where(*_OF_STEP, _attempts.id == _NEWEST)
    .order_by(_choices.position)
)
# Earlier attempts give their scores alone: a learner with many replays reads no more of them.
_EARLIER_SCORES = (
    select(_attempts.score)
    .where(
        *_OF_STEP,
        _attempts.id < bindparam("latest_id"),
        _attempts.score.is_not(None),
    )
    .order_by(_attempts.id)
)
_OWNED = fresh(
    select(ScenarioAttemptRow).where(
        ScenarioAttemptRow.id == bindparam("attempt_id"),
        ScenarioAttemptRow.user_id == bindparam("user_id"),
    )
)
_FINISHED = select(_attempts.finished_at).where(
    _attempts.id == bindparam("attempt_id"),
    _attempts.user_id == bindparam("user_id"),
)
# The parameters are not named after columns: an UPDATE keeps those names for its SET clause.
_FINISH = (
    update(cast(Table, ScenarioAttemptRow.__table__))
    .where(
        _attempts.id == bindparam("of_attempt"),
        _attempts.user_id == bindparam("of_user"),
        _attempts.finished_at.is_(None),
    )
    .values(
        finished_at=bindparam("at"),
        ending_node_id=bindparam("ending"),
        score=bindparam("scored"),
    )
)
_AT_POSITION = select(*_CHOICE).where(
    _choices.attempt_id == bindparam("attempt_id"),
    _choices.position == bindparam("position"),
)


@functools.cache
def _extending(dialect: str, in_session: bool) -> Any:
    """INSERT ... SELECT of extend_latest_path, built once per database kind and variant."""
    open_and_newest = exists().where(
        _attempts.id == bindparam("attempt_id"),
        _attempts.finished_at.is_(None),
        _attempts.id == _NEWEST,
    )
    taken = (
        select(func.count())
        .select_from(ScenarioChoiceRow.__table__)
        .where(_choices.attempt_id == bindparam("attempt_id"))
        .scalar_subquery()
    )
    columns = ("attempt_id", "position", "node_id", "choice_id", "quality", "chosen_at")
    row = select(*(bindparam(name, type_=_choices[name].type) for name in columns)).where(
        open_and_newest, taken == bindparam("position"), *([LIVE_SESSION] if in_session else [])
    )
    statement: Any = INSERTS[dialect](ScenarioChoiceRow.__table__).from_select(columns, row)
    statement = statement.on_conflict_do_nothing(index_elements=("attempt_id", "position"))
    return statement.execution_options(preserve_rowcount=True)


def scenario_progress(
    session: Session, user_id: int, step: StepRef, *, is_preview: bool = False
) -> ScenarioProgress:
    """What the player shows of one scenario: two reads, whatever the number of replays.

    Only the latest attempt's path is read; earlier attempts give their scores alone.
    """
    of_step = {
        "user_id": user_id,
        "course_id": step.course_id,
        "module_id": step.module_id,
        "step_id": step.step_id,
        "is_preview": is_preview,
    }
    rows = session.execute(_LATEST, of_step).all()
    if not rows:
        return ScenarioProgress(None, ())
    latest = rows[0]
    path = tuple(_choice_record(r) for r in rows if r.position is not None)
    scores = session.scalars(_EARLIER_SCORES, of_step | {"latest_id": latest.id})
    return ScenarioProgress(
        _attempt_record(latest, path), tuple(score for score in scores if score is not None)
    )


def scenario_attempts(
    session: Session,
    user_id: int,
    course_id: str,
    module_id: str | None = None,
    *,
    is_preview: bool = False,
) -> list[ScenarioAttemptRecord]:
    """Every attempt of the learner in the course (or a module), oldest first, with paths."""
    query = _attempts_query(user_id, course_id, module_id, is_preview)
    rows = list(session.scalars(query.order_by(ScenarioAttemptRow.id)))
    return _with_choices(session, rows)


def _attempts_query(
    user_id: int, course_id: str, module_id: str | None, is_preview: bool
) -> Select[ScenarioAttemptRow]:
    query = select(ScenarioAttemptRow).where(
        ScenarioAttemptRow.user_id == user_id,
        ScenarioAttemptRow.course_id == course_id,
        ScenarioAttemptRow.is_preview == is_preview,
    )
    if module_id is not None:
        query = query.where(ScenarioAttemptRow.module_id == module_id)
    return fresh(query)


def _owned_attempt(session: Session, user_id: int, attempt_id: int) -> ScenarioAttemptRow:
    row = session.scalar(_OWNED, {"attempt_id": attempt_id, "user_id": user_id})
    if row is None:
        raise RecordNotFound(f"scenario attempt {attempt_id} of user {user_id}")
    return row


def _with_choices(session: Session, rows: list[ScenarioAttemptRow]) -> list[ScenarioAttemptRecord]:
    paths: dict[int, list[ScenarioChoiceRecord]] = {row.id: [] for row in rows}
    if rows:
        query = (
            select(ScenarioChoiceRow)
            .where(ScenarioChoiceRow.attempt_id.in_(paths))
            .order_by(ScenarioChoiceRow.attempt_id, ScenarioChoiceRow.position)
        )
        for choice in session.scalars(query):
            paths[choice.attempt_id].append(_choice_record(choice))
    return [_attempt_record(row, tuple(paths[row.id])) for row in rows]


AnyRow = Row[*tuple[Any, ...]]  # a row of columns, as the player's reads give


def _choice_record(row: ScenarioChoiceRow | AnyRow) -> ScenarioChoiceRecord:
    return ScenarioChoiceRecord(
        row.position, row.node_id, row.choice_id, row.quality, row.chosen_at
    )


def _attempt_record(
    row: ScenarioAttemptRow | AnyRow, choices: tuple[ScenarioChoiceRecord, ...]
) -> ScenarioAttemptRecord:
    return ScenarioAttemptRecord(
        id=row.id,
        user_id=row.user_id,
        step=StepRef(row.course_id, row.module_id, row.step_id),
        content_version=row.content_version,
        seed=row.seed,
        is_preview=row.is_preview,
        started_at=row.started_at,
        finished_at=row.finished_at,
        ending_node_id=row.ending_node_id,
        score=row.score,
        choices=choices,
    )
