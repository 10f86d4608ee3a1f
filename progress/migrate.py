"""Schema migrations: the app and `python -m progress migrate` both call upgrade_to_head."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import Script, ScriptDirectory
from sqlalchemy import Engine
from sqlalchemy.engine import Connection

from progress.database import lock_key, make_engine
from progress.tables import Base

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


class MigrationError(RuntimeError):
    """The database could not be brought to the current schema."""


def alembic_config(connection: Connection | None = None) -> Config:
    """Alembic's configuration, built here instead of read from an alembic.ini."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("file_template", "rev%%(rev)s_%%(slug)s")
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:  # pragma: no cover - the initial revision ships with the code
        raise MigrationError("no migrations found")
    return head


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at; None for an empty database."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade_to_head(engine: Engine) -> str:
    """Create or upgrade the schema to the latest revision and return it.

    Safe when several processes start at once: PostgreSQL serialises them with an advisory
    lock; on SQLite the migration's transaction begins IMMEDIATE (see progress.database),
    so a second process waits, then finds the schema current and does nothing.
    """
    _migrate(engine, command.upgrade, "head")
    return head_revision()


def downgrade_to(engine: Engine, revision: str) -> None:
    """Take the schema back to `revision` (tests and benchmarks that replay a migration)."""
    _migrate(engine, command.downgrade, revision)


def _migrate(engine: Engine, step: Callable[[Config, str], None], revision: str) -> None:
    """Run an Alembic upgrade or downgrade in one locked transaction.

    On SQLite, a batch migration rebuilds a table by dropping it: with foreign keys on, that
    would cascade into every row that refers to it (a users rebuild would empty the learners'
    records). The pragma only takes effect outside a transaction, hence on the driver's
    connection, before BEGIN; the keys are checked before the commit.
    """
    with engine.connect() as connection:
        is_sqlite = connection.dialect.name == "sqlite"
        if is_sqlite:
            _sqlite_pragma(connection, "foreign_keys = OFF")
        try:
            with connection.begin():
                _lock_migrations(connection)
                step(alembic_config(connection), revision)
                if is_sqlite:
                    _check_sqlite_foreign_keys(connection)
        finally:
            if is_sqlite:
                _sqlite_pragma(connection, "foreign_keys = ON")


def schema_differences(connection: Connection) -> list[Any]:
    """What autogenerate would change to make the database match the tables ([] when none)."""
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, Base.metadata))


def new_revision(message: str) -> Path:
    """Autogenerate the next migration from the tables' changes, against a scratch database."""
    script = ScriptDirectory.from_config(alembic_config())
    rev_id = f"{len(list(script.walk_revisions())) + 1:04d}"
    with tempfile.TemporaryDirectory() as scratch:
        engine = make_engine(f"sqlite:///{scratch}/scratch.db")
        upgrade_to_head(engine)
        with engine.begin() as connection:
            if schema_differences(connection) == []:
                raise MigrationError("the migrations already match progress/tables: nothing to do")
            config = alembic_config(connection)
            written = command.revision(config, message, autogenerate=True, rev_id=rev_id)
        engine.dispose()
    if not isinstance(written, Script):  # pragma: no cover - one head, one script
        raise MigrationError("expected one new migration")
    return Path(written.path)


def _lock_migrations(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        key = lock_key("migrations")
        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({key})")


def _sqlite_pragma(connection: Connection, pragma: str) -> None:
    driver_connection = connection.connection.driver_connection
    if driver_connection is None:  # pragma: no cover - only after the connection closed
        raise MigrationError("the database connection closed during migration")
    driver_connection.execute(f"PRAGMA {pragma}")


def _check_sqlite_foreign_keys(connection: Connection) -> None:
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        table, row_id = broken[0][0], broken[0][1]
        raise MigrationError(
            f"migration left {len(broken)} broken foreign keys, e.g. {table} row {row_id}"
        )
