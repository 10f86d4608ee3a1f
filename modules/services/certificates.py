"""Certificates of completion: issued to the learner who completed the course, checked by code.

A learner who has completed the course (modules.course.certificate asks the one completion
rule) gets one certificate, with a random code; anyone can check a code at GET /verify/<code>,
throttled per client address; an administrator can revoke one. A revoked certificate, and
one whose holder deleted his account, is denied exactly like a code that never existed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from modules.course.certificate import course_completed_at, new_code, normalize_code
from modules.course.duration import course_minutes
from modules.course.models import CourseContent
from modules.services import authz, xapi_outbox
from modules.services.actors import Actor
from modules.services.certificate_pdf import certificate_pdf, verification_url
from modules.services.errors import InvalidInput, NotFound
from modules.services.runtime import Runtime
from modules.services.throttle import client_key
from progress import account_repo, certificate_repo
from progress.certificate_repo import CertificateRecord, IssuedCertificate
from progress.database import as_utc
from progress.learning_repo import SqlLearningRepository
from progress.people_repo import SqlPeopleRepository

# GET /verify/<code>: LOOKUP_BURST lookups from one address pass at once, then one per
# LOOKUP_SPACING; more are refused until their turn (a credentialing office checks a few
# codes, a guesser millions: at this pace one code of 80 bits takes ~10^17 years).
LOOKUP_BURST = 20
LOOKUP_SPACING = timedelta(seconds=3)
SAMPLE_LEARNER = "A sample cohort's made-up learner gets no certificate."
NOT_COMPLETE = "The certificate is there once you have completed every module of the course."


@dataclass(frozen=True)
class CertificateState:
    """What the learner's page shows: his certificate, or whether he can have one now."""

    certificate: CertificateRecord | None
    completed_at: datetime | None  # when he completed the course; None while he has not
    url: str | None  # where the certificate's code is checked

    @property
    def revoked(self) -> bool:
        return self.certificate is not None and self.certificate.revoked_at is not None


@dataclass(frozen=True)
class Verification:
    """The answer to a code: valid, with what the certificate says; or not valid, no more."""

    valid: bool
    holder_name: str = ""
    course_title: str = ""
    completed_on: str = ""
    minutes: int = 0


class TooManyLookups(Exception):
    """More lookups from one address than the pace allows; `seconds` until the next one."""

    def __init__(self, retry_after: timedelta) -> None:
        self.seconds = max(1, math.ceil(retry_after.total_seconds()))
        super().__init__(
            f"Many certificates were checked from your address just now. Wait {self.seconds}"
            " seconds, then try again."
        )


class CertificateService:
    def __init__(self, rt: Runtime, content: CourseContent) -> None:
        self.rt = rt
        self.content = content
        self.course_id = content.course.id

    def state(self, actor: Actor) -> CertificateState:
        with self.rt.transaction() as session:
            actor = authz.current(SqlPeopleRepository(session), actor)
            found = certificate_repo.certificate_of(session, actor.user_id, self.course_id)
            completed_at = self._completed_at(session, actor.user_id)
        url = verification_url(self.rt.settings.public_url, found.code) if found else None
        return CertificateState(found, completed_at, url)

    def issue(self, actor: Actor, now: datetime | None = None) -> CertificateRecord:
        """The learner's certificate, issued now if he has completed the course (idempotent)."""
        with self.rt.transaction() as session:
            actor = authz.current(SqlPeopleRepository(session), actor)
            found = certificate_repo.certificate_of(session, actor.user_id, self.course_id)
            if found is not None:
                return found
            if account_repo.is_synthetic(session, actor.user_id):  # a sample cohort's made-up one
                raise InvalidInput(SAMPLE_LEARNER)
            completed_at = self._completed_at(session, actor.user_id)
            if completed_at is None:
                raise InvalidInput(NOT_COMPLETE)
            issued = certificate_repo.add_certificate(
                session,
                actor.user_id,
                self.course_id,
                new_code(),
                holder_name=actor.display_name,
                course_title=self.content.course.title,
                minutes=course_minutes(self.content),
                completed_on=completed_at.date(),
                now=now,
            )
            self._report(session, issued)
            return issued

    def _report(self, session: Session, issued: CertificateRecord) -> None:
        """Queue "certificate earned" in the issue's transaction (when an LRS is set)."""
        if self.rt.settings.lrs is None:
            return
        url = verification_url(self.rt.settings.public_url, issued.code)
        builder = xapi_outbox.builder_for(self.rt.settings, self.content)
        xapi_outbox.certificate_earned(
            session, builder, issued.user_id, issued.id, url, issued.issued_at
        )

    def pdf(self, actor: Actor) -> bytes:
        """The learner's own certificate as a PDF; NotFound before it is issued or once revoked."""
        state = self.state(actor)
        if state.certificate is None or state.revoked:
            raise NotFound("You have no certificate to download.")
        return certificate_pdf(state.certificate, self.rt.settings.public_url)

    def issued(self, actor: Actor) -> list[IssuedCertificate]:
        """Every certificate of the course, newest first (administrators only)."""
        with self.rt.transaction() as session:
            authz.admin(SqlPeopleRepository(session), actor)
            return certificate_repo.all_certificates(session, self.course_id)

    def revoke(self, actor: Actor, certificate_id: int, now: datetime | None = None) -> None:
        with self.rt.transaction() as session:
            actor = authz.admin(SqlPeopleRepository(session), actor)
            if not certificate_repo.revoke(session, certificate_id, actor.user_id, now):
                raise NotFound("That certificate does not exist (any more).")

    def _completed_at(self, session: Session, user_id: int) -> datetime | None:
        survey = self.content.course.self_assessment
        record = SqlLearningRepository(session).learner_record(
            user_id, self.course_id, survey, preview=False
        )
        times = {
            (s.step.module_id, s.step.step_id): s.completed_at
            for s in record.steps
            if s.completed_at is not None
        }
        return course_completed_at(self.content, times)


def verify(rt: Runtime, code: str, client: str, now: datetime | None = None) -> Verification:
    """Check a code, counted against the client's address; TooManyLookups beyond the pace."""
    moment = as_utc(now)
    key = client_key(client)
    with rt.transaction() as session:
        drained_at = max(certificate_repo.lock_lookup_bucket(session, key, moment), moment)
        wait = drained_at - moment - (LOOKUP_BURST - 1) * LOOKUP_SPACING
        if wait > timedelta(0):
            raise TooManyLookups(wait)
        certificate_repo.save_lookup_bucket(session, key, drained_at + LOOKUP_SPACING)
        # Buckets that have drained count nothing: forgotten here (indexed), so none pile up.
        certificate_repo.forget_drained_lookups(session, moment)
    wanted = normalize_code(code)
    if wanted is None:
        return Verification(valid=False)
    with rt.transaction() as session:
        found = certificate_repo.certificate_by_code(session, wanted)
    if found is None or found.revoked_at is not None:
        return Verification(valid=False)
    return Verification(
        valid=True,
        holder_name=found.holder_name,
        course_title=found.course_title,
        completed_on=f"{found.completed_on:%B} {found.completed_on.day}, {found.completed_on:%Y}",
        minutes=found.minutes,
    )
