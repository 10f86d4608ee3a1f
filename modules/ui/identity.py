"""The signed-in person, resolved in one place.

The browser's HttpOnly session cookie (set by the /auth routes) is looked up in the database
at most once a minute per browser tab. Tests sign someone in by putting an Actor in
`st.session_state[ACTOR_KEY]` (AppTest cannot set cookies).
"""

from __future__ import annotations

import hashlib
import time

import streamlit as st

from modules.services.accounts import SESSION_COOKIE, actor_for_session
from modules.services.actors import Actor
from modules.ui.state import runtime

ACTOR_KEY = "ally_actor"
_CHECKED_KEY = "ally_actor_checked"  # (cookie hash, monotonic time of the last lookup)
RECHECK_SECONDS = 60  # a tab notices a sign-out elsewhere within a minute


def current_actor() -> Actor | None:
    token = st.context.cookies.get(SESSION_COOKIE)
    if not isinstance(token, str):  # no cookie (AppTest has no cookies at all)
        token = None
    cached = st.session_state.get(ACTOR_KEY)
    if token is None:
        set_by_test = isinstance(cached, Actor) and _CHECKED_KEY not in st.session_state
        return cached if set_by_test else None
    fingerprint = hashlib.sha256(token.encode()).hexdigest()
    checked = st.session_state.get(_CHECKED_KEY)
    fresh = (
        checked and checked[0] == fingerprint and time.monotonic() - checked[1] < RECHECK_SECONDS
    )
    if fresh and isinstance(cached, Actor):
        return cached
    actor = actor_for_session(runtime(), token)
    st.session_state[ACTOR_KEY] = actor
    st.session_state[_CHECKED_KEY] = (fingerprint, time.monotonic())
    return actor
