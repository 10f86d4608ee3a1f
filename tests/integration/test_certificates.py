"""Certificates: issued on completion only, once, readable back from the PDF; checked by code."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from pypdf import PdfReader

from modules.course.certificate import normalize_code, spaced
from modules.course.duration import course_minutes
from modules.services.actors import Actor
from modules.services.certificates import LOOKUP_BURST, TooManyLookups, verify
from modules.services.cohort_reports import CohortReports
from modules.services.errors import InvalidInput, NotFound, PermissionDenied
from progress import account_repo
from tests.integration import records_world
from tests.integration.records_world import PUBLIC_URL, World

world = records_world.world  # the fixture, used by name below


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_no_certificate_before_the_course_is_complete(world: World) -> None:
    world.learning.complete_lesson(world.learner, "sample", "why")
    assert world.certificates.state(world.learner).completed_at is None
    with pytest.raises(InvalidInput, match="completed every module"):
        world.certificates.issue(world.learner)
    with pytest.raises(NotFound):
        world.certificates.pdf(world.learner)


def test_the_pdf_says_name_course_date_minutes_code_and_url(world: World) -> None:
    world.complete_course()
    state = world.certificates.state(world.learner)
    assert state.completed_at is not None and state.certificate is None
    issued = world.certificates.issue(world.learner)
    assert world.certificates.issue(world.learner) == issued  # a double click: one certificate
    text = pdf_text(world.certificates.pdf(world.learner))
    day = state.completed_at.date()
    assert "Lee Learner" in text
    assert world.content.course.title in text
    assert f"{day:%B} {day.day}, {day:%Y}" in text
    assert f"about {course_minutes(world.content)} minutes" in text  # the course's one rule
    assert spaced(issued.code) in text
    assert f"{PUBLIC_URL}/verify/{spaced(issued.code)}" in text


def test_codes_carry_at_least_64_random_bits_and_survive_retyping(world: World) -> None:
    world.complete_course()
    code = world.certificates.issue(world.learner).code
    assert len(code) * 5 >= 64 and normalize_code(code) == code
    assert normalize_code(" " + spaced(code).lower() + " ") == code
    assert normalize_code(code.replace("0", "O").replace("1", "I")) == code
    assert normalize_code(code[:-1]) is None


def test_verify_confirms_a_valid_code_and_denies_forged_and_revoked_ones(world: World) -> None:
    world.complete_course()
    certificate = world.certificates.issue(world.learner)
    valid = verify(world.rt, spaced(certificate.code), "192.0.2.1")
    assert valid.valid and valid.holder_name == "Lee Learner"
    forged = certificate.code[:-1] + ("A" if certificate.code[-1] != "A" else "B")
    denied = verify(world.rt, forged, "192.0.2.1")
    assert not denied.valid and denied.holder_name == ""
    world.certificates.revoke(world.owner, certificate.id)
    revoked = verify(world.rt, certificate.code, "192.0.2.1")
    assert revoked == denied  # the same answer: nothing says it existed
    assert world.certificates.state(world.learner).revoked
    with pytest.raises(NotFound):
        world.certificates.pdf(world.learner)
    with pytest.raises(PermissionDenied):
        world.certificates.revoke(world.learner, certificate.id)


def test_only_administrators_list_and_revoke(world: World) -> None:
    world.complete_course()
    world.certificates.issue(world.learner)
    (listed,) = world.certificates.issued(world.owner)
    assert listed.email == "lee@example.org"
    with pytest.raises(PermissionDenied):
        world.certificates.issued(world.learner)


def test_the_lookup_throttle_refuses_a_burst_from_one_address_only(world: World) -> None:
    now = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
    for _ in range(LOOKUP_BURST):
        assert not verify(world.rt, "0" * 16, "198.51.100.7", now).valid
    with pytest.raises(TooManyLookups) as refused:
        verify(world.rt, "0" * 16, "198.51.100.7", now)
    assert refused.value.seconds >= 1
    assert not verify(world.rt, "0" * 16, "198.51.100.8", now).valid  # another address
    later = now + timedelta(seconds=refused.value.seconds)
    assert not verify(world.rt, "0" * 16, "198.51.100.7", later).valid  # its turn came


def test_the_facilitators_export_lists_who_holds_one(world: World) -> None:
    reports = CohortReports(world.cohorts)
    world.complete_course()
    before = list(
        csv.reader(
            io.StringIO(reports.export_csv(world.owner, world.cohort_id).decode("utf-8-sig"))
        )
    )
    assert before[0][-1] == "certificate (course completed on)"
    assert [row[-1] for row in before[1:]] == [""]
    certificate = world.certificates.issue(world.learner)
    text = reports.export_csv(world.owner, world.cohort_id).decode("utf-8-sig")
    (row,) = list(csv.reader(io.StringIO(text)))[1:]
    assert (row[0], row[-1]) == ("Lee Learner", certificate.completed_on.isoformat())
    world.certificates.revoke(world.owner, certificate.id)
    text = reports.export_csv(world.owner, world.cohort_id).decode("utf-8-sig")
    assert [r[-1] for r in list(csv.reader(io.StringIO(text)))[1:]] == [""]


def test_a_sample_cohorts_made_up_learner_never_gets_one(world: World) -> None:
    with world.rt.transaction() as session:
        made_up = account_repo.create_user(
            session, "sample-1@example.invalid", "Sample One", None, synthetic=True
        )
    actor = Actor(made_up.id, made_up.display_name, frozenset(made_up.roles))
    world.complete_course(actor)
    with pytest.raises(InvalidInput, match="made-up learner"):
        world.certificates.issue(actor)
    assert world.certificates.state(actor).certificate is None
