"""Engines: the SQLite file and its settings, one engine per URL, UTC times, foreign keys."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, func, select
from sqlalchemy.exc import DBAPIError, IntegrityError, StatementError
from sqlalchemy.orm import Session

from modules.settings import load_settings
from progress import database
from progress.database import (
    SQLITE_BUSY_TIMEOUT_MS,
    as_utc,
    engine_for,
    make_engine,
    session_factory,
)
from progress.step_repo import StepRef, mark_step_started
from progress.tables import StepProgressRow, UserRow

from .conftest import POSTGRES_UNSET


def test_the_sqlite_file_and_its_folder_are_created_with_wal_and_foreign_keys(
    tmp_path: Path,
) -> None:
    path = tmp_path / "new" / "folder" / "ally.db"
    engine = make_engine(f"sqlite:///{path}")
    with engine.connect() as connection:
        pragmas = {
            name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()
            for name in ("journal_mode", "foreign_keys", "busy_timeout")
        }
    engine.dispose()
    assert path.is_file()
    assert pragmas == {
        "journal_mode": "wal",
        "foreign_keys": 1,
        "busy_timeout": SQLITE_BUSY_TIMEOUT_MS,
    }


def test_there_is_one_engine_per_url(tmp_path: Path) -> None:
    first = engine_for(f"sqlite:///{tmp_path / 'a.db'}")
    assert engine_for(f"sqlite:///{tmp_path / 'a.db'}") is first
    assert engine_for(f"sqlite:///{tmp_path / 'b.db'}") is not first


def test_times_come_back_aware_and_in_utc(engine: Engine) -> None:
    created = datetime(2026, 5, 1, 14, 30, tzinfo=timezone(timedelta(hours=2)))
    with session_factory(engine).begin() as session:
        session.add(UserRow(email="a@example.org", display_name="A", created_at=created))
    with session_factory(engine).begin() as session:
        stored = session.scalars(select(UserRow.created_at)).one()
    assert stored == created
    assert stored.tzinfo == UTC
    assert stored.hour == 12


def test_naive_times_are_refused(engine: Engine) -> None:
    with pytest.raises(StatementError, match="naive datetime"):
        with session_factory(engine).begin() as session:
            session.add(
                UserRow(email="a@example.org", display_name="A", created_at=datetime(2026, 5, 1))
            )
    with pytest.raises(ValueError, match="naive"):
        as_utc(datetime(2026, 5, 1))


def test_foreign_keys_are_enforced(session: Session) -> None:
    with pytest.raises(IntegrityError):
        mark_step_started(session, 999, StepRef("course", "module", "step"), "v1")


def test_deleting_a_user_deletes_their_records(session: Session, user_id: int) -> None:
    mark_step_started(session, user_id, StepRef("course", "module", "step"), "v1")
    session.delete(session.get_one(UserRow, user_id))
    session.flush()
    assert session.scalar(select(func.count()).select_from(StepProgressRow)) == 0
    assert session.scalar(select(func.count()).select_from(UserRow)) == 1


def test_insert_ignoring_conflict_says_whether_it_inserted(session: Session, user_id: int) -> None:
    from progress.database import insert_ignoring_conflict, utcnow

    row = {
        "user_id": user_id,
        "course_id": "c",
        "module_id": "m",
        "step_id": "s",
        "is_preview": False,
        "status": "started",
        "started_at": utcnow(),
        "completed_at": None,
        "content_version": "v",
    }
    key = ("user_id", "course_id", "module_id", "step_id", "is_preview")
    assert insert_ignoring_conflict(session, StepProgressRow, row, key) is True
    assert insert_ignoring_conflict(session, StepProgressRow, row, key) is False


def _backend_pid(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.exec_driver_sql("SELECT pg_backend_pid()").scalar_one())


def _end_backend(pid: int) -> None:
    """What a database restart does to a pooled connection: the server closes it."""
    other = create_engine(_server_url())
    with other.connect() as connection:
        connection.exec_driver_sql(f"SELECT pg_terminate_backend({pid:d})")
    other.dispose()


def _server_url() -> str:
    url = os.environ.get("ALLY_TEST_DATABASE_URL")
    if not url:
        pytest.skip(POSTGRES_UNSET)
    return load_settings({"ALLY_DATABASE_URL": url}).database_url


def test_a_postgresql_connection_in_steady_use_is_not_pinged_and_an_idle_one_is(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    engine = make_engine(_server_url())
    pings: list[Any] = []
    real_ping = engine.dialect.do_ping
    monkeypatch.setattr(engine.dialect, "do_ping", lambda c: pings.append(c) or real_ping(c))
    try:
        first = _backend_pid(engine)
        assert [_backend_pid(engine) for _ in range(5)] == [first] * 5
        assert pings == []  # one round trip less per unit of work
        monkeypatch.setattr(database, "IDLE_BEFORE_PING_SECONDS", 0.0)  # as if idle for long
        _end_backend(first)
        replaced = _backend_pid(engine)  # the ping finds it closed; the pool opens another
        assert replaced != first
        assert pings[0].closed  # the ping that found the connection gone
    finally:
        engine.dispose()


def test_a_postgresql_connection_closed_while_in_steady_use_fails_once_then_is_replaced() -> None:
    engine = make_engine(_server_url())
    try:
        first = _backend_pid(engine)
        _end_backend(first)
        with pytest.raises(DBAPIError) as failed:
            _backend_pid(engine)
        assert failed.value.connection_invalidated
        assert _backend_pid(engine) != first
    finally:
        engine.dispose()
