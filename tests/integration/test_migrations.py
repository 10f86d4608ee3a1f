"""The migrations build exactly the tables the code declares, once, even when raced."""

from __future__ import annotations

import threading

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect, text

from progress.database import make_engine
from progress.migrate import (
    alembic_config,
    current_revision,
    head_revision,
    schema_differences,
    upgrade_to_head,
)
from progress.tables import Base


def test_migrated_schema_matches_the_tables(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
        assert schema_differences(connection) == differences
    assert differences == []


def test_a_schema_difference_is_found(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.exec_driver_sql("DROP INDEX ix_auth_sessions_expires_at")
        differences = schema_differences(connection)
    assert [difference[0] for difference in differences] == ["add_index"]


def test_an_empty_database_is_upgraded_to_head(database_url: str) -> None:
    engine = make_engine(database_url)
    assert current_revision(engine) is None
    assert upgrade_to_head(engine) == head_revision()
    assert current_revision(engine) == head_revision()
    assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())
    engine.dispose()


def test_upgrading_again_changes_nothing(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.execute(
            text("INSERT INTO app_secrets (name, value, created_at) VALUES ('k', 'v', :now)"),
            {"now": "2026-01-01 00:00:00+00:00"},
        )
    assert upgrade_to_head(engine) == head_revision()
    with engine.connect() as connection:
        assert connection.scalar(text("SELECT value FROM app_secrets")) == "v"


def test_downgrade_to_base_and_up_again(engine: Engine) -> None:
    with engine.begin() as connection:
        command.downgrade(alembic_config(connection), "base")
    assert current_revision(engine) is None
    assert "users" not in inspect(engine).get_table_names()
    assert upgrade_to_head(engine) == head_revision()


def test_two_processes_starting_at_once_both_succeed(database_url: str) -> None:
    engines = [make_engine(database_url) for _ in range(2)]
    start = threading.Barrier(len(engines))
    results: list[str] = []
    errors: list[BaseException] = []

    def start_app(engine: Engine) -> None:
        start.wait()
        try:
            results.append(upgrade_to_head(engine))
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=start_app, args=(engine,)) for engine in engines]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert results == [head_revision()] * 2
    with engines[0].connect() as connection:
        assert connection.scalar(text("SELECT count(*) FROM alembic_version")) == 1
    for engine in engines:
        engine.dispose()
