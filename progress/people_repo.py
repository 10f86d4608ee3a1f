"""Who a caller is now: the one indexed lookup every service makes before it acts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from progress.database import as_utc
from progress.tables import AuthSessionRow, UserRoleRow, UserRow


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
        alive = UserRow.id == user_id
        if session_hash is not None:
            alive = alive & exists().where(
                AuthSessionRow.id_hash == session_hash,
                AuthSessionRow.user_id == user_id,
                AuthSessionRow.expires_at > as_utc(now),
            )
        query = (
            select(UserRow.id, UserRoleRow.role)
            .outerjoin(UserRoleRow, UserRoleRow.user_id == UserRow.id)
            .where(alive)
        )
        rows = self._session.execute(query).all()
        if not rows:
            return None
        return frozenset(role for _, role in rows if role is not None)
