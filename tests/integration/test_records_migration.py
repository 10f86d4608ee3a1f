"""Migration 0005 on a live database: assignments survive it and outlive who set them."""

from __future__ import annotations

from alembic import command
from sqlalchemy import text

from progress.database import make_engine
from progress.migrate import alembic_config, upgrade_to_head

ROWS = (
    "INSERT INTO users (id, email, display_name, created_at)"
    " VALUES (7, 'fay@example.org', 'Fay', '2026-01-01 00:00:00')",
    "INSERT INTO cohorts (id, course_id, name, time_zone, join_code, inactive_after_days,"
    " created_at) VALUES (3, 'ally', 'Chiefs', 'UTC', 'ABCDEFGH', 14, '2026-01-01 00:00:00')",
    "INSERT INTO assignments (cohort_id, module_id, due_date, assigned_by, created_at)"
    " VALUES (3, 'speaking-up', '2026-02-01', 7, '2026-01-01 00:00:00')",
)


def test_assignments_survive_the_upgrade_and_their_facilitators_deletion(
    database_url: str,
) -> None:
    engine = make_engine(database_url)
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "0004")
    with engine.begin() as connection:
        for statement in ROWS:
            connection.execute(text(statement))
    upgrade_to_head(engine)
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM users WHERE id = 7"))
        kept = connection.execute(
            text("SELECT cohort_id, module_id, assigned_by FROM assignments")
        ).all()
    assert [tuple(row) for row in kept] == [(3, "speaking-up", None)]
    engine.dispose()
