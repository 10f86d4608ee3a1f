"""The xAPI outbox: statements written with the event they report, sent to the LRS later."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from progress.tables.base import Base, one_of

OUTBOX_STATUSES = ("pending", "sent", "rejected")
STATEMENT_ID_LENGTH = 36  # a UUID in its text form


class XapiOutboxRow(Base):
    """One statement: pending until the LRS took it (sent) or refused it as invalid (rejected).

    A sender claims a row by writing its token and a lease time, so several replicas never send
    one row at once; a sender that dies mid-send lets its lease run out and the row is sent again
    (the LRS keeps one statement per id). `user_id` is empty for the voiding statements written
    when an account is deleted: they outlive it.
    """

    __tablename__ = "xapi_outbox"
    __table_args__ = (
        CheckConstraint(one_of("status", OUTBOX_STATUSES), name="status"),
        Index(None, "status", "available_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    statement_id: Mapped[str] = mapped_column(String(STATEMENT_ID_LENGTH), unique=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    statement: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    created_at: Mapped[datetime]
    available_at: Mapped[datetime]  # not sent again before this (the backoff after a failure)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claim_token: Mapped[str | None] = mapped_column(String(32))
    claimed_until: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(500))
