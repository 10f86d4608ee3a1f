"""The signed-in person, resolved in one place, on every run.

The browser's HttpOnly session cookie (set by the /auth routes) is looked up in the database
on every script run: one indexed lookup, so that a sign-out in another tab, an expired
session or a role change shows on the next click. Services check again in their own unit of
work, which covers a fragment's rerun too. Tests sign someone in by putting an Actor in
`st.session_state[ACTOR_KEY]` (AppTest cannot set cookies).
"""

from __future__ import annotations

import streamlit as st

from modules.services.accounts import SESSION_COOKIE, actor_for_session
from modules.services.actors import Actor
from modules.ui.state import runtime

ACTOR_KEY = "ally_actor"
_FROM_COOKIE = "ally_actor_from_cookie"  # set when the actor came from a cookie, not a test


def current_actor() -> Actor | None:
    token = st.context.cookies.get(SESSION_COOKIE)
    if not isinstance(token, str):  # no cookie (AppTest has no cookies at all)
        token = None
    if token is None:
        cached = st.session_state.get(ACTOR_KEY)
        set_by_test = isinstance(cached, Actor) and _FROM_COOKIE not in st.session_state
        return cached if set_by_test else None
    actor = actor_for_session(runtime(), token)
    st.session_state[ACTOR_KEY] = actor
    st.session_state[_FROM_COOKIE] = True
    return actor
