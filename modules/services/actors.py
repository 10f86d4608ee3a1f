"""Who is calling a service: an id, a name to greet, the roles, and the browser session."""

from __future__ import annotations

from dataclasses import dataclass

from progress.tables.accounts import ADMIN, FACILITATOR, LEARNER, ROLES

__all__ = ["ADMIN", "FACILITATOR", "LEARNER", "ROLES", "Actor"]


@dataclass(frozen=True)
class Actor:
    """A signed-in person as services see them.

    `roles` are what the page was built with; services trust only what
    `modules.services.authz.current` reads from the database in their own unit of work.
    `session_hash` names the browser session (None for the command line and tests).
    """

    user_id: int
    display_name: str
    roles: frozenset[str]
    session_hash: str | None = None

    @property
    def is_facilitator(self) -> bool:
        return FACILITATOR in self.roles or ADMIN in self.roles

    @property
    def is_admin(self) -> bool:
        return ADMIN in self.roles
