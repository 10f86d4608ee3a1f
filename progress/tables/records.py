"""Tables of records that leave the app: certificates, and the throttle of their lookups."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from progress.tables.accounts import CLIENT_LENGTH
from progress.tables.base import ID_LENGTH, Base

CODE_LENGTH = 16  # 16 characters of Crockford base32: 80 random bits


class CertificateRow(Base):
    """A course completed, as printed on the learner's PDF; at most one per learner and course.

    The name, title and minutes are kept as they were printed, so that the verification page
    confirms what the paper says even after the course or the name changes. The code is kept
    as is (not hashed): it is a public reference printed on paper, not a key to anything.
    """

    __tablename__ = "certificates"
    __table_args__ = (UniqueConstraint("user_id", "course_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    course_id: Mapped[str] = mapped_column(String(ID_LENGTH))
    code: Mapped[str] = mapped_column(String(CODE_LENGTH), unique=True)
    holder_name: Mapped[str] = mapped_column(String(200))
    course_title: Mapped[str] = mapped_column(String(200))
    minutes: Mapped[int] = mapped_column(Integer)
    completed_on: Mapped[date] = mapped_column(Date)
    issued_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    revoked_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class CertificateLookupRow(Base):
    """Lookups of /verify codes from one client address, as a draining bucket (no user id)."""

    __tablename__ = "certificate_lookups"

    client: Mapped[str] = mapped_column(String(CLIENT_LENGTH), primary_key=True)
    # When the lookups counted so far will have drained away (each adds a fixed time).
    drained_at: Mapped[datetime] = mapped_column(index=True)
