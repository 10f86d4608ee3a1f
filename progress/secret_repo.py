"""Secrets generated on first start and kept in the database, so every replica shares them."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from progress.database import as_utc, insert_ignoring_conflict
from progress.tables import AppSecretRow

CSRF_KEY = "csrf-signing-key"


def app_secret(
    session: Session,
    name: str,
    generate: Callable[[], str] = lambda: secrets.token_urlsafe(48),
    now: datetime | None = None,
) -> str:
    """The secret called `name`, generated and stored by whichever replica asks first."""
    query = select(AppSecretRow.value).where(AppSecretRow.name == name)
    value = session.scalar(query)
    if value is None:
        row = {"name": name, "value": generate(), "created_at": as_utc(now)}
        insert_ignoring_conflict(session, AppSecretRow, row, key=["name"])
        value = session.scalar(query)
    if value is None:  # pragma: no cover - inserted just now, or by another replica
        raise RuntimeError(f"app secret {name!r} could not be stored")
    return value
