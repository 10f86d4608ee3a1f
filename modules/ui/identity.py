"""The signed-in person, resolved in one place, on every run.

The browser's HttpOnly session cookie (set by the /auth routes) is looked up in the database
on every script run: one indexed lookup, so that a sign-out in another tab, an expired
session or a role change shows on the next click. Services check again in their own unit of
work, which covers a fragment's rerun too. Tests sign someone in by putting an Actor in
`st.session_state[ACTOR_KEY]` (AppTest cannot set cookies).
"""

from __future__ import annotations

import streamlit as st

from modules.services.accounts import SESSION_COOKIE, actor_for_session, session_hash
from modules.services.actors import Actor
from modules.services.errors import StorageUnavailable
from modules.services.runtime import runtime

ACTOR_KEY = "ally_actor"
_FROM_COOKIE = "ally_actor_from_cookie"  # set when the actor came from a cookie, not a test
_THIS_RUN = "ally_actor_this_run"


def current_actor() -> Actor | None:
    """The person, as the navigation script resolved him at the start of this run."""
    if _THIS_RUN in st.session_state:
        found = st.session_state[_THIS_RUN]
        return found if isinstance(found, Actor) else None
    return resolve_actor()


def resolve_actor() -> Actor | None:
    """Look the session cookie up (once per run: the navigation script calls this first)."""
    actor = _lookup()
    st.session_state[_THIS_RUN] = actor
    return actor


def _lookup() -> Actor | None:
    token = st.context.cookies.get(SESSION_COOKIE)
    if not isinstance(token, str):  # no cookie (AppTest has no cookies at all)
        token = None
    if token is None:
        cached = st.session_state.get(ACTOR_KEY)
        set_by_test = isinstance(cached, Actor) and _FROM_COOKIE not in st.session_state
        return cached if set_by_test else None
    try:
        actor = actor_for_session(runtime(), token)
    except StorageUnavailable:
        # The database is down: keep this tab's page (and what is typed in it) on screen as
        # the person it last was; every service call still fails until the database is back,
        # and then checks the session again.
        cached = st.session_state.get(ACTOR_KEY)
        if isinstance(cached, Actor) and cached.session_hash == session_hash(token):
            return cached
        raise
    st.session_state[ACTOR_KEY] = actor
    st.session_state[_FROM_COOKIE] = True
    return actor
