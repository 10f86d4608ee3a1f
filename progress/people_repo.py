"""Who a caller is now: the one indexed lookup every service makes before it acts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, exists, select
from sqlalchemy.orm import Session

from progress.database import as_utc
from progress.tables import AuthSessionRow, UserRoleRow, UserRow

# Built once: every service call runs one of these, and building a statement costs more than
# running it on SQLite (bench/load.py's profile of a scenario choice). On the tables' columns,
# not the mapped classes' attributes: no ORM step runs for it (see scenario_repo).
_users, _roles, _sessions = (
    UserRow.__table__.c,
    UserRoleRow.__table__.c,
    AuthSessionRow.__table__.c,
)
_ROLES = select(_users.id, _roles.role).outerjoin(
    UserRoleRow.__table__, _roles.user_id == _users.id
)
_ROLES_OF_USER = _ROLES.where(_users.id == bindparam("user_id"))
# Browser session `session_hash` of user `user_id` has not ended by `now`: a condition other
# statements take too (scenario_repo.extend_latest_path checks it in its INSERT).
LIVE_SESSION = exists().where(
    _sessions.id_hash == bindparam("session_hash"),
    _sessions.user_id == bindparam("user_id"),
    _sessions.expires_at > bindparam("now"),
)
_ROLES_IN_SESSION = _ROLES_OF_USER.where(LIVE_SESSION)


class SqlPeopleRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def current_roles(
        self, user_id: int, session_hash: str | None, now: datetime | None = None
    ) -> frozenset[str] | None:
        """The account's roles now; None when it is gone or its browser session has ended.

        `session_hash` names the browser session the caller signed in with (None for callers
        without one: the command line, tests). One statement: the user's primary key, the
        session's primary key and the roles' primary key prefix.
        """
        parameters: dict[str, object] = {"user_id": user_id}
        query = _ROLES_OF_USER
        if session_hash is not None:
            parameters |= {"session_hash": session_hash, "now": as_utc(now)}
            query = _ROLES_IN_SESSION
        rows = self._session.execute(query, parameters).all()
        if not rows:
            return None
        return frozenset(role for _, role in rows if role is not None)
