"""Sign-in state: sessions stored hashed, throttling counts, one-time reset links, secrets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from progress.account_repo import create_user, get_user
from progress.auth_repo import (
    SignInCounters,
    create_password_reset,
    delete_expired_auth_sessions,
    end_all_auth_sessions,
    end_auth_session,
    forget_old_sign_in_failures,
    forget_sign_in_failures,
    lock_sign_in_counters,
    password_reset_user,
    save_sign_in_counters,
    sign_in_counters,
    start_auth_session,
    token_hash,
    use_password_reset,
    user_for_auth_session,
)
from progress.database import make_engine, session_factory
from progress.secret_repo import CSRF_KEY, app_secret
from progress.tables import AuthSessionRow
from progress.tables.accounts import FACILITATOR, LEARNER

from .conftest import FAKE_HASH

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def test_a_session_token_finds_its_user_and_only_its_hash_is_stored(
    session: Session, user_id: int
) -> None:
    new = start_auth_session(session, user_id, now=NOW)
    user = user_for_auth_session(session, new.token, now=NOW + timedelta(days=1))
    assert user is not None and user.id == user_id
    stored = session.scalars(select(AuthSessionRow.id_hash)).all()
    assert new.token not in stored
    assert token_hash(new.token) in stored


def test_a_session_finds_the_whole_account_as_the_account_lookup_does(
    session: Session,
) -> None:
    """One statement reads the session, the account and its roles: the same record, roles too."""
    user = create_user(
        session, "chief@example.org", "Chief", FAKE_HASH, (LEARNER, FACILITATOR), NOW
    )
    bare = create_user(session, "sso@example.org", "No password", None, now=NOW)
    for account in (user, bare):
        found = user_for_auth_session(session, start_auth_session(session, account.id).token)
        assert found == get_user(session, account.id)
    facilitator = user_for_auth_session(session, start_auth_session(session, user.id).token)
    assert facilitator is not None and {LEARNER, FACILITATOR} <= facilitator.roles
    assert facilitator.has_password and facilitator.created_at == NOW


def test_forged_expired_and_ended_sessions_find_nobody(session: Session, user_id: int) -> None:
    new = start_auth_session(session, user_id, lifetime=timedelta(hours=1), now=NOW)
    assert user_for_auth_session(session, "forged-" + new.token, now=NOW) is None
    assert user_for_auth_session(session, new.token, now=NOW + timedelta(hours=1)) is None
    end_auth_session(session, new.token)
    assert user_for_auth_session(session, new.token, now=NOW) is None


def test_ending_all_sessions_signs_the_user_out_everywhere(session: Session, user_id: int) -> None:
    tokens = [start_auth_session(session, user_id, now=NOW).token for _ in range(3)]
    assert end_all_auth_sessions(session, user_id) == 3
    assert [user_for_auth_session(session, token, now=NOW) for token in tokens] == [None] * 3


def test_expired_sessions_are_deleted(session: Session, user_id: int) -> None:
    start_auth_session(session, user_id, lifetime=timedelta(hours=1), now=NOW)
    kept = start_auth_session(session, user_id, lifetime=timedelta(days=9), now=NOW)
    assert delete_expired_auth_sessions(session, now=NOW + timedelta(days=1)) == 1
    assert user_for_auth_session(session, kept.token, now=NOW) is not None


def test_sign_in_counters_start_empty_and_are_kept_per_account_and_address(
    session: Session,
) -> None:
    empty = SignInCounters(0, None, NOW)
    assert lock_sign_in_counters(session, "Pat@Example.org", "192.0.2.1", now=NOW) == empty
    counted = SignInCounters(3, NOW, NOW + timedelta(seconds=30))
    save_sign_in_counters(session, "pat@example.org", "192.0.2.1", counted)
    assert sign_in_counters(session, "PAT@example.org", "192.0.2.1") == counted
    # The same account from elsewhere has its own count; the same address shares its bucket.
    elsewhere = sign_in_counters(session, "pat@example.org", "198.51.100.7")
    assert elsewhere == SignInCounters(0, None, None)
    other_account = sign_in_counters(session, "lee@example.org", "192.0.2.1")
    assert other_account == SignInCounters(0, None, NOW + timedelta(seconds=30))


def test_no_failures_left_deletes_the_account_row_but_keeps_the_address_bucket(
    session: Session,
) -> None:
    lock_sign_in_counters(session, "pat@example.org", "192.0.2.1", now=NOW)
    save_sign_in_counters(session, "pat@example.org", "192.0.2.1", SignInCounters(2, NOW, NOW))
    save_sign_in_counters(session, "pat@example.org", "192.0.2.1", SignInCounters(0, None, NOW))
    assert session.scalar(text("SELECT count(*) FROM sign_in_attempts")) == 0
    assert sign_in_counters(session, "pat@example.org", "192.0.2.1").drained_at == NOW


def test_a_reset_forgets_the_account_from_every_address(session: Session) -> None:
    for email, client in [
        ("pat@example.org", "192.0.2.1"),
        ("pat@example.org", "192.0.2.2"),
        ("lee@example.org", "192.0.2.1"),
    ]:
        lock_sign_in_counters(session, email, client, now=NOW)
        save_sign_in_counters(session, email, client, SignInCounters(4, NOW, NOW))
    forget_sign_in_failures(session, "Pat@example.org")
    assert sign_in_counters(session, "pat@example.org", "192.0.2.1").failures == 0
    assert sign_in_counters(session, "pat@example.org", "192.0.2.2").failures == 0
    assert sign_in_counters(session, "lee@example.org", "192.0.2.1").failures == 4


def test_old_counters_can_be_forgotten_in_bulk(session: Session) -> None:
    later = NOW + timedelta(hours=2)
    for email, client, at in [
        ("pat@example.org", "192.0.2.1", NOW),
        ("lee@example.org", "192.0.2.2", later),
    ]:
        lock_sign_in_counters(session, email, client, now=at)
        save_sign_in_counters(session, email, client, SignInCounters(1, at, at))
    forget_old_sign_in_failures(session, before=NOW + timedelta(hours=1))
    assert sign_in_counters(session, "pat@example.org", "192.0.2.1") == SignInCounters(
        0, None, None
    )
    assert sign_in_counters(session, "lee@example.org", "192.0.2.2") == SignInCounters(
        1, later, later
    )


def test_a_reset_link_works_once(session: Session, user_id: int) -> None:
    admin = create_user(session, "other-admin@example.org", "Admin", FAKE_HASH, ["admin"])
    reset = create_password_reset(session, user_id, created_by_id=admin.id, now=NOW)
    shown = password_reset_user(session, reset.token, now=NOW)
    assert shown is not None and shown.id == user_id
    assert use_password_reset(session, reset.token, now=NOW) == user_id
    assert use_password_reset(session, reset.token, now=NOW) is None
    assert password_reset_user(session, reset.token, now=NOW) is None


def test_an_expired_or_forged_reset_link_does_nothing(session: Session, user_id: int) -> None:
    reset = create_password_reset(
        session, user_id, created_by_id=None, lifetime=timedelta(hours=1), now=NOW
    )
    assert reset.expires_at == NOW + timedelta(hours=1)
    assert use_password_reset(session, reset.token, now=NOW + timedelta(hours=2)) is None
    assert use_password_reset(session, reset.token[:-1], now=NOW) is None
    assert session.execute(text("SELECT count(*) FROM password_resets")).scalar() == 1


def test_an_app_secret_is_generated_once_and_shared(engine: Engine, database_url: str) -> None:
    with session_factory(engine).begin() as session:
        first = app_secret(session, CSRF_KEY)
    other_replica = make_engine(database_url)
    with session_factory(other_replica).begin() as session:
        again = app_secret(session, CSRF_KEY, generate=lambda: "a different value")
        other = app_secret(session, "another-key")
    other_replica.dispose()
    assert again == first
    assert len(first) >= 40
    assert other != first
