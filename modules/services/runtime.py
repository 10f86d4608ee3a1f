"""The process's settings, database engine and session factory, set up once.

Both the Starlette auth routes and the Streamlit pages run in one process and share this.
The database is migrated to the latest schema the first time it is asked for.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from modules.services.errors import DATABASE_DOWN, StorageUnavailable
from modules.services.uow import SqlUnitOfWork, transaction
from modules.settings import SECRETS_PATH, Settings, load_settings
from progress.database import engine_for, session_factory
from progress.migrate import upgrade_to_head


@dataclass(frozen=True)
class Runtime:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]

    def uow(self) -> SqlUnitOfWork:
        """A new unit of work on this database: `with rt.uow() as uow:`."""
        return SqlUnitOfWork(self.sessions)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work's Session, for services whose repositories take a Session."""
        with transaction(self.sessions) as session:
            yield session


_lock = threading.Lock()
_runtimes: dict[str, Runtime] = {}
_loaded: dict[tuple[object, ...], Settings] = {}


def runtime(settings: Settings | None = None) -> Runtime:
    """The runtime for `settings` (default: load_settings()), migrating its database once."""
    settings = settings or _current_settings()
    with _lock:
        found = _runtimes.get(settings.database_url)
        if found is None or found.settings != settings:
            engine = engine_for(settings.database_url)
            try:
                upgrade_to_head(engine)
            except DBAPIError as error:
                raise StorageUnavailable(DATABASE_DOWN) from error
            found = Runtime(settings, engine, session_factory(engine))
            _runtimes[settings.database_url] = found
        return found


def _current_settings() -> Settings:
    """load_settings(), read again only when the ALLY_ variables or the secrets file change.

    Pages ask for the runtime several times a run; this keeps them from re-reading and
    re-parsing .streamlit/secrets.toml each time.
    """
    cwd = os.getcwd()
    try:
        secrets = os.stat(os.path.join(cwd, SECRETS_PATH))
        stamp: tuple[int, int] | None = (secrets.st_mtime_ns, secrets.st_size)
    except FileNotFoundError:
        stamp = None
    # Names first, values only for ours: os.environ decodes every value it yields (with 38
    # variables, this function took 52 µs a call with items(), 17 µs this way).
    names = sorted(k for k in os.environ if k.startswith("ALLY_"))
    key = (cwd, stamp, *((k, os.environ[k]) for k in names))
    found = _loaded.get(key)
    if found is None:
        if len(_loaded) > 32:  # tests change the environment often; a process keeps one
            _loaded.clear()
        found = _loaded[key] = load_settings()
    return found
