"""Account services on a temporary SQLite file: sign-up, sign-in throttling, roles, links."""

from __future__ import annotations

import smtplib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher

from modules.services import accounts
from modules.services.accounts import (
    AccountProblem,
    LinkNotUsable,
    SignUpClosed,
    TooManyAttempts,
    WrongCredentials,
)
from modules.services.actors import Actor
from modules.services.errors import PermissionDenied
from modules.services.mail import MailNotSent, send_account_link
from modules.services.runtime import Runtime
from modules.settings import Settings, SmtpSettings
from progress import auth_repo
from progress.account_repo import create_user, get_user, set_roles, sign_in_credentials
from progress.database import make_engine, session_factory
from progress.migrate import upgrade_to_head
from progress.passwords import needs_rehash

# Now, not a fixed day: the services check sessions against the real clock.
NOW = datetime.now(UTC).replace(microsecond=0)
PASSWORD = "correct horse battery"


def make_runtime(tmp_path: Path, allow_signup: bool = True) -> Runtime:
    url = f"sqlite:///{tmp_path / 'ally.db'}"
    engine = make_engine(url)
    upgrade_to_head(engine)
    settings = Settings(database_url=url, content_dir=tmp_path, allow_signup=allow_signup)
    return Runtime(settings, engine, session_factory(engine))


@pytest.fixture
def rt(tmp_path: Path) -> Iterator[Runtime]:
    runtime = make_runtime(tmp_path)
    yield runtime
    runtime.engine.dispose()


def same_person(one: Actor, other: Actor) -> bool:
    """The same account with the same roles (each sign-in is a session of its own)."""
    return (one.user_id, one.display_name, one.roles) == (
        other.user_id,
        other.display_name,
        other.roles,
    )


@pytest.fixture
def admin(rt: Runtime) -> Actor:
    return accounts.sign_up(rt, "ada@example.org", "Ada", PASSWORD, now=NOW).actor


@pytest.fixture
def learner(rt: Runtime, admin: Actor) -> Actor:
    return accounts.sign_up(rt, "lee@example.org", "Lee", PASSWORD, now=NOW).actor


def test_the_first_account_is_administrator_and_facilitator_and_the_next_a_learner(
    rt: Runtime,
) -> None:
    assert accounts.signup_state(rt).first_account
    first = accounts.sign_up(rt, "Ada@Example.org ", " Ada ", PASSWORD)
    second = accounts.sign_up(rt, "lee@example.org", "Lee", PASSWORD)
    assert first.actor.roles == {"admin", "facilitator", "learner"}
    assert first.actor.display_name == "Ada"
    assert second.actor.roles == {"learner"}
    assert not accounts.signup_state(rt).first_account
    assert accounts.actor_for_session(rt, second.token) == second.actor


def test_sign_up_is_refused_while_closed(tmp_path: Path) -> None:
    rt = make_runtime(tmp_path, allow_signup=False)
    assert not accounts.signup_state(rt).open
    with pytest.raises(SignUpClosed, match="invitation"):
        accounts.sign_up(rt, "ada@example.org", "Ada", PASSWORD)


@pytest.mark.parametrize(
    ("email", "name", "password", "message"),
    [
        ("ada@example.org", "Ada", "x" * 11, "at least 12"),
        ("ada@example.org", "Ada", "x" * 1025, "at most 1024"),
        ("ada.example.org", "Ada", PASSWORD, "not an email address"),
        ("ada@example.org", " ", PASSWORD, "Enter the name"),
        ("ada@example.org", "A" * 201, PASSWORD, "at most 200"),
    ],
)
def test_sign_up_says_what_is_wrong(
    rt: Runtime, email: str, name: str, password: str, message: str
) -> None:
    with pytest.raises(AccountProblem, match=message):
        accounts.sign_up(rt, email, name, password)


def test_an_address_can_hold_one_account(rt: Runtime, admin: Actor) -> None:
    with pytest.raises(AccountProblem, match="exists already"):
        accounts.sign_up(rt, "ADA@example.org", "Other", PASSWORD)


def test_sign_in_rehashes_a_password_hashed_with_weaker_parameters(rt: Runtime) -> None:
    weak = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash(PASSWORD)
    with rt.sessions.begin() as session:
        create_user(session, "old@example.org", "Old", weak)
    accounts.sign_in(rt, "old@example.org", PASSWORD)
    with rt.sessions.begin() as session:
        credentials = sign_in_credentials(session, "old@example.org")
    assert credentials is not None and credentials.password_hash != weak
    assert credentials.password_hash and not needs_rehash(credentials.password_hash)


@pytest.mark.parametrize(
    ("email", "password"),
    [
        ("lee@example.org", "not the password"),
        ("nobody@example.org", PASSWORD),
        ("x" * 400 + "@example.org", PASSWORD),
        ("lee@example.org", PASSWORD + "x" * 2000),
    ],
)
def test_a_wrong_address_or_password_gets_the_same_answer(
    rt: Runtime, learner: Actor, email: str, password: str
) -> None:
    with pytest.raises(WrongCredentials) as failed:
        accounts.sign_in(rt, email, password, now=NOW)
    assert str(failed.value) == accounts.WRONG_CREDENTIALS


@pytest.mark.parametrize(("email", "password"), [("", PASSWORD), ("lee@example.org", "")])
def test_sign_in_asks_for_both_fields(rt: Runtime, email: str, password: str) -> None:
    with pytest.raises(AccountProblem, match="Enter your email address and your password"):
        accounts.sign_in(rt, email, password)


def test_an_invited_person_cannot_sign_in_before_choosing_a_password(
    rt: Runtime, admin: Actor
) -> None:
    accounts.invite(rt, admin, "new@example.org", "New", now=NOW)
    with pytest.raises(WrongCredentials):
        accounts.sign_in(rt, "new@example.org", PASSWORD, now=NOW)


def failures(rt: Runtime, email: str, client: str = "") -> int:
    with rt.sessions.begin() as session:
        return auth_repo.sign_in_counters(session, email, client).failures


def fail(rt: Runtime, email: str, at: datetime) -> type[Exception]:
    try:
        accounts.sign_in(rt, email, "wrong password!", now=at)
    except (WrongCredentials, TooManyAttempts) as error:
        return type(error)
    raise AssertionError("signed in with a wrong password")


@pytest.mark.parametrize("email", ["lee@example.org", "nobody@example.org"])
def test_failures_slow_sign_in_down_after_five_and_refuse_it_after_ten(
    rt: Runtime, learner: Actor, email: str
) -> None:
    moments = [NOW + timedelta(seconds=31 * n) for n in range(10)]
    answers = [fail(rt, email, at) for at in moments]
    assert answers == [WrongCredentials] * 4 + [TooManyAttempts] * 6
    assert failures(rt, email) == 10
    last = moments[-1]
    with pytest.raises(TooManyAttempts, match="Try again in 15 minutes") as locked:
        accounts.sign_in(rt, email, PASSWORD, now=last + timedelta(seconds=1))
    assert locked.value.retry_at == last + timedelta(minutes=15)
    assert failures(rt, email) == 10  # refused attempts are not verified, nor counted


def test_while_slowed_down_an_attempt_waits_thirty_seconds_after_the_last_failure(
    rt: Runtime, learner: Actor
) -> None:
    for n in range(5):
        fail(rt, "lee@example.org", NOW + timedelta(seconds=n))
    last = NOW + timedelta(seconds=4)
    with pytest.raises(TooManyAttempts, match="Wait 20 seconds") as slowed:
        accounts.sign_in(rt, "lee@example.org", PASSWORD, now=last + timedelta(seconds=10))
    assert slowed.value.retry_at == last + timedelta(seconds=30)
    signed_in = accounts.sign_in(rt, "lee@example.org", PASSWORD, now=last + timedelta(seconds=30))
    assert same_person(signed_in.actor, learner)
    assert failures(rt, "lee@example.org") == 0  # a success forgets the failures


def test_the_lock_ends_fifteen_minutes_after_the_last_failure(rt: Runtime, learner: Actor) -> None:
    for n in range(10):
        fail(rt, "lee@example.org", NOW + timedelta(seconds=31 * n))
    later = NOW + timedelta(seconds=31 * 9) + timedelta(minutes=15)
    assert same_person(accounts.sign_in(rt, "lee@example.org", PASSWORD, now=later).actor, learner)


def test_clean_up_forgets_expired_sessions_and_old_failures(rt: Runtime, learner: Actor) -> None:
    fail(rt, "lee@example.org", NOW)
    # From elsewhere: this address's bucket holds the failure of NOW, a month in its future.
    month_ago = NOW - timedelta(days=31)
    old = accounts.sign_in(rt, "lee@example.org", PASSWORD, now=month_ago, client="192.0.2.9")
    fail(rt, "lee@example.org", NOW)
    accounts.clean_up(rt, now=NOW + timedelta(minutes=16))
    assert failures(rt, "lee@example.org") == 0
    with rt.sessions.begin() as session:
        assert auth_repo.delete_expired_auth_sessions(session, now=NOW) == 0
    assert accounts.actor_for_session(rt, old.token) is None


@pytest.mark.parametrize("token", ["", "forged-token", "x" * 300])
def test_a_forged_session_token_finds_nobody(rt: Runtime, learner: Actor, token: str) -> None:
    assert accounts.actor_for_session(rt, token) is None


def test_an_expired_or_signed_out_session_finds_nobody(rt: Runtime, learner: Actor) -> None:
    long_ago = datetime.now(UTC) - timedelta(days=31)
    expired = accounts.sign_in(rt, "lee@example.org", PASSWORD, now=long_ago)
    assert accounts.actor_for_session(rt, expired.token) is None
    current = accounts.sign_in(rt, "lee@example.org", PASSWORD)
    found = accounts.actor_for_session(rt, current.token)
    assert found is not None and same_person(found, learner)
    assert found.session_hash == accounts.session_hash(current.token)  # this tab's session
    accounts.sign_out(rt, current.token)
    assert accounts.actor_for_session(rt, current.token) is None


def test_people_are_listed_for_administrators_only(
    rt: Runtime, admin: Actor, learner: Actor
) -> None:
    assert [p.email for p in accounts.list_people(rt, admin)] == [
        "ada@example.org",
        "lee@example.org",
    ]
    for call in (
        lambda: accounts.list_people(rt, learner),
        lambda: accounts.set_roles(rt, learner, learner.user_id, ["admin"]),
        lambda: accounts.create_reset_link(rt, learner, admin.user_id),
        lambda: accounts.invite(rt, learner, "x@example.org", "X"),
    ):
        with pytest.raises(PermissionDenied):
            call()


def test_an_administrator_who_lost_the_role_is_refused_despite_a_stale_actor(
    rt: Runtime, admin: Actor, learner: Actor
) -> None:
    accounts.set_roles(rt, admin, learner.user_id, ["admin"])
    accounts.set_roles(rt, admin, admin.user_id, ["learner"])
    with pytest.raises(PermissionDenied):
        accounts.list_people(rt, admin)  # `admin` still says "admin"; the database does not


@pytest.mark.parametrize(
    ("roles", "message"),
    [([], "at least one role"), (["owner"], "Roles are"), (["learner"], "one administrator")],
)
def test_roles_are_checked_and_one_administrator_always_remains(
    rt: Runtime, admin: Actor, learner: Actor, roles: list[str], message: str
) -> None:
    with pytest.raises(AccountProblem, match=message):
        accounts.set_roles(rt, admin, admin.user_id, roles)


def test_an_administrator_changes_roles(rt: Runtime, admin: Actor, learner: Actor) -> None:
    changed = accounts.set_roles(rt, admin, learner.user_id, ["learner", "facilitator"])
    assert changed.roles == {"learner", "facilitator"}
    with pytest.raises(AccountProblem, match="no such person"):
        accounts.set_roles(rt, admin, 999, ["learner"])


def test_a_reset_link_works_once_and_signs_out_everywhere(
    rt: Runtime, admin: Actor, learner: Actor
) -> None:
    elsewhere = accounts.sign_in(rt, "lee@example.org", PASSWORD)
    link = accounts.create_reset_link(rt, admin, learner.user_id)
    assert link.path == f"/auth/reset?token={link.token}"
    person = accounts.reset_link_person(rt, link.token)
    assert person is not None and person.email == "lee@example.org"
    signed_in = accounts.reset_password(rt, link.token, "my new long password")
    assert same_person(signed_in.actor, learner)
    assert accounts.actor_for_session(rt, elsewhere.token) is None
    with pytest.raises(LinkNotUsable):
        accounts.reset_password(rt, link.token, "another long password")
    assert same_person(
        accounts.sign_in(rt, "lee@example.org", "my new long password").actor, learner
    )


def test_an_expired_reset_link_is_refused(rt: Runtime, admin: Actor, learner: Actor) -> None:
    link = accounts.create_reset_link(rt, admin, learner.user_id, now=NOW)
    after = NOW + accounts.RESET_LIFETIME + timedelta(seconds=1)
    assert accounts.reset_link_person(rt, link.token, now=after) is None
    with pytest.raises(LinkNotUsable):
        accounts.reset_password(rt, link.token, "my new long password", now=after)


def test_an_invitation_is_an_account_without_password_and_a_link(rt: Runtime, admin: Actor) -> None:
    link = accounts.invite(rt, admin, "New@Example.org", "New", ["facilitator"], now=NOW)
    assert not link.person.has_password and link.person.roles == {"facilitator"}
    assert link.expires_at == NOW + accounts.INVITATION_LIFETIME
    with pytest.raises(AccountProblem, match="exists already"):
        accounts.invite(rt, admin, "new@example.org", "Again")
    with pytest.raises(AccountProblem, match="unknown role"):
        accounts.invite(rt, admin, "other@example.org", "Other", ["owner"])
    signed_in = accounts.reset_password(rt, link.token, PASSWORD, now=NOW)
    assert signed_in.actor.roles == {"facilitator"}
    with rt.sessions.begin() as session:
        user = get_user(session, link.person.id)
    assert user is not None and user.has_password


def test_a_demoted_administrator_cannot_remove_the_last_one(
    rt: Runtime, admin: Actor, learner: Actor
) -> None:
    with rt.sessions.begin() as session:
        set_roles(session, learner.user_id, ["admin"])
    second = Actor(learner.user_id, learner.display_name, frozenset({"admin"}))
    accounts.set_roles(rt, admin, learner.user_id, ["learner"])
    with pytest.raises(PermissionDenied):
        accounts.set_roles(rt, second, admin.user_id, ["learner"])


class FakeSmtp:
    sent: list[EmailMessage] = []

    def __init__(self, fail: bool = False) -> None:
        self.fail = fail
        self.calls: list[str] = []

    def __enter__(self) -> FakeSmtp:
        return self

    def __exit__(self, *_: Any) -> None:
        return None

    def starttls(self) -> None:
        self.calls.append("starttls")

    def login(self, user: str, password: str) -> None:
        self.calls.append(f"login {user}")

    def send_message(self, message: EmailMessage) -> None:
        if self.fail:
            raise smtplib.SMTPRecipientsRefused({})
        self.sent.append(message)


def test_a_link_can_be_sent_by_email_when_smtp_is_configured() -> None:
    smtp = SmtpSettings("mail.example.org", 587, "course@example.org", "bot", "secret")
    client = FakeSmtp()
    send_account_link(
        smtp,
        "lee@example.org",
        "Lee",
        "https://x/auth/reset?token=t",
        True,
        connect=lambda host, port: client,
    )  # type: ignore[arg-type,return-value]
    message = client.sent[-1]
    assert message["To"] == "lee@example.org" and "invited" in message["Subject"]
    assert "https://x/auth/reset?token=t" in message.get_content()
    assert client.calls == ["starttls", "login bot"]
    with pytest.raises(MailNotSent, match="Copy the link"):
        send_account_link(
            smtp,
            "lee@example.org",
            "Lee",
            "l",
            False,
            connect=lambda host, port: FakeSmtp(fail=True),
        )  # type: ignore[arg-type,return-value]
