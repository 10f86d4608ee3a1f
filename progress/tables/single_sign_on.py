"""Tables of single sign-on (OIDC): who an organisation's identity is here, and flows under way.

A flow's state lives in the database, not in the process, because the identity provider may
send the browser back to another replica than the one that sent it away.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from progress.tables.accounts import TOKEN_HASH_LENGTH
from progress.tables.base import Base, one_of

SIGN_IN = "sign_in"
REAUTH = "reauth"  # a fresh sign-in asked for by a signed-in person (before deleting his account)
PURPOSES = (SIGN_IN, REAUTH)
ISSUER_LENGTH = 500
SUBJECT_LENGTH = 255  # OIDC Core 2: "MUST NOT exceed 255 ASCII characters"


class SsoIdentityRow(Base):
    """An identity at an OIDC provider (issuer and subject) that signs in as an account."""

    __tablename__ = "sso_identities"

    issuer: Mapped[str] = mapped_column(String(ISSUER_LENGTH), primary_key=True)
    subject: Mapped[str] = mapped_column(String(SUBJECT_LENGTH), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # The verified address the provider gave when the identity was linked (for administrators).
    email: Mapped[str] = mapped_column(String(320))
    created_at: Mapped[datetime]
    last_sign_in_at: Mapped[datetime]


class SsoLoginRow(Base):
    """A sign-in sent to the provider and not yet back: spent (deleted) by its callback.

    Only the state's hash is kept; the state itself is in the browser's cookie and in the
    provider's redirect, so the row alone cannot finish a sign-in.
    """

    __tablename__ = "sso_logins"
    __table_args__ = (CheckConstraint(one_of("purpose", PURPOSES), name="purpose"),)

    state_hash: Mapped[str] = mapped_column(String(TOKEN_HASH_LENGTH), primary_key=True)
    nonce: Mapped[str] = mapped_column(String(128))
    code_verifier: Mapped[str] = mapped_column(String(128))  # PKCE (RFC 7636)
    next_path: Mapped[str] = mapped_column(String(2000))
    purpose: Mapped[str] = mapped_column(String(20))
    # For REAUTH: the browser session that asked, which the fresh sign-in is recorded on.
    session_hash: Mapped[str | None] = mapped_column(
        ForeignKey("auth_sessions.id_hash", ondelete="CASCADE")
    )
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime] = mapped_column(index=True)


class SsoReauthenticationRow(Base):
    """When the person of a browser session last signed in afresh at the provider."""

    __tablename__ = "sso_reauthentications"

    session_hash: Mapped[str] = mapped_column(
        ForeignKey("auth_sessions.id_hash", ondelete="CASCADE"), primary_key=True
    )
    authenticated_at: Mapped[datetime]
