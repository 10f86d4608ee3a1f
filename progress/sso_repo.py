"""Single sign-on storage: flows under way (by their state's hash), linked identities, and
fresh sign-ins recorded on a browser session."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from progress.auth_repo import token_hash
from progress.database import as_utc, insert_ignoring_conflict, upsert
from progress.tables.single_sign_on import (
    SsoIdentityRow,
    SsoLoginRow,
    SsoReauthenticationRow,
)

LOGIN_LIFETIME = timedelta(minutes=10)


@dataclass(frozen=True, slots=True)
class LoginRecord:
    """A sign-in sent to the provider: what its callback must check and where it goes next."""

    nonce: str
    code_verifier: str
    next_path: str
    purpose: str
    session_hash: str | None
    created_at: datetime


def save_login(
    session: Session,
    state: str,
    login: LoginRecord,
    lifetime: timedelta = LOGIN_LIFETIME,
) -> None:
    """Keep a flow under way for `lifetime`; expired flows are forgotten on the way."""
    moment = as_utc(login.created_at)
    session.execute(delete(SsoLoginRow).where(SsoLoginRow.expires_at <= moment))
    session.add(
        SsoLoginRow(
            state_hash=token_hash(state),
            nonce=login.nonce,
            code_verifier=login.code_verifier,
            next_path=login.next_path,
            purpose=login.purpose,
            session_hash=login.session_hash,
            created_at=moment,
            expires_at=moment + lifetime,
        )
    )
    session.flush()


def find_login(session: Session, state: str, now: datetime | None = None) -> LoginRecord | None:
    """The unexpired flow this state belongs to, or None (unknown, spent or expired)."""
    row = session.scalar(
        select(SsoLoginRow).where(
            SsoLoginRow.state_hash == token_hash(state), SsoLoginRow.expires_at > as_utc(now)
        )
    )
    if row is None:
        return None
    return LoginRecord(
        row.nonce, row.code_verifier, row.next_path, row.purpose, row.session_hash, row.created_at
    )


def spend_login(session: Session, state: str) -> bool:
    """Delete the flow; True only for the one transaction that deleted it (no replays)."""
    result = session.execute(
        delete(SsoLoginRow)
        .where(SsoLoginRow.state_hash == token_hash(state))
        .execution_options(preserve_rowcount=True)
    )
    return bool(getattr(result, "rowcount", 0))


def user_for_identity(session: Session, issuer: str, subject: str) -> int | None:
    return session.scalar(select(SsoIdentityRow.user_id).filter_by(issuer=issuer, subject=subject))


def link_identity(
    session: Session, issuer: str, subject: str, user_id: int, email: str, now: datetime
) -> int:
    """Link the identity to `user_id` unless it is linked already; the account it signs in as."""
    moment = as_utc(now)
    values = {
        "issuer": issuer,
        "subject": subject,
        "user_id": user_id,
        "email": email,
        "created_at": moment,
        "last_sign_in_at": moment,
    }
    insert_ignoring_conflict(session, SsoIdentityRow, values, ["issuer", "subject"])
    linked = user_for_identity(session, issuer, subject)
    assert linked is not None  # inserted just now, or by a concurrent first sign-in
    return linked


def note_sign_in(session: Session, issuer: str, subject: str, now: datetime) -> None:
    session.execute(
        update(SsoIdentityRow)
        .filter_by(issuer=issuer, subject=subject)
        .values(last_sign_in_at=as_utc(now))
    )


def has_identity(session: Session, user_id: int) -> bool:
    """True when the account signs in through an identity provider."""
    query = select(SsoIdentityRow.user_id).filter_by(user_id=user_id).limit(1)
    return session.scalar(query) is not None


def record_reauthentication(session: Session, session_hash: str, now: datetime) -> None:
    values = {"session_hash": session_hash, "authenticated_at": as_utc(now)}
    upsert(session, SsoReauthenticationRow, values, ["session_hash"], ["authenticated_at"])


def reauthenticated_at(session: Session, session_hash: str) -> datetime | None:
    """When the person of this browser session last signed in afresh at the provider."""
    query = select(SsoReauthenticationRow.authenticated_at).filter_by(session_hash=session_hash)
    return session.scalar(query)
