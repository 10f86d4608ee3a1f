"""A page that reconnects to a new server process gets the app back, whole and at once.

When a replica dies (or restarts for a deploy), the browser's websocket reconnects through
nginx to a process that has never seen its session, and Streamlit 1.67 gives it a new, empty
session. The browser is not told: it asks for a rerun on reconnecting only if its last run
was a fragment's or was still going, so after an ordinary full run it keeps showing the old
page. Its next click inside a fragment (a scenario's choice buttons) then asks the new session
to rerun a fragment it does not hold, and `AppSession.request_rerun` drops that request
without a word: the click is lost, and so is every later one, until something reruns the
whole page. Upstream report, in one sentence: "A fragment rerun request that reaches a
session which has never run (after the websocket reconnects to a restarted server or another
replica) is silently dropped by AppSession.request_rerun, and the frontend does not rerun on
reconnect after a full run, so the page stays stale and every click in a fragment is lost."

A second trap on the same road: Streamlit decides once per process, at its first session,
whether the app is a v1 multipage app, because modules/ui/ has a `pages/` folder beside
main.py; the first `st.navigation` call undoes that. A reconnecting browser names its page by
hash, and in a process where main.py has not run yet that hash finds `pages/<page>.py` as a
v1 page, which then runs alone: no main.py, so no navigation, no "Signed in as", and a
sidebar listing every file in pages/.

`prepare_for_reconnects()` fixes both in this process. A new session's first request, if it
names a fragment the session lacks, becomes a full run with the same client state (page,
query string, widgets), so the page is rebuilt from the database where the learner was; the
click itself does not count (its callback was never registered here), so nothing is recorded
that the learner did not see confirmed. And the app is declared an `st.navigation` app from
the start, as its first run would declare it.
"""

from __future__ import annotations

import logging
import threading
import weakref
from typing import Any

from streamlit.proto.ClientState_pb2 import ClientState
from streamlit.runtime.app_session import AppSession
from streamlit.runtime.pages_manager import PagesManager

log = logging.getLogger(__name__)
_started: weakref.WeakSet[AppSession] = weakref.WeakSet()
_lock = threading.Lock()
_installed = False


def prepare_for_reconnects() -> None:
    """Install both rules in this process (idempotent); before the server takes sessions."""
    global _installed
    with _lock:
        PagesManager.uses_pages_directory = False  # what modules/ui/main.py's st.navigation does
        if _installed:
            return
        original = AppSession.request_rerun

        def request_rerun(self: AppSession, client_state: ClientState | None) -> None:
            original(self, full_run_if_new(self, client_state))

        AppSession.request_rerun = request_rerun  # type: ignore[method-assign]
        _installed = True


def full_run_if_new(session: Any, client_state: ClientState | None) -> ClientState | None:
    """`client_state` without its fragment when `session` has not run yet and lacks it."""
    with _lock:
        new = session not in _started
        _started.add(session)
    if client_state is None or not new or not client_state.fragment_id:
        return client_state
    fragment = client_state.fragment_id
    if session.has_fragment(fragment):
        return client_state
    log.warning("a new session's first rerun named fragment %s: the whole page runs", fragment)
    full = ClientState()
    full.CopyFrom(client_state)
    full.fragment_id = ""
    return full
