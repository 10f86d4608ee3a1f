"""Engines, the session factory, write locks and the upsert helpers every repository uses."""

from __future__ import annotations

import functools
import sqlite3
import threading
import time
import zlib
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine, Select, bindparam, create_engine, event, or_, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry
from sqlalchemy.sql.base import Executable

from progress.tables.base import Base

SQLITE_BUSY_TIMEOUT_MS = 15_000
# A pooled PostgreSQL connection idle this long is pinged before use (SQLAlchemy's pool_pre_ping
# pings every checkout: a round trip more on each unit of work, 56 of 377 µs of client CPU for a
# one-statement unit of work, measured here).
IDLE_BEFORE_PING_SECONDS = 10.0

_Query = TypeVar("_Query", bound=Executable)

_engines: dict[str, Engine] = {}
_engines_lock = threading.Lock()


# Set only while the sample cohort's history is written (`python -m progress demo`), so that
# its made-up weeks carry their own dates; everything else runs on the real clock.
_written_at: ContextVar[datetime | None] = ContextVar("written_at", default=None)


def utcnow() -> datetime:
    """The time every record is stamped with."""
    return _written_at.get() or datetime.now(UTC)


@contextmanager
def records_dated(moment: datetime) -> Iterator[None]:
    """Stamp the records written in this block (this thread, this task) with `moment`."""
    token = _written_at.set(as_utc(moment))
    try:
        yield
    finally:
        _written_at.reset(token)


def as_utc(moment: datetime | None) -> datetime:
    """`moment` in UTC, or now when None; a naive datetime is refused, not guessed at."""
    if moment is None:
        return utcnow()
    if moment.tzinfo is None:
        raise ValueError(f"naive datetime {moment!r}: pass a timezone-aware one")
    return moment.astimezone(UTC)


def engine_for(url: str) -> Engine:
    """The process's one engine for `url`, created on first use."""
    with _engines_lock:
        engine = _engines.get(url)
        if engine is None:
            engine = _engines[url] = make_engine(url)
        return engine


def make_engine(url: str) -> Engine:
    """A new engine; for SQLite the file and its folder are created and pragmas set."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        server = create_engine(parsed)
        _ping_after_idle(server)
        return server
    database = parsed.database or ""
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(parsed)
    event.listen(engine, "connect", _configure_sqlite_connection)
    event.listen(engine, "begin", _begin_sqlite_immediately)
    return engine


_IDLE_SINCE = "ally_idle_since"


def _ping_after_idle(engine: Engine) -> None:
    """Ping a pooled connection before use when it sat idle, and replace it if the server is gone.

    A connection used in the last IDLE_BEFORE_PING_SECONDS is used as it is: under load no unit
    of work pays a ping. One the server closed in that window (a restart) fails its unit of
    work once (the service says the database is unavailable, nothing is lost), and SQLAlchemy
    then replaces every pooled connection.
    """

    def idle_from_now(_dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
        record.info[_IDLE_SINCE] = time.monotonic()

    def ping_if_idle(dbapi_connection: Any, record: ConnectionPoolEntry, _proxy: Any) -> None:
        if time.monotonic() - record.info.get(_IDLE_SINCE, 0.0) < IDLE_BEFORE_PING_SECONDS:
            return
        try:
            alive = engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error:  # psycopg: "terminating connection", raised
            alive = False
        if not alive:
            raise DisconnectionError("the database closed this connection")  # the pool retries

    event.listen(engine, "connect", idle_from_now)
    event.listen(engine, "checkin", idle_from_now)
    event.listen(engine, "checkout", ping_if_idle)


def _configure_sqlite_connection(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
    # Take transaction control away from the sqlite3 module (it would skip BEGIN for
    # SELECTs and DDL); _begin_sqlite_immediately emits our own BEGIN.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        _use_write_ahead_log(cursor)
        cursor.execute("PRAGMA foreign_keys = ON")
    finally:
        cursor.close()


def _use_write_ahead_log(cursor: sqlite3.Cursor) -> None:
    # Switching a new file to WAL needs an exclusive lock, and SQLite answers "database is
    # locked" at once, without its busy handler, while another process opens the same new
    # file (two replicas on first start): wait and retry as the busy timeout would.
    deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            if cursor.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                cursor.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def _begin_sqlite_immediately(connection: Connection) -> None:
    # Every unit of work takes SQLite's write lock at BEGIN. A deferred transaction that
    # reads and then writes fails at once with "database is locked" when another writer
    # got in between; an immediate one waits up to busy_timeout instead. It also makes
    # check-then-insert (the first account, idempotent writes) safe between processes.
    if connection.get_execution_options().get("isolation_level") == "AUTOCOMMIT":
        return
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """The one way to open a unit of work: `with session_factory(engine).begin() as session:`."""
    return sessionmaker(engine, expire_on_commit=False)


def lock_for_write(session: Session, name: str) -> None:
    """Serialise transactions that take the lock `name` until this one ends.

    PostgreSQL: a transaction-scoped advisory lock. SQLite: nothing to do, every transaction
    already holds the database's write lock from its BEGIN.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": lock_key(name)})


def lock_key(name: str) -> int:
    """A stable signed 64-bit advisory lock key for `name`."""
    return zlib.crc32(b"ally:" + name.encode()) - 2**31


def insert_ignoring_conflict(
    session: Session, table: type[Base], values: Mapping[str, Any], key: Iterable[str]
) -> bool:
    """INSERT one row unless a row with the same unique `key` exists; True when inserted."""
    statement = _insert_ignoring(dialect_of(session), table, tuple(key))
    result = session.execute(statement, dict(values))
    return bool(getattr(result, "rowcount", 0))


def upsert(
    session: Session,
    table: type[Base],
    values: Mapping[str, Any],
    key: Iterable[str],
    update: Iterable[str],
    when_changed: Iterable[str] = (),
) -> None:
    """INSERT one row, or UPDATE the columns `update` of the row with the same unique `key`.

    With `when_changed`, the row is updated only when one of those columns would change: a
    statement that changes nothing writes nothing (SQLite then commits without a WAL write).
    """
    statement = _insert_updating(
        dialect_of(session), table, tuple(key), tuple(update), tuple(when_changed)
    )
    session.execute(statement, dict(values))


# The statements above are built once per table and key, and given their values when they run:
# building an INSERT cost more than running it on SQLite (bench/load.py's profile of a choice).
# They insert into the table itself (not the mapped class) so that the ORM's bulk path, which
# has nothing to do for one row, stays out of the way.
@functools.cache
def _insert_ignoring(dialect: str, table: type[Base], key: tuple[str, ...]) -> Any:
    statement: Any = INSERTS[dialect](table.__table__)
    statement = statement.on_conflict_do_nothing(index_elements=key)
    # SQLAlchemy 2.1 keeps an INSERT's row count (how we tell "inserted") only when asked.
    return statement.execution_options(preserve_rowcount=True)


@functools.cache
def _insert_updating(
    dialect: str,
    table: type[Base],
    key: tuple[str, ...],
    update: tuple[str, ...],
    when_changed: tuple[str, ...],
) -> Any:
    statement: Any = INSERTS[dialect](table.__table__)
    changes = {column: statement.excluded[column] for column in update}
    stored = table.__table__.c
    differs = [stored[column] != statement.excluded[column] for column in when_changed]
    return statement.on_conflict_do_update(
        index_elements=key, set_=changes, where=or_(*differs) if differs else None
    )


# Each database's INSERT, which knows ON CONFLICT.
INSERTS: dict[str, Any] = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def dialect_of(session: Session) -> str:
    """The session's database kind, a key of INSERTS."""
    name = session.get_bind().dialect.name
    if name not in INSERTS:  # pragma: no cover - settings refuse other databases
        raise ValueError(f"unsupported database: {name}")
    return name


def fresh(query: _Query) -> _Query:
    """The query, refreshing rows already in the session: upserts bypass its identity map."""
    return query.execution_options(populate_existing=True)


_Row = TypeVar("_Row", bound=Base)


def keyed_rows(table: type[_Row], keys: Iterable[str]) -> Select[_Row]:
    """`table`'s rows whose `keys` columns equal bind parameters of the same names, oldest
    first: a query to build once, at import (building one costs more than running it on
    SQLite), and to run with the keys' values."""
    query = select(table).where(*(getattr(table, key) == bindparam(key) for key in keys))
    return fresh(query.order_by(table.__table__.c["id"]))
