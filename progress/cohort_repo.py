"""Cohorts: their facilitators, members (removal keeps every record) and module assignments.

Roles and ownership are checked in the services; these functions trust their caller.
"""

from __future__ import annotations

import dataclasses
import secrets
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Integer,
    Select,
    bindparam,
    delete,
    select,
    update,
)
from sqlalchemy.orm import Session

from progress import account_repo, tally_repo
from progress.database import as_utc, fresh, insert_ignoring_conflict, upsert
from progress.errors import RecordNotFound
from progress.tables import (
    JOIN_CODE_LENGTH,
    AssignmentRow,
    CohortFacilitatorRow,
    CohortMemberRow,
    CohortRow,
    UserRow,
)

# No 0/O, 1/I/L: a code read aloud or copied from paper is typed back right.
JOIN_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


@dataclass(frozen=True, slots=True)
class CohortRecord:
    id: int
    course_id: str
    name: str
    time_zone: str
    join_code: str
    inactive_after_days: int
    created_at: datetime
    archived_at: datetime | None
    is_sample: bool = False  # made by `python -m progress demo`: synthetic learners only


@dataclass(frozen=True, slots=True)
class MemberRecord:
    user_id: int
    email: str
    display_name: str
    joined_at: datetime


@dataclass(frozen=True, slots=True)
class FacilitatorRecord:
    user_id: int
    email: str
    display_name: str
    is_owner: bool


@dataclass(frozen=True, slots=True)
class AssignmentRecord:
    cohort_id: int
    module_id: str
    due_date: date
    assigned_by: int | None  # None once the facilitator who set it deleted his account
    created_at: datetime
    assigned_by_name: str | None = None  # read by `assignments` only


def normalize_join_code(code: str) -> str:
    """The stored form of a typed code: upper case, without spaces or hyphens."""
    return "".join(char for char in code if not char.isspace() and char != "-").upper()


def create_cohort(
    session: Session,
    *,
    course_id: str,
    name: str,
    time_zone: str,
    owner_id: int,
    inactive_after_days: int = 14,
    now: datetime | None = None,
    sample: bool = False,
) -> CohortRecord:
    """A new cohort with a fresh join code, owned by `owner_id`; `sample`: of made-up learners."""
    row = CohortRow(
        course_id=course_id,
        name=name.strip(),
        time_zone=time_zone,
        join_code=_unused_join_code(session),
        inactive_after_days=inactive_after_days,
        created_at=as_utc(now),
        archived_at=None,
        is_sample=sample,
    )
    session.add(row)
    session.flush()
    add_facilitator(session, row.id, owner_id, owner=True)
    return _cohort_record(row)


def get_cohort(session: Session, cohort_id: int) -> CohortRecord | None:
    row = session.scalar(fresh(select(CohortRow).where(CohortRow.id == cohort_id)))
    return None if row is None else _cohort_record(row)


def cohort_by_join_code(session: Session, code: str) -> CohortRecord | None:
    """The cohort with this code, however it was typed (case, spaces and hyphens ignored)."""
    query = select(CohortRow).where(CohortRow.join_code == normalize_join_code(code))
    row = session.scalar(fresh(query))
    return None if row is None else _cohort_record(row)


def update_cohort(
    session: Session,
    cohort_id: int,
    *,
    name: str | None = None,
    time_zone: str | None = None,
    inactive_after_days: int | None = None,
) -> CohortRecord:
    """Change the settings given (None keeps one); RecordNotFound when there is no cohort."""
    changes: dict[str, object] = {}
    if name is not None:
        changes["name"] = name.strip()
    if time_zone is not None:
        changes["time_zone"] = time_zone
    if inactive_after_days is not None:
        changes["inactive_after_days"] = inactive_after_days
    if changes:
        session.execute(update(CohortRow).where(CohortRow.id == cohort_id).values(**changes))
    return _existing_cohort(session, cohort_id)


def archive_cohort(session: Session, cohort_id: int, now: datetime | None = None) -> CohortRecord:
    """Hide the cohort from everyday lists; archiving again keeps the first time."""
    session.execute(
        update(CohortRow)
        .where(CohortRow.id == cohort_id, CohortRow.archived_at.is_(None))
        .values(archived_at=as_utc(now))
    )
    return _existing_cohort(session, cohort_id)


def restore_cohort(session: Session, cohort_id: int) -> CohortRecord:
    session.execute(update(CohortRow).where(CohortRow.id == cohort_id).values(archived_at=None))
    return _existing_cohort(session, cohort_id)


def new_join_code(session: Session, cohort_id: int) -> str:
    """Replace the cohort's join code (the old one stops working) and return the new one."""
    code = _unused_join_code(session)
    session.execute(update(CohortRow).where(CohortRow.id == cohort_id).values(join_code=code))
    _existing_cohort(session, cohort_id)
    return code


def add_facilitator(session: Session, cohort_id: int, user_id: int, *, owner: bool = False) -> None:
    """Make the user a facilitator of the cohort; `owner` promotes, it never demotes."""
    values = {"cohort_id": cohort_id, "user_id": user_id, "is_owner": owner}
    key = ("cohort_id", "user_id")
    if owner:
        upsert(session, CohortFacilitatorRow, values, key=key, update=("is_owner",))
    else:
        insert_ignoring_conflict(session, CohortFacilitatorRow, values, key=key)


def remove_facilitator(session: Session, cohort_id: int, user_id: int) -> None:
    session.execute(
        delete(CohortFacilitatorRow).where(
            CohortFacilitatorRow.cohort_id == cohort_id, CohortFacilitatorRow.user_id == user_id
        )
    )


def facilitators(session: Session, cohort_id: int) -> list[FacilitatorRecord]:
    """The cohort's facilitators, owners first, then by name."""
    query = (
        select(UserRow.id, UserRow.email, UserRow.display_name, CohortFacilitatorRow.is_owner)
        .join(CohortFacilitatorRow, CohortFacilitatorRow.user_id == UserRow.id)
        .where(CohortFacilitatorRow.cohort_id == cohort_id)
        .order_by(CohortFacilitatorRow.is_owner.desc(), UserRow.display_name, UserRow.email)
    )
    return [FacilitatorRecord(*row) for row in session.execute(query)]


def is_cohort_facilitator(session: Session, cohort_id: int, user_id: int) -> bool:
    query = select(CohortFacilitatorRow.user_id).where(
        CohortFacilitatorRow.cohort_id == cohort_id, CohortFacilitatorRow.user_id == user_id
    )
    return session.scalar(query) is not None


def cohorts_facilitated_by(
    session: Session, user_id: int, *, include_archived: bool = False
) -> list[CohortRecord]:
    """The cohorts the user owns or co-facilitates, by name."""
    query = _cohorts_query(include_archived).join(
        CohortFacilitatorRow, CohortFacilitatorRow.cohort_id == CohortRow.id
    )
    return _cohort_records(session, query.where(CohortFacilitatorRow.user_id == user_id))


def all_cohorts(session: Session, *, include_archived: bool = False) -> list[CohortRecord]:
    """Every cohort, by name (for administrators)."""
    return _cohort_records(session, _cohorts_query(include_archived))


def add_member(session: Session, cohort_id: int, user_id: int, now: datetime | None = None) -> bool:
    """Add the learner; False when already an active member. A removed one rejoins as of now.

    A sample cohort takes synthetic learners only, and every other cohort real ones only, so
    that made-up answers never reach a real cohort's figures (ValueError otherwise; the
    services check first and say why).
    """
    if is_sample_cohort(session, cohort_id) != account_repo.is_synthetic(session, user_id):
        raise ValueError("sample cohorts have synthetic members only, other cohorts real ones")
    moment = as_utc(now)
    query = select(CohortMemberRow.removed_at).where(*_membership(cohort_id, user_id))
    found = session.execute(query.with_for_update()).one_or_none()
    if found is None:
        # Not insert_ignoring_conflict's answer: PostgreSQL reports no row count for an INSERT.
        values = {"cohort_id": cohort_id, "user_id": user_id, "joined_at": moment}
        key = ("cohort_id", "user_id")
        if insert_ignoring_conflict(session, CohortMemberRow, values, key=key):
            tally_repo.member_joined(session, cohort_id, user_id, removed_at=None)
        return True
    if found.removed_at is None:
        return False
    session.execute(
        update(CohortMemberRow)
        .where(*_membership(cohort_id, user_id))
        .values(joined_at=moment, removed_at=None)
    )
    tally_repo.member_joined(session, cohort_id, user_id, removed_at=found.removed_at)
    return True


def remove_member(
    session: Session, cohort_id: int, user_id: int, now: datetime | None = None
) -> None:
    """End the membership; the learner's progress, answers and account all stay.

    The cohort's figures keep his values too: taking them out would give them away.
    """
    session.execute(
        update(CohortMemberRow)
        .where(*_membership(cohort_id, user_id), CohortMemberRow.removed_at.is_(None))
        .values(removed_at=as_utc(now))
    )


def members(session: Session, cohort_id: int) -> list[MemberRecord]:
    """The cohort's active members, by name."""
    query = (
        select(UserRow.id, UserRow.email, UserRow.display_name, CohortMemberRow.joined_at)
        .join(CohortMemberRow, CohortMemberRow.user_id == UserRow.id)
        .where(CohortMemberRow.cohort_id == cohort_id, CohortMemberRow.removed_at.is_(None))
        .order_by(UserRow.display_name, UserRow.email)
    )
    return [MemberRecord(*row) for row in session.execute(query)]


def is_sample_cohort(session: Session, cohort_id: int) -> bool:
    return bool(session.scalar(select(CohortRow.is_sample).where(CohortRow.id == cohort_id)))


def delete_sample_cohorts(session: Session, only: int | None = None) -> int:
    """Delete every sample cohort (or the one `only`) with its members, assignments and figures.

    Returns how many; a cohort that is not a sample is never deleted here.
    """
    query = select(CohortRow.id).where(CohortRow.is_sample.is_(True))
    if only is not None:
        query = query.where(CohortRow.id == only)
    ids = list(session.scalars(query))
    if ids:
        session.execute(delete(CohortRow).where(CohortRow.id.in_(ids)))
    return len(ids)


def cohorts_of_learner(session: Session, user_id: int) -> list[CohortRecord]:
    """The cohorts the learner is an active member of, archived ones left out, by name."""
    return _cohort_records(session, _learner_cohorts_query(user_id))


def set_assignment(
    session: Session,
    cohort_id: int,
    module_id: str,
    due_date: date,
    assigned_by: int,
    now: datetime | None = None,
) -> AssignmentRecord:
    """Assign the module, or move its due date: one assignment per cohort and module."""
    values = {
        "cohort_id": cohort_id,
        "module_id": module_id,
        "due_date": due_date,
        "assigned_by": assigned_by,
        "created_at": as_utc(now),
    }
    key = ("cohort_id", "module_id")
    upsert(session, AssignmentRow, values, key=key, update=("due_date", "assigned_by"))
    query = select(AssignmentRow).where(
        AssignmentRow.cohort_id == cohort_id, AssignmentRow.module_id == module_id
    )
    return _assignment_record(session.scalars(fresh(query)).one())


def remove_assignment(session: Session, cohort_id: int, module_id: str) -> None:
    session.execute(
        delete(AssignmentRow).where(
            AssignmentRow.cohort_id == cohort_id, AssignmentRow.module_id == module_id
        )
    )


def assignments(session: Session, cohort_id: int) -> list[AssignmentRecord]:
    """The cohort's assignments, soonest due first, with the name of who set each."""
    query = (
        select(AssignmentRow, UserRow.display_name)
        .outerjoin(UserRow, UserRow.id == AssignmentRow.assigned_by)
        .where(AssignmentRow.cohort_id == cohort_id)
        .order_by(AssignmentRow.due_date, AssignmentRow.module_id)
    )
    return [
        dataclasses.replace(_assignment_record(row), assigned_by_name=name)
        for row, name in session.execute(fresh(query))
    ]


def assignments_for_learner(
    session: Session, user_id: int
) -> list[tuple[CohortRecord, AssignmentRecord]]:
    """The assignments of every cohort the learner is active in (not archived), soonest first."""
    return [
        (_cohort_record(cohort), _assignment_record(assignment))
        for cohort, assignment in session.execute(_LEARNERS_ASSIGNMENTS, {"user_id": user_id})
    ]


def _unused_join_code(session: Session) -> str:
    # 31**8 codes: a clash is rare, and the unique constraint backs this check.
    while True:
        code = "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))
        if session.scalar(select(CohortRow.id).where(CohortRow.join_code == code)) is None:
            return code


def _existing_cohort(session: Session, cohort_id: int) -> CohortRecord:
    cohort = get_cohort(session, cohort_id)
    if cohort is None:
        raise RecordNotFound(f"cohort {cohort_id}")
    return cohort


def _membership(cohort_id: int, user_id: int) -> tuple[ColumnElement[bool], ...]:
    return (CohortMemberRow.cohort_id == cohort_id, CohortMemberRow.user_id == user_id)


def _cohorts_query(include_archived: bool) -> Select[CohortRow]:
    query = select(CohortRow)
    if not include_archived:
        query = query.where(CohortRow.archived_at.is_(None))
    return query


def _learner_cohorts_query(user_id: int | BindParameter[int]) -> Select[CohortRow]:
    return (
        _cohorts_query(include_archived=False)
        .join(CohortMemberRow, CohortMemberRow.cohort_id == CohortRow.id)
        .where(CohortMemberRow.user_id == user_id, CohortMemberRow.removed_at.is_(None))
    )


# Built once: Home reads it on every run.
_LEARNERS_ASSIGNMENTS = fresh(
    select(CohortRow, AssignmentRow)
    .join(AssignmentRow, AssignmentRow.cohort_id == CohortRow.id)
    .where(
        CohortRow.id.in_(
            _learner_cohorts_query(bindparam("user_id", type_=Integer)).with_only_columns(
                CohortRow.id
            )
        )
    )
    .order_by(AssignmentRow.due_date, CohortRow.name, AssignmentRow.module_id)
)


def _cohort_records(session: Session, query: Select[CohortRow]) -> list[CohortRecord]:
    rows = session.scalars(fresh(query.order_by(CohortRow.name, CohortRow.id)))
    return [_cohort_record(row) for row in rows]


def _cohort_record(row: CohortRow) -> CohortRecord:
    return CohortRecord(
        id=row.id,
        course_id=row.course_id,
        name=row.name,
        time_zone=row.time_zone,
        join_code=row.join_code,
        inactive_after_days=row.inactive_after_days,
        created_at=row.created_at,
        archived_at=row.archived_at,
        is_sample=row.is_sample,
    )


def _assignment_record(row: AssignmentRow) -> AssignmentRecord:
    return AssignmentRecord(
        cohort_id=row.cohort_id,
        module_id=row.module_id,
        due_date=row.due_date,
        assigned_by=row.assigned_by,
        created_at=row.created_at,
    )
