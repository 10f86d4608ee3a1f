"""Sign-in state: browser sessions, failed attempts (for throttling), password-reset tokens.

Random tokens go to the browser or into a link; only their SHA-256 hashes are stored, so a
copy of the database does not let anyone in.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, delete, func, select, update
from sqlalchemy.orm import Session

from progress.accounts import UserRecord, get_user, normalize_email
from progress.database import as_utc
from progress.tables import AuthSessionRow, PasswordResetRow, SignInFailureRow

SESSION_LIFETIME = timedelta(days=30)
RESET_LIFETIME = timedelta(hours=48)


@dataclass(frozen=True, slots=True)
class NewToken:
    """A token made just now: `token` is shown once (cookie or link) and never stored."""

    token: str
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class SignInFailures:
    count: int
    last_at: datetime | None


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
    """Sign `user_id` in; the returned token goes into the cookie."""
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


def user_for_auth_session(
    session: Session, token: str, now: datetime | None = None
) -> UserRecord | None:
    """The signed-in user, or None for an unknown, expired or deleted session."""
    query = select(AuthSessionRow.user_id).where(
        AuthSessionRow.id_hash == token_hash(token), AuthSessionRow.expires_at > as_utc(now)
    )
    user_id = session.scalar(query)
    return None if user_id is None else get_user(session, user_id)


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


def record_failed_sign_in(session: Session, email: str, now: datetime | None = None) -> None:
    session.add(SignInFailureRow(email=normalize_email(email), attempted_at=as_utc(now)))
    session.flush()


def recent_failed_sign_ins(session: Session, email: str, since: datetime) -> SignInFailures:
    """How many sign-ins to `email` failed since `since`, and when the last one was."""
    query = select(func.count(), func.max(SignInFailureRow.attempted_at)).where(
        SignInFailureRow.email == normalize_email(email),
        SignInFailureRow.attempted_at >= as_utc(since),
    )
    count, last_at = session.execute(query).one()
    return SignInFailures(int(count), last_at)


def clear_failed_sign_ins(
    session: Session, email: str | None = None, before: datetime | None = None
) -> None:
    """Forget failures of `email` (after a success), or all of them older than `before`."""
    query = delete(SignInFailureRow)
    if email is not None:
        query = query.where(SignInFailureRow.email == normalize_email(email))
    if before is not None:
        query = query.where(SignInFailureRow.attempted_at < as_utc(before))
    session.execute(query)


def create_password_reset(
    session: Session,
    user_id: int,
    created_by_id: int | None,
    lifetime: timedelta = RESET_LIFETIME,
    now: datetime | None = None,
) -> NewToken:
    """A one-time token for a link that lets `user_id` set a new password."""
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
