"""Tables of what the learner writes and rates: reflections, commitments, self-assessment."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from modules.course.check_ins import OUTCOMES
from progress.tables.base import ID_LENGTH, Base, LearnerRecord, one_of

CHECK_IN_OUTCOMES = OUTCOMES  # defined once, in the domain
SURVEY_PHASES = ("before", "after")
# "then": given in the after phase of a retrospective survey, looking back to before the course.
SURVEY_RATINGS = ("now", "then")
_STEP_KEY = ("user_id", "course_id", "module_id", "step_id", "is_preview")


class ReflectionRow(LearnerRecord, Base):
    """Private to the learner: one per reflection step, rewritten when edited."""

    __tablename__ = "reflections"
    __table_args__ = (UniqueConstraint(*_STEP_KEY, name="uq_reflections_learner_step"),)

    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class CommitmentRow(LearnerRecord, Base):
    """An if-then plan: "When <cue>, I will <action>", by a target date."""

    __tablename__ = "commitments"
    __table_args__ = (UniqueConstraint(*_STEP_KEY, name="uq_commitments_learner_step"),)

    cue: Mapped[str] = mapped_column(Text)
    action: Mapped[str] = mapped_column(Text)
    target_date: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class CheckInRow(Base):
    """How a commitment went; at most one per commitment and day (the last answer wins)."""

    __tablename__ = "commitment_check_ins"
    __table_args__ = (
        UniqueConstraint("commitment_id", "checked_on"),
        CheckConstraint(one_of("outcome", CHECK_IN_OUTCOMES), name="outcome"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    commitment_id: Mapped[int] = mapped_column(ForeignKey("commitments.id", ondelete="CASCADE"))
    checked_on: Mapped[date] = mapped_column(Date)
    outcome: Mapped[str] = mapped_column(String(10))
    note: Mapped[str | None] = mapped_column(Text)
    checked_at: Mapped[datetime]


class SurveyAnswerRow(LearnerRecord, Base):
    """One self-assessment item rated in one phase; answering again replaces the value."""

    __tablename__ = "survey_answers"
    __table_args__ = (
        UniqueConstraint(
            *_STEP_KEY, "phase", "item_id", "rating", name="uq_survey_answers_learner_item"
        ),
        CheckConstraint(one_of("phase", SURVEY_PHASES), name="phase"),
        CheckConstraint(one_of("rating", SURVEY_RATINGS), name="rating"),
        CheckConstraint("rating = 'now' OR phase = 'after'", name="then_after"),
    )

    phase: Mapped[str] = mapped_column(String(10))
    item_id: Mapped[str] = mapped_column(String(ID_LENGTH))
    value: Mapped[int] = mapped_column(Integer)
    answered_at: Mapped[datetime]
    rating: Mapped[str] = mapped_column(String(10), default="now", server_default="now")


class SurveyPhaseRow(LearnerRecord, Base):
    """A self-assessment phase the learner has answered in full, and when he first did."""

    __tablename__ = "survey_phases"
    __table_args__ = (
        UniqueConstraint(*_STEP_KEY, "phase", name="uq_survey_phases_learner_phase"),
        CheckConstraint(one_of("phase", SURVEY_PHASES), name="phase"),
    )

    phase: Mapped[str] = mapped_column(String(10))
    completed_at: Mapped[datetime]
