"""Accounts and sign-in sessions as services."""

from __future__ import annotations

from modules.services.actors import Actor
from modules.services.runtime import Runtime
from progress import auth

SESSION_COOKIE = "ally_session"


def actor_for_session(rt: Runtime, token: str) -> Actor | None:
    """The person a session cookie belongs to; None when forged, expired or signed out."""
    if not token or len(token) > 256:
        return None
    with rt.sessions.begin() as session:
        user = auth.user_for_auth_session(session, token)
    if user is None:
        return None
    return Actor(user.id, user.display_name, frozenset(user.roles))
