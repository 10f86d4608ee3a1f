"""Tables of the learner's path through the course: steps, scenarios, quizzes, position."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from progress.tables.base import ID_LENGTH, Base, LearnerRecord, one_of

STEP_STATUSES = ("started", "completed")
QUALITIES = ("best", "okay", "poor")
_STEP_KEY = ("user_id", "course_id", "module_id", "step_id", "is_preview")


class StepProgressRow(LearnerRecord, Base):
    """One row per learner and step: started, then completed (never back)."""

    __tablename__ = "step_progress"
    __table_args__ = (
        UniqueConstraint(*_STEP_KEY, name="uq_step_progress_learner_step"),
        CheckConstraint(one_of("status", STEP_STATUSES), name="status"),
    )

    status: Mapped[str] = mapped_column(String(20))
    started_at: Mapped[datetime]
    completed_at: Mapped[datetime | None]


class LearnerPositionRow(Base):
    """Where the learner last was, for the Continue button."""

    __tablename__ = "learner_positions"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    course_id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    is_preview: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    module_id: Mapped[str] = mapped_column(String(ID_LENGTH))
    step_id: Mapped[str] = mapped_column(String(ID_LENGTH))
    updated_at: Mapped[datetime]


class ScenarioAttemptRow(LearnerRecord, Base):
    __tablename__ = "scenario_attempts"
    __table_args__ = (Index(None, "user_id", "course_id", "module_id", "step_id"),)

    seed: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    ending_node_id: Mapped[str | None] = mapped_column(String(ID_LENGTH))
    score: Mapped[float | None] = mapped_column(Float)


class ScenarioChoiceRow(Base):
    """The path: one row per choice, in order; (attempt, position) is unique."""

    __tablename__ = "scenario_choices"
    __table_args__ = (
        UniqueConstraint("attempt_id", "position"),
        CheckConstraint(one_of("quality", QUALITIES), name="quality"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("scenario_attempts.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    node_id: Mapped[str] = mapped_column(String(ID_LENGTH))
    choice_id: Mapped[str] = mapped_column(String(ID_LENGTH))
    # Kept so that reports stay true when the content is later edited.
    quality: Mapped[str] = mapped_column(String(10))
    chosen_at: Mapped[datetime]


class QuizAttemptRow(LearnerRecord, Base):
    """Started when the quiz is shown (its seed fixes the option order), then submitted once."""

    __tablename__ = "quiz_attempts"
    __table_args__ = (Index(None, "user_id", "course_id", "module_id", "step_id"),)

    seed: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime]
    submitted_at: Mapped[datetime | None]
    # {question id: [selected option ids]}
    answers: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    score: Mapped[float | None] = mapped_column(Float)
    passed: Mapped[bool | None] = mapped_column(Boolean)
