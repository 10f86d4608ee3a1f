"""Benchmark: a cohort dashboard and debrief over 10,000 learners and ~1,000,000 attempt rows.

    python bench/dashboard.py [--database-url URL]

Builds the database with bulk inserts (SQLite by default, in a temporary file; for a
PostgreSQL URL, in a new schema dropped afterwards), fills the anonymous figures' tallies as
migration 0004 does on a live database (timed too), then times the dashboard and the debrief
views for the 500-learner cohort through the same services the Cohorts page calls (access
checks, aggregate queries, and the domain's report building): best of 5 after one warm-up.
Ends with the line `dashboard: <ms> ms, <n> queries for 500 learners` (dashboard and
debrief together).
Goal: under 100 ms on SQLite and under 150 ms on PostgreSQL, with a query count that does not
grow with the cohort (the same statements for 500 learners as for 5).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import Engine, event, insert, text  # noqa: E402
from sqlalchemy.engine import Connection, make_url  # noqa: E402

from bench.cohort_data import (  # noqa: E402
    COLUMNS,
    START,
    CourseShape,
    LearnerRows,
    chunks,
    course_shape,
    due_dates,  # noqa: E402
)
from modules.course.validation import validate_directory  # noqa: E402
from modules.services.actors import Actor  # noqa: E402
from modules.services.cohort_reports import CohortReports  # noqa: E402
from modules.services.cohorts import CohortService  # noqa: E402
from modules.services.runtime import Runtime  # noqa: E402
from modules.settings import Settings, load_settings  # noqa: E402
from progress.database import make_engine, session_factory  # noqa: E402
from progress.migrate import downgrade_to, upgrade_to_head  # noqa: E402
from progress.tables import Base  # noqa: E402

LEARNERS = 10_000
COHORTS = 200
BIG_COHORT = 500
FACILITATORS = 100
BATCH = 500  # learners generated and written per round
RUNS = 5
SHIPPED = Path(__file__).resolve().parent.parent / "content"
FAKE_HASH = "$argon2id$v=19$m=65536,t=3,p=4$bench"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="default: a temporary SQLite file")
    parser.add_argument("--profile", action="store_true", help="cProfile one dashboard too")
    arguments = parser.parse_args()
    with database(arguments.database_url) as engine:
        course = course_shape(SHIPPED)
        print(f"database: {engine.dialect.name}")
        build(engine, course)
        measure(engine, arguments.profile)
        engine.dispose()


@contextmanager
def database(url: str | None) -> Iterator[Engine]:
    """A migrated, empty database that is gone afterwards."""
    if url is None:
        with tempfile.TemporaryDirectory() as scratch:
            engine = make_engine(f"sqlite:///{scratch}/bench.db")
            upgrade_to_head(engine)
            yield engine
            engine.dispose()
        return
    server = make_engine(load_settings({"ALLY_DATABASE_URL": url}).database_url)
    if server.dialect.name != "postgresql":
        raise SystemExit("--database-url: only PostgreSQL (or the default SQLite) is supported")
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    with server.begin() as connection:
        connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    try:
        scoped = make_url(server.url).update_query_dict({"options": f"-csearch_path={schema}"})
        engine = make_engine(scoped.render_as_string(hide_password=False))
        upgrade_to_head(engine)
        yield engine
        engine.dispose()
    finally:
        with server.begin() as connection:
            connection.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        server.dispose()


def cohort_of(learner: int) -> int:
    """Cohort 1 takes the first 500 learners; the rest are dealt round the other 199."""
    if learner < BIG_COHORT:
        return 1
    return 2 + (learner - BIG_COHORT) % (COHORTS - 1)


def build(engine: Engine, course: CourseShape) -> None:
    began = time.perf_counter()
    with engine.begin() as connection:
        write_people(connection, course)
        rows = LearnerRows(course, random.Random(5))
        for learners in chunks(LEARNERS, BATCH):
            for learner in learners:
                rows.learner(FACILITATORS + 1 + learner)
            for table, batch in rows.take().items():
                write(connection, table, COLUMNS[table], batch)
    fill_figures(engine)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        # As autovacuum would have by now: planner statistics, and (PostgreSQL) the
        # visibility map that index-only scans need.
        vacuum = "VACUUM ANALYZE" if connection.dialect.name == "postgresql" else "ANALYZE"
        connection.exec_driver_sql(vacuum)
    print(f"build: {time.perf_counter() - began:.1f} s")
    with engine.connect() as connection:
        counts = {name: count_rows(connection, name) for name in sorted(Base.metadata.tables)}
    attempts = sum(counts[table] for table in COLUMNS)
    for name, count in counts.items():
        if count:
            print(f"  {name:<22} {count:>9,}")
    print(f"  {'attempt rows in all':<22} {attempts:>9,}")


def fill_figures(engine: Engine) -> None:
    """The bulk rows bypassed the repositories, so the tallies are empty: let 0004 fill them."""
    began = time.perf_counter()
    downgrade_to(engine, "0003")
    upgrade_to_head(engine)
    print(f"figures filled by migration 0004: {time.perf_counter() - began:.1f} s")


def write_people(connection: Connection, course: CourseShape) -> None:
    """Facilitators, learners, cohorts, their memberships and assignments."""
    people = [
        (user, f"person{user}@example.org", f"Person {user:05d}", FAKE_HASH, START)
        for user in range(1, FACILITATORS + LEARNERS + 1)
    ]
    write(connection, "users", ("id", "email", "display_name", "password_hash", "created_at"),
          people)  # fmt: skip
    write(connection, "user_roles", ("user_id", "role"),
          [(1, "admin")] + [(f, "facilitator") for f in range(1, FACILITATORS + 1)])  # fmt: skip
    write(connection, "cohorts", ("id", "course_id", "name", "time_zone", "join_code",
                                  "inactive_after_days", "created_at", "archived_at"),
          [(c, course.id, f"Cohort {c}", "Europe/London", f"B{c:07d}", 14, START, None)
           for c in range(1, COHORTS + 1)])  # fmt: skip
    write(connection, "cohort_facilitators", ("cohort_id", "user_id", "is_owner"),
          [(c, 1 + c % FACILITATORS, True) for c in range(1, COHORTS + 1)])  # fmt: skip
    write(connection, "cohort_members", ("cohort_id", "user_id", "joined_at", "removed_at"),
          [(cohort_of(n), FACILITATORS + 1 + n, START, None) for n in range(LEARNERS)])  # fmt: skip
    write(connection, "assignments", ("cohort_id", "module_id", "due_date", "assigned_by",
                                      "created_at"),
          [(c, module, due, 1 + c % FACILITATORS, START)
           for c in range(1, COHORTS + 1) for module, due in due_dates(course, c)])  # fmt: skip


def write(connection: Connection, table: str, columns: tuple[str, ...], rows: list[Any]) -> None:
    """Bulk insert: COPY on PostgreSQL, a Core executemany in batches on SQLite."""
    if not rows:
        return
    if connection.dialect.name == "postgresql":
        cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
        with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([json.dumps(v) if isinstance(v, dict) else v for v in row])
        return
    statement = insert(Base.metadata.tables[table])
    for first in range(0, len(rows), 10_000):
        batch = [dict(zip(columns, row, strict=True)) for row in rows[first : first + 10_000]]
        connection.execute(statement, batch)


def count_rows(connection: Connection, table: str) -> int:
    return int(connection.scalar(text(f"SELECT count(*) FROM {table}")) or 0)


def measure(engine: Engine, profile: bool = False) -> None:
    """Time what the Cohorts page calls: the services, with their checks and domain work."""
    settings = Settings(database_url=str(engine.url), content_dir=SHIPPED)
    content = validate_directory(SHIPPED).content
    assert content is not None, "the shipped course must validate"
    reports_ = CohortReports(
        CohortService(Runtime(settings, engine, session_factory(engine)), content)
    )
    admin = Actor(1, "Person 00001", frozenset({"admin", "facilitator"}))
    module = content.course.modules[0]
    timings: dict[str, tuple[float, int]] = {}
    for name, work in (
        ("dashboard", partial(reports_.dashboard, admin, 1)),
        ("debrief", partial(reports_.debrief, admin, 1, module)),
    ):
        timings[name] = best_of(engine, work)
        print(f"{name} alone: {timings[name][0]:.1f} ms, {timings[name][1]} queries")
    board = reports_.dashboard(admin, 1)
    assert len(board.learners) == BIG_COHORT, len(board.learners)
    small = reports_.dashboard(admin, 2)
    print(f"dashboard of cohort 2 ({len(small.learners)} learners):")
    small_ms, small_queries = best_of(engine, partial(reports_.dashboard, admin, 2))
    same = "the same" if small_queries == timings["dashboard"][1] else "NOT the same"
    print(f"  {small_ms:.1f} ms, {small_queries} queries: {same} count as for {BIG_COHORT}")
    shown = reports_.debrief(admin, 1, module).scenarios[0].basis.learners
    assert shown > 0, "the debrief's figures are empty: the tallies were not filled"
    if profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.runcall(reports_.dashboard, admin, 1)
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
    total_ms = sum(ms for ms, _n in timings.values())
    total_queries = sum(n for _ms, n in timings.values())
    print(f"dashboard: {total_ms:.0f} ms, {total_queries} queries for {BIG_COHORT} learners")


def best_of(engine: Engine, work: Callable[[], object]) -> tuple[float, int]:
    """The best time of RUNS runs after a warm-up, in ms, and the queries of one run.

    Prints the statements of the counted run, slowest first, with their milliseconds: what the
    remaining time is made of.
    """
    work()
    sent: list[tuple[str, float]] = []
    started: list[float] = []

    def before(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        started.append(time.perf_counter())

    def after(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        sent.append((statement, (time.perf_counter() - started.pop()) * 1000))

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    work()
    event.remove(engine, "before_cursor_execute", before)
    event.remove(engine, "after_cursor_execute", after)
    selects = [(q, ms) for q, ms in sent if q.lstrip().upper().startswith(("SELECT", "WITH"))]
    for statement, ms in sorted(selects, key=lambda pair: -pair[1])[:4]:
        print(f"    {ms:7.1f} ms  {' '.join(statement.split())[:110]}")
    best = float("inf")
    for _ in range(RUNS):
        began = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - began)
    return best * 1000, len(selects)


if __name__ == "__main__":
    main()
