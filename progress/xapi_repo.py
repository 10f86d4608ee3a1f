"""The xAPI outbox in SQL: enqueue inside a use case's transaction; claim, mark and defer rows
for the sender; and the account facts a statement needs (an opaque name, never his row id).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from progress.account_repo import REAL_ACCOUNT
from progress.database import as_utc, insert_ignoring_conflict
from progress.secret_repo import app_secret
from progress.tables import AppSecretRow, UserRow, XapiOutboxRow

ACTOR_KEY = "xapi-actor-key"
ERROR_LENGTH = 500


@dataclass(frozen=True)
class XapiAccount:
    """Who statements are about: an opaque, stable name for the account, and his email."""

    user_id: int
    opaque_name: str
    email: str


@dataclass(frozen=True)
class OutboxEntry:
    id: int
    statement_id: str
    statement: dict[str, Any]
    attempts: int


@dataclass(frozen=True)
class OutboxCounts:
    pending: int
    sent: int
    rejected: int


class SqlXapiRepository:
    """The outbox as a unit of work hands it to services (one Session, one transaction)."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def account(self, user_id: int) -> XapiAccount | None:
        """The account's xAPI identity; None when it is gone or synthetic (never reported)."""
        query = select(UserRow.email, UserRow.created_at).where(UserRow.id == user_id, REAL_ACCOUNT)
        found = self._session.execute(query).first()
        if found is None:
            return None
        email, created_at = found
        key = _actor_key(self._session)
        # Row id and creation time: a row id reused after a deletion gives another name.
        message = f"{user_id}:{as_utc(created_at).isoformat()}".encode()
        name = hmac.new(key, message, hashlib.sha256).hexdigest()[:32]
        return XapiAccount(user_id, name, email)

    def enqueue(
        self,
        user_id: int | None,
        statements: Iterable[Mapping[str, Any]],
        now: datetime | None = None,
    ) -> int:
        """Add the statements not already queued (by id); how many were new."""
        moment = as_utc(now)
        added = 0
        for statement in statements:
            row = {
                "statement_id": str(statement["id"]),
                "user_id": user_id,
                "statement": dict(statement),
                "status": "pending",
                "created_at": moment,
                "available_at": moment,
                "attempts": 0,
            }
            added += insert_ignoring_conflict(self._session, XapiOutboxRow, row, ["statement_id"])
        return added

    def queued(self, user_id: int | None) -> list[OutboxEntry]:
        """The account's rows (None: the voiding rows of deleted accounts), oldest first."""
        owner = (
            XapiOutboxRow.user_id.is_(None) if user_id is None else XapiOutboxRow.user_id == user_id
        )
        rows = self._session.scalars(select(XapiOutboxRow).where(owner).order_by(XapiOutboxRow.id))
        return [_entry(row) for row in rows]

    def reached_or_may_have(self, user_id: int, now: datetime | None = None) -> list[OutboxEntry]:
        """Rows that are or may be in the LRS: sent, tried before, or being sent right now."""
        moment = as_utc(now)
        query = select(XapiOutboxRow).where(
            XapiOutboxRow.user_id == user_id,
            or_(
                XapiOutboxRow.status == "sent",
                XapiOutboxRow.attempts > 0,
                XapiOutboxRow.claimed_until > moment,
            ),
        )
        return [_entry(row) for row in self._session.scalars(query.order_by(XapiOutboxRow.id))]

    def discard(self, user_id: int) -> int:
        """Delete every row of the account; how many there were."""
        result = self._session.execute(
            delete(XapiOutboxRow)
            .where(XapiOutboxRow.user_id == user_id)
            .execution_options(preserve_rowcount=True)
        )
        return int(getattr(result, "rowcount", 0))


_actor_keys: dict[str, bytes] = {}  # per database: the secret never changes once stored


def _actor_key(session: Session) -> bytes:
    """The key of the opaque names; cached once it is committed (a rollback must not keep
    a key that another replica would never see)."""
    where = session.get_bind().engine.url.render_as_string(hide_password=True)
    found = _actor_keys.get(where)
    if found is None:
        stored = session.scalar(select(AppSecretRow.value).where(AppSecretRow.name == ACTOR_KEY))
        if stored is None:
            return app_secret(session, ACTOR_KEY).encode()  # made now: cached next time
        found = _actor_keys[where] = stored.encode()
    return found


# The sender's side: each call below runs in a short transaction of its own.


def claim(
    session: Session, token: str, lease: timedelta, limit: int, now: datetime | None = None
) -> list[OutboxEntry]:
    """Take up to `limit` due rows for `token` until the lease ends; others skip them.

    The UPDATE re-checks that a row is unclaimed, so two senders never hold one row: on
    SQLite the write lock serialises them; on PostgreSQL SKIP LOCKED lets each take others.
    """
    moment = as_utc(now)
    free = or_(XapiOutboxRow.claimed_until.is_(None), XapiOutboxRow.claimed_until <= moment)
    due = (
        XapiOutboxRow.status == "pending",
        XapiOutboxRow.available_at <= moment,
        free,
    )
    candidates = (
        select(XapiOutboxRow.id)
        .where(*due)
        .order_by(XapiOutboxRow.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    ids = list(session.scalars(candidates))
    if not ids:
        return []
    session.execute(
        update(XapiOutboxRow)
        .where(XapiOutboxRow.id.in_(ids), *due)
        .values(claim_token=token, claimed_until=moment + lease)
    )
    claimed = select(XapiOutboxRow).where(XapiOutboxRow.claim_token == token)
    return [_entry(row) for row in session.scalars(claimed.order_by(XapiOutboxRow.id))]


def mark_sent(
    session: Session, token: str, ids: Sequence[int], now: datetime | None = None
) -> None:
    _settle(session, token, ids, status="sent", sent_at=as_utc(now), last_error=None)


def mark_rejected(session: Session, token: str, ids: Sequence[int], error: str) -> None:
    _settle(session, token, ids, status="rejected", last_error=error[:ERROR_LENGTH])


def defer(
    session: Session,
    token: str,
    ids: Sequence[int],
    error: str,
    backoff: timedelta,
    now: datetime | None = None,
) -> None:
    """Give the rows back, to be tried again no sooner than `backoff` from now."""
    values = {"available_at": as_utc(now) + backoff, "last_error": error[:ERROR_LENGTH]}
    _settle(session, token, ids, status="pending", **values)


def _settle(session: Session, token: str, ids: Sequence[int], **values: Any) -> None:
    if not ids:
        return
    session.execute(
        update(XapiOutboxRow)
        .where(XapiOutboxRow.claim_token == token, XapiOutboxRow.id.in_(ids))
        .values(claim_token=None, claimed_until=None, attempts=XapiOutboxRow.attempts + 1, **values)
    )


def counts(session: Session) -> OutboxCounts:
    rows = session.execute(
        select(XapiOutboxRow.status, func.count()).group_by(XapiOutboxRow.status)
    ).all()
    found = {status: int(number) for status, number in rows}
    return OutboxCounts(found.get("pending", 0), found.get("sent", 0), found.get("rejected", 0))


def new_token() -> str:
    return secrets.token_hex(16)


def _entry(row: XapiOutboxRow) -> OutboxEntry:
    return OutboxEntry(row.id, row.statement_id, dict(row.statement), row.attempts)
