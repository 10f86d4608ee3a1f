"""Tables of facilitation: cohorts, their facilitators and members, and module assignments."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, false
from sqlalchemy.orm import Mapped, mapped_column

from progress.tables.base import ID_LENGTH, Base

JOIN_CODE_LENGTH = 8


class CohortRow(Base):
    """A group of learners taking one course together, with a join code to enter it."""

    __tablename__ = "cohorts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    course_id: Mapped[str] = mapped_column(String(ID_LENGTH))
    name: Mapped[str] = mapped_column(String(200))
    # An IANA zone name: due dates are days in this zone.
    time_zone: Mapped[str] = mapped_column(String(64))
    # Stored upper case without separators; lookups normalise what was typed the same way.
    join_code: Mapped[str] = mapped_column(String(JOIN_CODE_LENGTH), unique=True)
    inactive_after_days: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime]
    archived_at: Mapped[datetime | None]
    # The sample cohort of `python -m progress demo`: synthetic learners only, and no real one.
    is_sample: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class CohortFacilitatorRow(Base):
    __tablename__ = "cohort_facilitators"

    cohort_id: Mapped[int] = mapped_column(
        ForeignKey("cohorts.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    is_owner: Mapped[bool] = mapped_column(Boolean, default=False)


class CohortMemberRow(Base):
    """A learner in a cohort; removal only sets removed_at, and the learner's records stay."""

    __tablename__ = "cohort_members"
    # Reports read a cohort's active members: (cohort_id, removed_at) leads to their user ids.
    __table_args__ = (Index(None, "cohort_id", "removed_at", "user_id"),)

    cohort_id: Mapped[int] = mapped_column(
        ForeignKey("cohorts.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    joined_at: Mapped[datetime]
    removed_at: Mapped[datetime | None]


class AssignmentRow(Base):
    """One module assigned to a cohort, due by a date in the cohort's time zone."""

    __tablename__ = "assignments"

    cohort_id: Mapped[int] = mapped_column(
        ForeignKey("cohorts.id", ondelete="CASCADE"), primary_key=True
    )
    module_id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    due_date: Mapped[date] = mapped_column(Date)
    # None once the facilitator who assigned it deleted his account: the assignment stays,
    # shown as set by "a former facilitator".
    assigned_by: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime]
