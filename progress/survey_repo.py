"""Self-assessment answers, kept per phase: before the first module and after the last.

Each answer is a rating of how often now ("now"), or, in the after phase of a retrospective
survey, of how often before the course, looking back ("then").
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from progress import tally_repo
from progress.database import as_utc, insert_ignoring_conflict, keyed_rows, upsert
from progress.step_repo import STEP_KEY, StepRef, step_values
from progress.tables import SurveyAnswerRow, SurveyPhaseRow


@dataclass(frozen=True, slots=True)
class SurveyAnswerRecord:
    step: StepRef
    phase: str
    item_id: str
    value: int
    content_version: str
    answered_at: datetime
    rating: str = "now"


def save_survey_answer(
    session: Session,
    user_id: int,
    step: StepRef,
    *,
    phase: str,
    item_id: str,
    value: int,
    content_version: str,
    is_preview: bool = False,
    now: datetime | None = None,
    rating: str = "now",
) -> None:
    """Store one item's rating in a phase ("before" or "after"); answering again replaces it."""
    row = step_values(user_id, step, is_preview) | {
        "phase": phase,
        "item_id": item_id,
        "value": value,
        "content_version": content_version,
        "answered_at": as_utc(now),
        "rating": rating,
    }
    key = (*STEP_KEY, "phase", "item_id", "rating")
    changed = ("value", "content_version", "answered_at")
    upsert(session, SurveyAnswerRow, row, key=key, update=changed)


def save_survey_answers(
    session: Session,
    user_id: int,
    step: StepRef,
    *,
    phase: str,
    answers: Mapping[str, int],
    items: Collection[str],
    content_version: str,
    is_preview: bool = False,
    now: datetime | None = None,
    looking_back: Mapping[str, int] | None = None,
    looking_back_items: Collection[str] = (),
) -> bool:
    """Store answers given in one phase of the step; True once the phase is answered in full.

    In full: every one of `items` has a "now" rating and every one of `looking_back_items` (the
    after phase of a retrospective survey) a "then" rating, `looking_back`. The first time the
    phase is complete it is noted as such, and when both phases are, the step's ratings enter
    the learner's cohort figures (progress.tally_repo).
    """
    given = [("now", answers), ("then", looking_back or {})]
    for rating, values in given:
        for item_id, value in sorted(values.items()):
            save_survey_answer(
                session,
                user_id,
                step,
                phase=phase,
                item_id=item_id,
                value=value,
                content_version=content_version,
                is_preview=is_preview,
                now=now,
                rating=rating,
            )
    answered = select(SurveyAnswerRow.item_id, SurveyAnswerRow.rating).where(
        *_of_step(SurveyAnswerRow, user_id, step, is_preview), SurveyAnswerRow.phase == phase
    )
    found = {(item, rating) for item, rating in session.execute(answered)}
    wanted = {(i, "now") for i in items} | {(i, "then") for i in looking_back_items}
    if not items or not wanted <= found:
        return False
    done = step_values(user_id, step, is_preview) | {
        "phase": phase,
        "content_version": content_version,
        "completed_at": as_utc(now),
    }
    if insert_ignoring_conflict(session, SurveyPhaseRow, done, key=(*STEP_KEY, "phase")):
        if not is_preview:
            tally_repo.survey_phase_completed(
                session, user_id, step.course_id, step.module_id, step.step_id
            )
    return True


def _of_step(
    table: type[SurveyAnswerRow], user_id: int, step: StepRef, is_preview: bool
) -> tuple[ColumnElement[bool], ...]:
    return (
        table.user_id == user_id,
        table.course_id == step.course_id,
        table.module_id == step.module_id,
        table.step_id == step.step_id,
        table.is_preview == is_preview,
    )


# Built once (Home reads the self-assessment's answers on every run); True: one phase.
_OF_MODULE = ("user_id", "course_id", "module_id", "is_preview")
_ANSWERS = {
    False: keyed_rows(SurveyAnswerRow, _OF_MODULE),
    True: keyed_rows(SurveyAnswerRow, (*_OF_MODULE, "phase")),
}


def survey_answers(
    session: Session,
    user_id: int,
    course_id: str,
    module_id: str,
    *,
    phase: str | None = None,
    is_preview: bool = False,
) -> list[SurveyAnswerRecord]:
    """The learner's answers to a survey module, in one phase or both."""
    values = {
        "user_id": user_id,
        "course_id": course_id,
        "module_id": module_id,
        "is_preview": is_preview,
    } | ({} if phase is None else {"phase": phase})
    rows = session.scalars(_ANSWERS[phase is not None], values)
    return [
        SurveyAnswerRecord(
            StepRef(row.course_id, row.module_id, row.step_id),
            row.phase,
            row.item_id,
            row.value,
            row.content_version,
            row.answered_at,
            row.rating,
        )
        for row in rows
    ]
