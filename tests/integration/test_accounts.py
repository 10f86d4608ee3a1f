"""Accounts: addresses unique regardless of case, roles, and the first account's privileges."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from sqlalchemy import Engine, event
from sqlalchemy.orm import Session

from progress.account_repo import (
    count_users,
    create_user,
    email_problem,
    find_user_by_email,
    get_user,
    list_users,
    set_password_hash,
    set_roles,
    sign_in_credentials,
)
from progress.database import make_engine, session_factory
from progress.errors import EmailTaken, RecordNotFound
from progress.migrate import upgrade_to_head

from .conftest import FAKE_HASH


def test_the_first_account_becomes_administrator_and_facilitator(session: Session) -> None:
    first = create_user(session, "first@example.org", "First", FAKE_HASH)
    second = create_user(session, "second@example.org", "Second", FAKE_HASH)
    assert first.roles == {"learner", "admin", "facilitator"}
    assert second.roles == {"learner"}


def test_addresses_are_stored_trimmed_and_lower_case(session: Session) -> None:
    user = create_user(session, "  Pat.Doe@Example.ORG ", " Pat Doe ", FAKE_HASH)
    assert (user.email, user.display_name) == ("pat.doe@example.org", "Pat Doe")
    assert find_user_by_email(session, "PAT.DOE@example.org") == user


@pytest.mark.parametrize("again", ["pat@example.org", "PAT@EXAMPLE.ORG", " Pat@Example.org"])
def test_an_address_can_be_used_once_whatever_its_case(session: Session, again: str) -> None:
    create_user(session, "pat@example.org", "Pat", FAKE_HASH)
    with pytest.raises(EmailTaken, match="pat@example.org"):
        create_user(session, again, "Pat again", FAKE_HASH)
    assert count_users(session) == 1


def test_unknown_roles_are_refused(session: Session) -> None:
    with pytest.raises(ValueError, match="'boss'"):
        create_user(session, "pat@example.org", "Pat", FAKE_HASH, roles=["boss"])


def test_roles_can_be_replaced(session: Session) -> None:
    create_user(session, "admin@example.org", "Admin", FAKE_HASH)
    pat = create_user(session, "pat@example.org", "Pat", FAKE_HASH)
    assert set_roles(session, pat.id, ["facilitator"]).roles == {"facilitator"}
    stored = get_user(session, pat.id)
    assert stored is not None and stored.roles == {"facilitator"}
    with pytest.raises(RecordNotFound):
        set_roles(session, pat.id + 100, ["learner"])


def test_credentials_carry_the_hash_and_records_do_not(session: Session) -> None:
    user = create_user(session, "pat@example.org", "Pat", None)
    assert user.has_password is False
    set_password_hash(session, user.id, FAKE_HASH)
    credentials = sign_in_credentials(session, "Pat@example.org")
    assert credentials is not None
    assert credentials.password_hash == FAKE_HASH
    assert credentials.user.has_password is True
    assert not hasattr(credentials.user, "password_hash")
    assert sign_in_credentials(session, "nobody@example.org") is None


def test_users_are_listed_oldest_first_with_their_roles(session: Session) -> None:
    for name in ("a", "b", "c"):
        create_user(session, f"{name}@example.org", name, FAKE_HASH)
    users = list_users(session)
    assert [user.email for user in users] == ["a@example.org", "b@example.org", "c@example.org"]
    assert [len(user.roles) for user in users] == [3, 1, 1]
    assert all(user.created_at.utcoffset() is not None for user in users)


@pytest.mark.parametrize(
    ("email", "usable"),
    [
        ("pat@example.org", True),
        ("  pat@example.org ", True),
        ("pat", False),
        ("@example.org", False),
        ("pat@", False),
        ("pat doe@example.org", False),
        ("p" * 320 + "@example.org", False),
    ],
)
def test_email_problem(email: str, usable: bool) -> None:
    assert (email_problem(email) is None) is usable


def _slow_down_the_user_count(engine: Engine) -> None:
    """Widen the race: pause after counting users, before inserting the first one."""

    @event.listens_for(engine, "after_cursor_execute")
    def pause(*args: Any) -> None:
        statement = args[2]
        if "count(*)" in statement.lower() and "users" in statement:
            time.sleep(0.3)


def test_two_replicas_creating_the_first_accounts_at_once_make_one_admin(
    database_url: str,
) -> None:
    engines = [make_engine(database_url) for _ in range(2)]
    upgrade_to_head(engines[0])
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def sign_up(engine: Engine, email: str) -> None:
        _slow_down_the_user_count(engine)
        start.wait()
        try:
            with session_factory(engine).begin() as session:
                create_user(session, email, email, FAKE_HASH)
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)

    threads = [
        threading.Thread(target=sign_up, args=(engine, f"user{number}@example.org"))
        for number, engine in enumerate(engines)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with session_factory(engines[0]).begin() as session:
        users = list_users(session)
    assert len(users) == 2
    assert sorted("admin" in user.roles for user in users) == [False, True]
    for engine in engines:
        engine.dispose()
