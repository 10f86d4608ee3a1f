"""My data and account, through AppTest: the certificate, the data download, deleting."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from streamlit.testing.v1 import AppTest

from modules.course.validation import validate_directory
from modules.services.actors import Actor
from modules.services.learning import LearningService
from modules.services.practice import Practice
from modules.services.runtime import runtime
from progress.account_repo import create_user
from progress.passwords import hash_password
from progress.tables import CertificateRow, ReflectionRow, UserRow
from tests.ui.conftest import SAMPLE

AppAs = Callable[..., AppTest]
PASSWORD = "a long passphrase for dev"


@pytest.fixture
def member(app_env: object) -> Actor:
    with runtime().sessions.begin() as session:
        create_user(session, "fay@example.org", "Fay Okoro", hash_password(PASSWORD))
        user = create_user(session, "dev@example.org", "Dev Patel", hash_password(PASSWORD))
    return Actor(user.id, user.display_name, frozenset(user.roles))


def account_page(app_as: AppAs, actor: Actor) -> AppTest:
    at = app_as(actor)
    at.switch_page("pages/account.py")
    at.run()
    assert not at.exception, at.exception
    return at


def count(table: type, user_id: int) -> int:
    with runtime().sessions.begin() as session:
        column = table.id if table is UserRow else table.user_id  # type: ignore[attr-defined]
        return session.scalar(select(func.count()).where(column == user_id)) or 0


def complete_course(actor: Actor) -> None:
    content = validate_directory(SAMPLE).content
    assert content is not None
    learning = LearningService(runtime().uow, content)
    practice = Practice(learning)
    learning.complete_lesson(actor, "sample", "why")
    view = practice.scenario_view(actor, "sample", "rounds")
    for position, choice in enumerate(("thank", "plan", "follow")):
        view = practice.choose(actor, "sample", "rounds", view.attempt_id, position, choice)
    quiz = practice.quiz_view(actor, "sample", "check")
    practice.submit_quiz(actor, "sample", "check", quiz.attempt_id, {"q1": ["a"], "q2": ["a", "c"]})
    learning.save_reflection(actor, "sample", "think", "Ask Dr. Rivera about the rota")
    learning.save_commitment(
        actor, "sample", "plan", "rounds end", "ask one resident", date.today() + timedelta(7)
    )


def delete_with(at: AppTest, password: str, sure: bool = True) -> AppTest:
    at.text_input[0].input(password)
    if sure:
        at.checkbox[0].check()
    at.button[-1].click().run()
    assert not at.exception, at.exception
    return at


def test_before_completing_there_is_no_certificate_but_the_data_download(
    app_as: AppAs, member: Actor
) -> None:
    at = account_page(app_as, member)
    assert at.title[0].value == "My data and account"
    assert any("once you have completed every module" in c.value for c in at.caption)
    downloads = at.get("download_button")
    assert len(downloads) == 1  # the data, not a certificate


def test_a_completed_learner_gets_his_certificate_once(app_as: AppAs, member: Actor) -> None:
    complete_course(member)
    at = account_page(app_as, member)
    get = next(b for b in at.button if b.label == "Get my certificate")
    get.click().run()
    assert not at.exception, at.exception
    assert count(CertificateRow, member.user_id) == 1
    assert any("Completed on" in s.value for s in at.success)
    assert len(at.get("download_button")) == 2  # the certificate and the data
    assert not [b for b in at.button if b.label == "Get my certificate"]


def test_a_wrong_password_says_so_and_deletes_nothing(app_as: AppAs, member: Actor) -> None:
    complete_course(member)
    at = delete_with(account_page(app_as, member), "not my passphrase")
    assert [e.value for e in at.error] == ["That is not your password. Nothing was deleted."]
    assert count(UserRow, member.user_id) == 1
    assert count(ReflectionRow, member.user_id) == 1


def test_deleting_needs_the_box_ticked(app_as: AppAs, member: Actor) -> None:
    at = delete_with(account_page(app_as, member), PASSWORD, sure=False)
    assert "Tick the box" in at.error[0].value
    assert count(UserRow, member.user_id) == 1


def test_the_right_password_deletes_the_account(app_as: AppAs, member: Actor) -> None:
    complete_course(member)
    at = delete_with(account_page(app_as, member), PASSWORD)
    assert not at.error
    assert any("have been deleted" in s.value for s in at.success)
    assert count(UserRow, member.user_id) == 0
    assert count(ReflectionRow, member.user_id) == 0


def test_an_administrator_revokes_a_certificate(app_as: AppAs, member: Actor) -> None:
    complete_course(member)
    at = account_page(app_as, member)
    next(b for b in at.button if b.label == "Get my certificate").click().run()
    admin = Actor(1, "Fay Okoro", frozenset({"admin", "facilitator"}))
    people = app_as(admin)
    people.switch_page("pages/admin.py")
    people.run()
    assert not people.exception, people.exception
    revoke = next(s for s in people.selectbox if s.label.startswith("Revoke a certificate"))
    revoke.select_index(0)
    next(b for b in people.button if b.label == "Revoke").click().run()
    assert not people.exception, people.exception
    with runtime().sessions.begin() as session:
        revoked = session.scalar(
            select(CertificateRow.revoked_at).where(CertificateRow.user_id == member.user_id)
        )
    assert revoked is not None
    mine = account_page(app_as, member)
    assert any("withdrawn" in w.value for w in mine.warning)
    assert len(mine.get("download_button")) == 1  # only the data now
