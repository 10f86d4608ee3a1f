"""Certificates of completion, and the per-address bucket that throttles their lookups."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from progress.database import as_utc, insert_ignoring_conflict
from progress.tables import CertificateLookupRow, CertificateRow, UserRow


@dataclass(frozen=True, slots=True)
class CertificateRecord:
    id: int
    user_id: int
    course_id: str
    code: str
    holder_name: str
    course_title: str
    minutes: int
    completed_on: date
    issued_at: datetime
    revoked_at: datetime | None


@dataclass(frozen=True, slots=True)
class IssuedCertificate:
    """A certificate as administrators list it: with the holder's current address."""

    certificate: CertificateRecord
    email: str


def add_certificate(
    session: Session,
    user_id: int,
    course_id: str,
    code: str,
    *,
    holder_name: str,
    course_title: str,
    minutes: int,
    completed_on: date,
    now: datetime | None = None,
) -> CertificateRecord:
    """Issue one, unless the learner holds one for the course already: then that one."""
    values = {
        "user_id": user_id,
        "course_id": course_id,
        "code": code,
        "holder_name": holder_name,
        "course_title": course_title,
        "minutes": minutes,
        "completed_on": completed_on,
        "issued_at": as_utc(now),
        "revoked_at": None,
        "revoked_by": None,
    }
    insert_ignoring_conflict(session, CertificateRow, values, key=("user_id", "course_id"))
    found = certificate_of(session, user_id, course_id)
    assert found is not None  # inserted, or there already
    return found


def certificate_of(session: Session, user_id: int, course_id: str) -> CertificateRecord | None:
    query = select(CertificateRow).where(
        CertificateRow.user_id == user_id, CertificateRow.course_id == course_id
    )
    row = session.scalars(query.execution_options(populate_existing=True)).one_or_none()
    return None if row is None else _record(row)


def certificate_by_code(session: Session, code: str) -> CertificateRecord | None:
    row = session.scalars(select(CertificateRow).where(CertificateRow.code == code)).one_or_none()
    return None if row is None else _record(row)


def certificates_of_user(session: Session, user_id: int) -> list[CertificateRecord]:
    query = select(CertificateRow).where(CertificateRow.user_id == user_id)
    return [_record(row) for row in session.scalars(query.order_by(CertificateRow.id))]


def all_certificates(session: Session, course_id: str) -> list[IssuedCertificate]:
    """Every certificate of the course, newest first, with the holder's address."""
    query = (
        select(CertificateRow, UserRow.email)
        .join(UserRow, UserRow.id == CertificateRow.user_id)
        .where(CertificateRow.course_id == course_id)
        .order_by(CertificateRow.issued_at.desc(), CertificateRow.id.desc())
    )
    return [IssuedCertificate(_record(row), email) for row, email in session.execute(query)]


def holders(session: Session, course_id: str, user_ids: Collection[int]) -> dict[int, date]:
    """Of `user_ids`, who holds a certificate of the course now (not revoked), and since when."""
    if not user_ids:
        return {}
    query = select(CertificateRow.user_id, CertificateRow.completed_on).where(
        CertificateRow.course_id == course_id,
        CertificateRow.revoked_at.is_(None),
        CertificateRow.user_id.in_(list(user_ids)),
    )
    return {user_id: completed_on for user_id, completed_on in session.execute(query)}


def revoke(session: Session, certificate_id: int, by: int, now: datetime | None = None) -> bool:
    """Revoke it (once: the first revocation's time stays); False when there is no such one."""
    found = session.get(CertificateRow, certificate_id)
    if found is None:
        return False
    session.execute(
        update(CertificateRow)
        .where(CertificateRow.id == certificate_id, CertificateRow.revoked_at.is_(None))
        .values(revoked_at=as_utc(now), revoked_by=by)
    )
    return True


def delete_certificates_of(session: Session, user_id: int) -> None:
    session.execute(delete(CertificateRow).where(CertificateRow.user_id == user_id))


def lock_lookup_bucket(session: Session, client: str, now: datetime | None = None) -> datetime:
    """When `client`'s counted lookups drain away, locked until this transaction ends."""
    moment = as_utc(now)
    insert_ignoring_conflict(
        session, CertificateLookupRow, {"client": client, "drained_at": moment}, ["client"]
    )
    query = select(CertificateLookupRow.drained_at).filter_by(client=client).with_for_update()
    return session.scalars(query).one()


def save_lookup_bucket(session: Session, client: str, drained_at: datetime) -> None:
    session.execute(
        update(CertificateLookupRow)
        .where(CertificateLookupRow.client == client)
        .values(drained_at=drained_at)
    )


def forget_drained_lookups(session: Session, before: datetime) -> None:
    session.execute(
        delete(CertificateLookupRow).where(CertificateLookupRow.drained_at < as_utc(before))
    )


def _record(row: CertificateRow) -> CertificateRecord:
    return CertificateRecord(
        id=row.id,
        user_id=row.user_id,
        course_id=row.course_id,
        code=row.code,
        holder_name=row.holder_name,
        course_title=row.course_title,
        minutes=row.minutes,
        completed_on=row.completed_on,
        issued_at=row.issued_at,
        revoked_at=row.revoked_at,
    )
