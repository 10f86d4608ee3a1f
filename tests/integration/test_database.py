"""Engines: the SQLite file and its settings, one engine per URL, UTC times, foreign keys."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import IntegrityError, StatementError
from sqlalchemy.orm import Session

from progress.database import (
    SQLITE_BUSY_TIMEOUT_MS,
    as_utc,
    engine_for,
    make_engine,
    session_factory,
)
from progress.step_repo import StepRef, mark_step_started
from progress.tables import StepProgressRow, UserRow


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
