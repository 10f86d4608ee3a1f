"""Accounts: users and their roles. The first account becomes administrator and facilitator.

Synthetic accounts (the made-up learners of a sample cohort, `python -m progress demo`) have no
password and cannot sign in; they are never the first account, and account lists, counts,
exports, xAPI and certificates leave them out: filter with `REAL_ACCOUNT` or `is_synthetic`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, delete, func, select
from sqlalchemy.orm import Session

from progress.database import as_utc, lock_for_write
from progress.errors import EmailTaken, RecordNotFound
from progress.tables import ROLES, UserRoleRow, UserRow
from progress.tables.accounts import ADMIN, FACILITATOR, LEARNER

FIRST_ACCOUNT_ROLES = frozenset({ADMIN, FACILITATOR})
# Addresses of synthetic accounts: .invalid is reserved (RFC 2606), so no real person has one.
SYNTHETIC_DOMAIN = "sample.invalid"
# The predicate for queries over users: `.where(REAL_ACCOUNT)` leaves synthetic accounts out.
REAL_ACCOUNT: ColumnElement[bool] = UserRow.synthetic.is_(False)


@dataclass(frozen=True, slots=True)
class UserRecord:
    id: int
    email: str
    display_name: str
    roles: frozenset[str]
    has_password: bool
    created_at: datetime
    synthetic: bool = False


@dataclass(frozen=True, slots=True)
class Credentials:
    """What sign-in needs; kept apart from UserRecord so the hash travels no further."""

    user: UserRecord
    password_hash: str | None


def normalize_email(email: str) -> str:
    """The stored form of an address: trimmed and lower case, so uniqueness ignores case."""
    return email.strip().lower()


def email_problem(email: str) -> str | None:
    """Why `email` is not a usable address, or None when it is."""
    local, at, domain = email.strip().rpartition("@")
    if not at or not local or not domain or any(char.isspace() for char in email.strip()):
        return f"{email.strip()!r} is not an email address."
    if len(email.strip()) > 320:
        return "The email address is too long."
    if domain.lower().rstrip(".").endswith(".invalid"):
        return f"{email.strip()!r} is not a real address: .invalid addresses are never delivered."
    return None


def create_user(
    session: Session,
    email: str,
    display_name: str,
    password_hash: str | None,
    roles: Iterable[str] = (LEARNER,),
    now: datetime | None = None,
    *,
    synthetic: bool = False,
) -> UserRecord:
    """Add an account; the first real one also gets the administrator and facilitator roles.

    Two replicas creating the first accounts at once are serialised by a lock, so exactly
    one of them sees no real account. Raises EmailTaken when the address is in use. A
    synthetic account is a learner without a password, never the first account.
    """
    wanted = _checked_roles(roles)
    if synthetic and (password_hash is not None or wanted != {LEARNER}):
        raise ValueError("a synthetic account is a learner without a password")
    address = normalize_email(email)
    lock_for_write(session, "users")
    if session.scalar(select(UserRow.id).where(UserRow.email == address)) is not None:
        raise EmailTaken(f"an account with the address {address} exists already")
    if not synthetic and count_users(session) == 0:
        wanted |= FIRST_ACCOUNT_ROLES
    row = UserRow(
        email=address,
        display_name=display_name.strip(),
        password_hash=password_hash,
        created_at=as_utc(now),
        synthetic=synthetic,
    )
    session.add(row)
    session.flush()
    session.add_all(UserRoleRow(user_id=row.id, role=role) for role in sorted(wanted))
    session.flush()
    return _record(row, wanted)


def get_user(session: Session, user_id: int) -> UserRecord | None:
    row = session.get(UserRow, user_id)
    return None if row is None else _record(row, _roles_of(session, row.id))


def find_user_by_email(session: Session, email: str) -> UserRecord | None:
    """The real account with this address (synthetic ones are not found)."""
    credentials = sign_in_credentials(session, email)
    return None if credentials is None else credentials.user


def is_synthetic(session: Session, user_id: int) -> bool:
    """Whether the account is a made-up learner of a sample cohort (False when there is none)."""
    return bool(session.scalar(select(UserRow.synthetic).where(UserRow.id == user_id)))


def sign_in_credentials(session: Session, email: str) -> Credentials | None:
    """The account that may sign in with `email`: never a synthetic one."""
    query = select(UserRow).where(UserRow.email == normalize_email(email), REAL_ACCOUNT)
    row = session.scalar(query)
    if row is None:
        return None
    return Credentials(_record(row, _roles_of(session, row.id)), row.password_hash)


def list_users(session: Session) -> list[UserRecord]:
    """Every real account, oldest first (synthetic ones are left out)."""
    rows = session.scalars(select(UserRow).where(REAL_ACCOUNT).order_by(UserRow.id)).all()
    roles: dict[int, set[str]] = {}
    for user_id, role in session.execute(select(UserRoleRow.user_id, UserRoleRow.role)):
        roles.setdefault(user_id, set()).add(role)
    return [_record(row, frozenset(roles.get(row.id, ()))) for row in rows]


def count_users(session: Session) -> int:
    """How many real accounts there are (none: the next one becomes administrator)."""
    return session.scalar(select(func.count()).select_from(UserRow).where(REAL_ACCOUNT)) or 0


def synthetic_user_ids(session: Session) -> list[int]:
    return list(session.scalars(select(UserRow.id).where(UserRow.synthetic.is_(True))))


def delete_users(session: Session, user_ids: Iterable[int]) -> int:
    """Delete the accounts and, by cascade, everything they recorded; returns how many."""
    ids = list(user_ids)
    if not ids:
        return 0
    session.execute(delete(UserRow).where(UserRow.id.in_(ids)))
    return len(ids)


def set_roles(session: Session, user_id: int, roles: Iterable[str]) -> UserRecord:
    """Replace the account's roles; a synthetic account stays a learner (RecordNotFound)."""
    wanted = _checked_roles(roles)
    row = _user_row(session, user_id)
    if row.synthetic:
        raise RecordNotFound(f"user {user_id} is a sample cohort's made-up learner")
    session.execute(delete(UserRoleRow).where(UserRoleRow.user_id == user_id))
    session.add_all(UserRoleRow(user_id=user_id, role=role) for role in sorted(wanted))
    session.flush()
    return _record(row, wanted)


def set_password_hash(session: Session, user_id: int, password_hash: str) -> None:
    _user_row(session, user_id).password_hash = password_hash
    session.flush()


def _checked_roles(roles: Iterable[str]) -> set[str]:
    wanted = set(roles)
    unknown = wanted - set(ROLES)
    if unknown:
        raise ValueError(f"unknown role {sorted(unknown)[0]!r}; roles are {', '.join(ROLES)}")
    return wanted


def _user_row(session: Session, user_id: int) -> UserRow:
    row = session.get(UserRow, user_id)
    if row is None:
        raise RecordNotFound(f"user {user_id}")
    return row


def _roles_of(session: Session, user_id: int) -> frozenset[str]:
    query = select(UserRoleRow.role).where(UserRoleRow.user_id == user_id)
    return frozenset(session.scalars(query))


def _record(row: UserRow, roles: Iterable[str]) -> UserRecord:
    return UserRecord(
        id=row.id,
        email=row.email,
        display_name=row.display_name,
        roles=frozenset(roles),
        has_password=row.password_hash is not None,
        created_at=row.created_at,
        synthetic=row.synthetic,
    )
