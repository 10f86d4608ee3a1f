"""GET /verify/<code>: confirms a valid code with what the paper says, denies all else alike."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from modules.course.certificate import new_code, spaced
from modules.services.account_deletion import delete_own_account
from modules.services.actors import Actor
from modules.services.certificates import LOOKUP_BURST
from modules.services.runtime import Runtime
from modules.web.verify import verify_routes
from progress import account_repo, certificate_repo
from progress.passwords import hash_password
from tests.web.conftest import PASSWORD

NOW = datetime(2026, 12, 2, 9, 30, tzinfo=UTC)


def client_for(rt: Runtime, peer: str = "203.0.113.5") -> TestClient:
    """A client whose lookups all count at NOW, however long the test takes to send them."""
    app = Starlette(routes=verify_routes(lambda: rt, clock=lambda: NOW))
    return TestClient(app, follow_redirects=False, client=(peer, 50000))


@pytest.fixture
def verifier(rt: Runtime) -> Iterator[TestClient]:
    with client_for(rt) as test_client:
        yield test_client


def issue(rt: Runtime, email: str, name: str) -> tuple[Actor, str]:
    with rt.transaction() as session:
        account_repo.create_user(session, "admin@example.org", "Ada Admin", hash_password(PASSWORD))
        user = account_repo.create_user(session, email, name, hash_password(PASSWORD))
        code = new_code()
        certificate_repo.add_certificate(
            session, user.id, "ally", code, holder_name=name, course_title="Leading as an Ally",
            minutes=160, completed_on=date(2026, 11, 30),
        )  # fmt: skip
    return Actor(user.id, name, frozenset(user.roles)), code


def test_a_valid_code_shows_what_the_certificate_says_and_nothing_more(
    rt: Runtime, verifier: TestClient
) -> None:
    _, code = issue(rt, "lee@example.org", "Lee <b>Learner</b>")
    page = verifier.get(f"/verify/{spaced(code)}")
    assert page.status_code == 200
    assert "This certificate is valid." in page.text
    assert "Lee &lt;b&gt;Learner&lt;/b&gt;" in page.text  # escaped, never markup
    assert "Leading as an Ally" in page.text and "November 30, 2026" in page.text
    assert "lee@example.org" not in page.text
    assert page.headers["cache-control"] == "no-store"
    assert page.headers["referrer-policy"] == "no-referrer"
    assert verifier.get(f"/verify/{code.lower()}").status_code == 200  # as typed


def test_forged_revoked_and_deleted_codes_get_one_and_the_same_answer(
    rt: Runtime, verifier: TestClient
) -> None:
    learner, code = issue(rt, "lee@example.org", "Lee Learner")
    with rt.transaction() as session:
        other = account_repo.create_user(session, "ana@example.org", "Ana", hash_password(PASSWORD))
        other_code = new_code()
        kept = certificate_repo.add_certificate(
            session, other.id, "ally", other_code, holder_name="Ana", course_title="Ally",
            minutes=160, completed_on=date(2026, 11, 30),
        )  # fmt: skip
        certificate_repo.revoke(session, kept.id, by=other.id)
    forged = verifier.get("/verify/" + ("7" * 16 if code != "7" * 16 else "8" * 16))
    revoked = verifier.get(f"/verify/{other_code}")
    delete_own_account(rt, learner, PASSWORD)
    deleted = verifier.get(f"/verify/{code}")
    junk = verifier.get("/verify/not-a-code")
    for answer in (forged, revoked, deleted, junk):
        assert answer.status_code == 404
        assert "does not belong to a valid certificate" in answer.text
    assert forged.text == revoked.text == deleted.text == junk.text
    assert "Lee" not in deleted.text and "Ana" not in revoked.text


def test_a_burst_from_one_address_is_refused_and_others_still_pass(rt: Runtime) -> None:
    with client_for(rt, "198.51.100.20") as busy, client_for(rt, "198.51.100.21") as calm:
        answers = [busy.get("/verify/0000000000000000").status_code for _ in range(LOOKUP_BURST)]
        assert answers == [404] * LOOKUP_BURST
        refused = busy.get("/verify/0000000000000000")
        assert refused.status_code == 429
        assert int(refused.headers["retry-after"]) >= 1
        assert "Wait" in refused.text
        assert calm.get("/verify/0000000000000000").status_code == 404


def test_the_form_sends_a_typed_code_to_its_page(verifier: TestClient) -> None:
    form = verifier.get("/verify")
    assert form.status_code == 200 and 'name="code"' in form.text
    moved = verifier.get("/verify", params={"code": " abcd efgh jkmn pqrs "})
    assert (moved.status_code, moved.headers["location"]) == (303, "/verify/ABCD-EFGH-JKMN-PQRS")
    assert verifier.get("/verify", params={"code": "nonsense"}).headers["location"] == (
        "/verify/not-a-code"
    )
