"""Fixtures: every test gets a fresh, migrated database of its own.

Each test runs on a temporary SQLite file, and again on PostgreSQL in a fresh schema when
ALLY_TEST_DATABASE_URL names a server.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from modules.settings import load_settings
from progress.account_repo import create_user
from progress.database import make_engine, session_factory
from progress.migrate import upgrade_to_head

POSTGRES_UNSET = "ALLY_TEST_DATABASE_URL is not set: PostgreSQL storage tests skipped"
FAKE_HASH = "$argon2id$v=19$m=65536,t=3,p=4$not-a-real-hash"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of an empty database (not migrated)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'data' / 'ally.db'}"
        return
    server = os.environ.get("ALLY_TEST_DATABASE_URL")
    if not server:
        pytest.skip(POSTGRES_UNSET)
    with fresh_postgres_schema(server) as url:
        yield url


@contextmanager
def fresh_postgres_schema(server_url: str) -> Iterator[str]:
    """A new schema on the server, dropped again afterwards; yields a URL that uses it."""
    server = make_engine(load_settings({"ALLY_DATABASE_URL": server_url}).database_url)
    schema = f"test_{uuid.uuid4().hex[:16]}"
    with server.begin() as connection:
        connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    try:
        url = make_url(server.url).update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with server.begin() as connection:
            connection.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        server.dispose()


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    upgrade_to_head(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """One unit of work, committed at the end of the test."""
    with session_factory(engine).begin() as session:
        yield session


def add_user(session: Session, email: str = "learner@example.org") -> int:
    return create_user(session, email, "A Learner", FAKE_HASH).id


@pytest.fixture
def user_id(session: Session) -> int:
    """A learner who is not the first account (that one is an administrator)."""
    add_user(session, "admin@example.org")
    return add_user(session)


@contextmanager
def counted_statements(engine: Engine) -> Iterator[list[str]]:
    """The SQL statements the engine sends while the block runs."""
    sent: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        sent.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", count)
