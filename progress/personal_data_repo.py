"""Everything stored about one person: read out for his "my data" export, or deleted.

What counts is found from the tables themselves: every table with a `user_id` column that
points at users.id, and the tables whose rows belong to such a row (a check-in to its plan, a
choice to its attempt). A table added later is exported without a change here. Secrets
(password and token hashes) are never read out. Anonymous cohort tallies hold no user id, so
they are neither exported nor deleted.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import Column, Table, delete, select, update
from sqlalchemy.orm import Session

from progress.account_repo import get_user
from progress.tables import (
    AssignmentRow,
    AuthSessionRow,
    Base,
    CertificateRow,
    CheckInRow,
    CohortFacilitatorRow,
    CohortMemberRow,
    CommitmentRow,
    LearnerPositionRow,
    PasswordResetRow,
    QuizAttemptRow,
    ReflectionRow,
    ScenarioAttemptRow,
    ScenarioChoiceRow,
    SignInAttemptRow,
    StepProgressRow,
    SurveyAnswerRow,
    SurveyPhaseRow,
    UserRoleRow,
    UserRow,
)

SECRET_COLUMNS = frozenset({"password_hash", "id_hash", "token_hash"})
USERS = cast(Table, UserRow.__table__)


@dataclass(frozen=True)
class TableRows:
    """One table's rows about the person: column names, then rows of plain values."""

    table: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]


def personal_tables() -> Iterator[tuple[Table, Column[Any], Table | None]]:
    """(table, the column that names the person or his row, the parent table or None)."""
    yield USERS, USERS.c.id, None
    owners = []
    for table in Base.metadata.sorted_tables:
        column = table.c.get("user_id")
        if column is not None and any(fk.column is USERS.c.id for fk in column.foreign_keys):
            owners.append(table)
            yield table, column, None
    for table in Base.metadata.sorted_tables:
        for column in table.columns:
            for fk in column.foreign_keys:
                parent = fk.column.table
                if parent in owners and fk.column.name == "id" and column.name != "user_id":
                    yield table, column, parent


def personal_rows(session: Session, user_id: int) -> list[TableRows]:
    """Every row about `user_id`, table by table, secrets left out."""
    found = []
    for table, column, parent in personal_tables():
        shown = [c for c in table.columns if c.name not in SECRET_COLUMNS]
        query = select(*shown)
        if parent is None:
            query = query.where(column == user_id)
        else:
            owned = select(parent.c.id).where(parent.c.user_id == user_id)
            query = query.where(column.in_(owned))
        keys = [c for c in table.primary_key.columns]
        rows = session.execute(query.order_by(*keys)).all()
        found.append(TableRows(table.name, tuple(c.name for c in shown), tuple(map(tuple, rows))))
    return found


def plain_value(value: Any) -> Any:
    """A stored value as JSON can hold it: times and days as ISO 8601 text."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


# Deleting: each function removes one kind of record, in the caller's transaction.


def forget_learning(session: Session, user_id: int) -> None:
    """Steps, position, scenario attempts and choices, quiz attempts: his path through it."""
    attempts = select(ScenarioAttemptRow.id).where(ScenarioAttemptRow.user_id == user_id)
    session.execute(delete(ScenarioChoiceRow).where(ScenarioChoiceRow.attempt_id.in_(attempts)))
    for table in (ScenarioAttemptRow, QuizAttemptRow, StepProgressRow, LearnerPositionRow):
        session.execute(delete(table).where(table.user_id == user_id))


def forget_journal(session: Session, user_id: int) -> None:
    """Reflections, plans and their check-ins, self-assessment answers."""
    plans = select(CommitmentRow.id).where(CommitmentRow.user_id == user_id)
    session.execute(delete(CheckInRow).where(CheckInRow.commitment_id.in_(plans)))
    for table in (CommitmentRow, ReflectionRow, SurveyAnswerRow, SurveyPhaseRow):
        session.execute(delete(table).where(table.user_id == user_id))


def forget_certificates(session: Session, user_id: int) -> None:
    session.execute(delete(CertificateRow).where(CertificateRow.user_id == user_id))
    # Who revoked others' certificates is forgotten too; the revocations stand.
    session.execute(
        update(CertificateRow).where(CertificateRow.revoked_by == user_id).values(revoked_by=None)
    )


def forget_cohort_places(session: Session, user_id: int) -> None:
    """Memberships and facilitator places; assignments he made stay, by "a former facilitator"."""
    session.execute(delete(CohortMemberRow).where(CohortMemberRow.user_id == user_id))
    session.execute(delete(CohortFacilitatorRow).where(CohortFacilitatorRow.user_id == user_id))
    session.execute(
        update(AssignmentRow).where(AssignmentRow.assigned_by == user_id).values(assigned_by=None)
    )


def forget_sign_in(session: Session, user_id: int) -> None:
    """Browser sessions, reset links (his, and who made others'), failed sign-ins, roles."""
    user = get_user(session, user_id)
    if user is not None:
        session.execute(delete(SignInAttemptRow).where(SignInAttemptRow.email == user.email))
    session.execute(delete(AuthSessionRow).where(AuthSessionRow.user_id == user_id))
    session.execute(delete(PasswordResetRow).where(PasswordResetRow.user_id == user_id))
    session.execute(
        update(PasswordResetRow)
        .where(PasswordResetRow.created_by_id == user_id)
        .values(created_by_id=None)
    )
    session.execute(delete(UserRoleRow).where(UserRoleRow.user_id == user_id))


def delete_user_row(session: Session, user_id: int) -> None:
    """The account itself, last: anything still pointing at it goes by its foreign key's rule."""
    session.execute(delete(UserRow).where(UserRow.id == user_id))


def session_started_at(session: Session, session_hash: str) -> datetime | None:
    """When this browser session was signed in (a fresh sign-in confirms a deletion)."""
    query = select(AuthSessionRow.created_at).where(AuthSessionRow.id_hash == session_hash)
    return session.scalar(query)
