"""Who is calling a service, and the one place that checks roles."""

from __future__ import annotations

from dataclasses import dataclass

from modules.services.errors import PermissionDenied

__all__ = ["ADMIN", "FACILITATOR", "LEARNER", "ROLES", "Actor", "PermissionDenied"]

LEARNER = "learner"
FACILITATOR = "facilitator"
ADMIN = "admin"
ROLES = (LEARNER, FACILITATOR, ADMIN)


@dataclass(frozen=True)
class Actor:
    """A signed-in person as services see them: an id, a name to greet, their roles."""

    user_id: int
    display_name: str
    roles: frozenset[str]

    @property
    def is_facilitator(self) -> bool:
        return FACILITATOR in self.roles or ADMIN in self.roles

    @property
    def is_admin(self) -> bool:
        return ADMIN in self.roles


def require_facilitator(actor: Actor) -> None:
    if not actor.is_facilitator:
        raise PermissionDenied("Only facilitators and administrators can do this.")


def require_admin(actor: Actor) -> None:
    if not actor.is_admin:
        raise PermissionDenied("Only administrators can do this.")


def require_preview_allowed(actor: Actor, preview: bool) -> None:
    """Preview mode (records that never count) is for facilitators and administrators."""
    if preview:
        require_facilitator(actor)
