"""The process's settings, database engine and session factory, set up once.

Both the Starlette auth routes and the Streamlit pages run in one process and share this.
The database is migrated to the latest schema the first time it is asked for.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from modules.settings import Settings, load_settings
from progress.database import engine_for, session_factory
from progress.migrate import upgrade_to_head


@dataclass(frozen=True)
class Runtime:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]


_lock = threading.Lock()
_runtimes: dict[str, Runtime] = {}


def runtime(settings: Settings | None = None) -> Runtime:
    """The runtime for `settings` (default: load_settings()), migrating its database once."""
    settings = settings or load_settings()
    with _lock:
        found = _runtimes.get(settings.database_url)
        if found is None or found.settings != settings:
            engine = engine_for(settings.database_url)
            upgrade_to_head(engine)
            found = Runtime(settings, engine, session_factory(engine))
            _runtimes[settings.database_url] = found
        return found
