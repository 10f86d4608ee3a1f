"""Self-assessment answers, kept per phase: before the first module and after the last."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from progress.database import as_utc, fresh, upsert
from progress.steps import STEP_KEY, StepRef, step_values
from progress.tables import SurveyAnswerRow


@dataclass(frozen=True, slots=True)
class SurveyAnswerRecord:
    step: StepRef
    phase: str
    item_id: str
    value: int
    content_version: str
    answered_at: datetime


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
) -> None:
    """Store one item's answer in a phase ("before" or "after"); answering again replaces it."""
    row = step_values(user_id, step, is_preview) | {
        "phase": phase,
        "item_id": item_id,
        "value": value,
        "content_version": content_version,
        "answered_at": as_utc(now),
    }
    key = (*STEP_KEY, "phase", "item_id")
    changed = ("value", "content_version", "answered_at")
    upsert(session, SurveyAnswerRow, row, key=key, update=changed)


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
    query = select(SurveyAnswerRow).where(
        SurveyAnswerRow.user_id == user_id,
        SurveyAnswerRow.course_id == course_id,
        SurveyAnswerRow.module_id == module_id,
        SurveyAnswerRow.is_preview == is_preview,
    )
    if phase is not None:
        query = query.where(SurveyAnswerRow.phase == phase)
    rows = session.scalars(fresh(query.order_by(SurveyAnswerRow.id)))
    return [
        SurveyAnswerRecord(
            StepRef(row.course_id, row.module_id, row.step_id),
            row.phase,
            row.item_id,
            row.value,
            row.content_version,
            row.answered_at,
        )
        for row in rows
    ]
