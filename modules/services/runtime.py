"""The process's settings, database engine and session factory, set up once.

Both the Starlette auth routes and the Streamlit pages run in one process and share this.
The database is migrated to the latest schema the first time it is asked for.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from modules.services.errors import DATABASE_DOWN, StorageUnavailable
from modules.services.uow import SqlUnitOfWork, transaction
from modules.settings import Settings, load_settings
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


def runtime(settings: Settings | None = None) -> Runtime:
    """The runtime for `settings` (default: load_settings()), migrating its database once."""
    settings = settings or load_settings()
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
