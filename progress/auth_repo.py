"""Sign-in state: browser sessions, failed attempts (for throttling), password-reset tokens.

Random tokens go to the browser or into a link; only their SHA-256 hashes are stored, so a
copy of the database does not let anyone in.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, bindparam, delete, select, update
from sqlalchemy.orm import Session

from progress.account_repo import UserRecord, get_user, is_synthetic, normalize_email
from progress.database import as_utc, insert_ignoring_conflict
from progress.errors import RecordNotFound
from progress.tables import (
    AuthSessionRow,
    PasswordResetRow,
    SignInAttemptRow,
    SignInClientRow,
    UserRoleRow,
    UserRow,
)

SESSION_LIFETIME = timedelta(days=30)
RESET_LIFETIME = timedelta(hours=48)


@dataclass(frozen=True, slots=True)
class NewToken:
    """A token made just now: `token` is shown once (cookie or link) and never stored."""

    token: str
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class SignInCounters:
    """What the sign-in throttle keeps for one account from one client address."""

    failures: int  # of this account from this address, in the current spell
    last_at: datetime | None  # when the last of them was counted; None without any
    drained_at: datetime | None  # when this address's failures (any account) drain away


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


def start_auth_session(
    session: Session,
    user_id: int,
    lifetime: timedelta = SESSION_LIFETIME,
    now: datetime | None = None,
) -> NewToken:
    """Sign `user_id` in; the returned token goes into the cookie.

    A synthetic account (a sample cohort's made-up learner) never signs in: RecordNotFound.
    """
    _refuse_synthetic(session, user_id)
    moment = as_utc(now)
    token = new_token()
    expires_at = moment + lifetime
    session.add(
        AuthSessionRow(
            id_hash=token_hash(token), user_id=user_id, created_at=moment, expires_at=expires_at
        )
    )
    session.flush()
    return NewToken(token, expires_at)


# Built once: every page run looks its browser's session up (modules/ui/identity.py).
# Built once, and one statement on the tables' columns (no ORM step: see scenario_repo):
# every page run of a signed-in browser makes it first.
_users, _roles, _sessions = (
    UserRow.__table__.c,
    UserRoleRow.__table__.c,
    AuthSessionRow.__table__.c,
)
_SESSION_USER = (
    select(
        _users.id,
        _users.email,
        _users.display_name,
        _users.password_hash.is_not(None).label("has_password"),
        _users.created_at,
        _users.synthetic,
        _roles.role,
    )
    .join(AuthSessionRow.__table__, _sessions.user_id == _users.id)
    .outerjoin(UserRoleRow.__table__, _roles.user_id == _users.id)
    .where(_sessions.id_hash == bindparam("id_hash"), _sessions.expires_at > bindparam("now"))
)


def user_for_auth_session(
    session: Session, token: str, now: datetime | None = None
) -> UserRecord | None:
    """The signed-in user, or None for an unknown, expired or deleted session."""
    rows = session.execute(_SESSION_USER, {"id_hash": token_hash(token), "now": as_utc(now)}).all()
    if not rows:
        return None
    user = rows[0]
    return UserRecord(
        id=user.id,
        email=user.email,
        display_name=user.display_name,
        roles=frozenset(row.role for row in rows if row.role is not None),
        has_password=bool(user.has_password),
        created_at=user.created_at,
        synthetic=user.synthetic,
    )


def end_auth_session(session: Session, token: str) -> None:
    """Sign out this browser (nothing happens for an unknown token)."""
    session.execute(delete(AuthSessionRow).where(AuthSessionRow.id_hash == token_hash(token)))


def end_all_auth_sessions(session: Session, user_id: int) -> int:
    """Sign the user out everywhere (after a password reset); returns how many ended."""
    result = session.execute(delete(AuthSessionRow).where(AuthSessionRow.user_id == user_id))
    return int(getattr(result, "rowcount", 0))


def delete_expired_auth_sessions(session: Session, now: datetime | None = None) -> int:
    query = delete(AuthSessionRow).where(AuthSessionRow.expires_at <= as_utc(now))
    return int(getattr(session.execute(query), "rowcount", 0))


def sign_in_counters(session: Session, email: str, client: str) -> SignInCounters:
    """The throttle's counters for `email` from `client`, read without locking (zero if none)."""
    attempt = session.execute(
        select(SignInAttemptRow.failures, SignInAttemptRow.last_at).filter_by(
            email=normalize_email(email), client=client
        )
    ).one_or_none()
    drained_at = session.scalar(select(SignInClientRow.drained_at).filter_by(client=client))
    if attempt is None or not attempt.failures:
        return SignInCounters(0, None, drained_at)
    return SignInCounters(attempt.failures, attempt.last_at, drained_at)


def lock_sign_in_counters(
    session: Session, email: str, client: str, now: datetime | None = None
) -> SignInCounters:
    """The counters, locked until this transaction ends, so that no two attempts read alike.

    Rows are created first when missing (a lock needs a row). The account's row is always
    locked before the client's, so that two sign-ins never wait for each other in a circle.
    PostgreSQL: SELECT ... FOR UPDATE. SQLite: every transaction holds the write lock already.
    """
    moment, email = as_utc(now), normalize_email(email)
    attempt_key = {"email": email, "client": client}
    insert_ignoring_conflict(
        session, SignInAttemptRow, {**attempt_key, "failures": 0, "last_at": moment}, attempt_key
    )
    attempt = session.execute(
        select(SignInAttemptRow.failures, SignInAttemptRow.last_at)
        .filter_by(**attempt_key)
        .with_for_update()
    ).one()
    insert_ignoring_conflict(
        session, SignInClientRow, {"client": client, "drained_at": moment}, ["client"]
    )
    drained_at = session.scalar(
        select(SignInClientRow.drained_at).filter_by(client=client).with_for_update()
    )
    failures = attempt.failures
    return SignInCounters(failures, attempt.last_at if failures else None, drained_at)


def save_sign_in_counters(
    session: Session, email: str, client: str, counters: SignInCounters
) -> None:
    """Store locked counters; with no failures left the account's row is deleted."""
    attempt = (SignInAttemptRow.email == normalize_email(email), SignInAttemptRow.client == client)
    if counters.failures == 0 or counters.last_at is None:
        session.execute(delete(SignInAttemptRow).where(*attempt))
    else:
        values = {"failures": counters.failures, "last_at": counters.last_at}
        session.execute(update(SignInAttemptRow).where(*attempt).values(**values))
    if counters.drained_at is not None:
        session.execute(
            update(SignInClientRow)
            .where(SignInClientRow.client == client)
            .values(drained_at=counters.drained_at)
        )


def forget_sign_in_failures(session: Session, email: str) -> None:
    """Forget the failed sign-ins to `email` from every address (after a password reset)."""
    session.execute(
        delete(SignInAttemptRow).where(SignInAttemptRow.email == normalize_email(email))
    )


def forget_old_sign_in_failures(session: Session, before: datetime) -> None:
    """Forget counters with nothing left to count: last failure, or drained, before `before`."""
    moment = as_utc(before)
    session.execute(delete(SignInAttemptRow).where(SignInAttemptRow.last_at < moment))
    session.execute(delete(SignInClientRow).where(SignInClientRow.drained_at < moment))


def create_password_reset(
    session: Session,
    user_id: int,
    created_by_id: int | None,
    lifetime: timedelta = RESET_LIFETIME,
    now: datetime | None = None,
) -> NewToken:
    """A one-time token for a link that lets `user_id` set a new password (not a synthetic one)."""
    _refuse_synthetic(session, user_id)
    moment = as_utc(now)
    token = new_token()
    row = PasswordResetRow(
        token_hash=token_hash(token),
        user_id=user_id,
        created_by_id=created_by_id,
        created_at=moment,
        expires_at=moment + lifetime,
        used_at=None,
    )
    session.add(row)
    session.flush()
    return NewToken(token, row.expires_at)


def password_reset_user(
    session: Session, token: str, now: datetime | None = None
) -> UserRecord | None:
    """Whose reset link this is, while it is unused and unexpired (to show the form)."""
    query = select(PasswordResetRow.user_id).where(*_usable(token, as_utc(now)))
    user_id = session.scalar(query)
    return None if user_id is None else get_user(session, user_id)


def use_password_reset(session: Session, token: str, now: datetime | None = None) -> int | None:
    """Spend the token: the user id the first time, None for a used, expired or unknown one."""
    moment = as_utc(now)
    spend = (
        update(PasswordResetRow)
        .where(*_usable(token, moment))
        .values(used_at=moment)
        .returning(PasswordResetRow.user_id)
    )
    return session.scalar(spend)


def _usable(token: str, moment: datetime) -> tuple[ColumnElement[bool], ...]:
    return (
        PasswordResetRow.token_hash == token_hash(token),
        PasswordResetRow.used_at.is_(None),
        PasswordResetRow.expires_at > moment,
    )


def _refuse_synthetic(session: Session, user_id: int) -> None:
    if is_synthetic(session, user_id):
        raise RecordNotFound(f"user {user_id} is a sample cohort's made-up learner")
