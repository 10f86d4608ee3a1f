"""Tables of people and sign-in: users, roles, sessions, throttling, reset tokens, secrets."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from progress.tables.base import Base, one_of

# The roles, defined here once: the table's CHECK constraint, services and pages use these.
LEARNER = "learner"
FACILITATOR = "facilitator"
ADMIN = "admin"
ROLES = (LEARNER, FACILITATOR, ADMIN)
TOKEN_HASH_LENGTH = 64  # hex SHA-256
CLIENT_LENGTH = 64  # an IPv6 address or /64 network as text, or what else the socket gave


class UserRow(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Stored normalised (trimmed, lower case): unique regardless of how it was typed.
    email: Mapped[str] = mapped_column(String(320), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    # None: no password yet (an invitation not yet taken up, or single sign-on only).
    password_hash: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime]
    # A made-up learner of a sample cohort (`python -m progress demo`): never signs in, and is
    # left out of account lists, exports, xAPI and certificates (account_repo.REAL_ACCOUNT).
    synthetic: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class UserRoleRow(Base):
    __tablename__ = "user_roles"
    __table_args__ = (CheckConstraint(one_of("role", ROLES), name="role"),)

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(20), primary_key=True)


class AuthSessionRow(Base):
    """A signed-in browser; the cookie holds the random id, the table only its hash."""

    __tablename__ = "auth_sessions"

    id_hash: Mapped[str] = mapped_column(String(TOKEN_HASH_LENGTH), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime] = mapped_column(index=True)


class SignInAttemptRow(Base):
    """Failed sign-ins to one account from one client address (see modules/services/throttle).

    An attempt is counted when it is let through, before its password is checked, so that
    concurrent guesses see each other; a successful sign-in deletes the row.
    """

    __tablename__ = "sign_in_attempts"

    # Not a foreign key: guesses at addresses without an account are throttled too.
    email: Mapped[str] = mapped_column(String(320), primary_key=True)
    client: Mapped[str] = mapped_column(String(CLIENT_LENGTH), primary_key=True)
    failures: Mapped[int]
    last_at: Mapped[datetime] = mapped_column(index=True)


class SignInClientRow(Base):
    """Failed sign-ins from one client address to any account, as a draining bucket."""

    __tablename__ = "sign_in_clients"

    client: Mapped[str] = mapped_column(String(CLIENT_LENGTH), primary_key=True)
    # When the failures counted so far will have drained away (each adds a fixed time).
    drained_at: Mapped[datetime] = mapped_column(index=True)


class PasswordResetRow(Base):
    """A one-time, expiring link to set a password; only the token's hash is kept."""

    __tablename__ = "password_resets"

    token_hash: Mapped[str] = mapped_column(String(TOKEN_HASH_LENGTH), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class AppSecretRow(Base):
    """Secrets generated on first start and shared by every replica (e.g. the CSRF key)."""

    __tablename__ = "app_secrets"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
