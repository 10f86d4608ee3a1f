"""A page that reconnects to a new server process reruns in full, even from a fragment.

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

`rerun_lost_fragments_in_full()` (called by app.py) makes that first request of a new session,
if it names a fragment the session lacks, a full run with the same client state (page, query
string, widgets), so the page is rebuilt from the database where the learner was. The click
itself does not count (its callback was never registered in this process), so nothing is
recorded that the learner did not see confirmed. (app.py's other line for new processes,
`PagesManager.uses_pages_directory = False`, makes that full run go through main.py.)
"""

from __future__ import annotations

import logging
import threading
import weakref
from typing import Any

from streamlit.proto.ClientState_pb2 import ClientState
from streamlit.runtime.app_session import AppSession

from modules.web.once import once_per_process

log = logging.getLogger(__name__)
_started: weakref.WeakSet[AppSession] = weakref.WeakSet()
_lock = threading.Lock()


@once_per_process
def rerun_lost_fragments_in_full() -> None:
    """Install the rule in this process, before the server takes sessions."""
    original = AppSession.request_rerun

    def request_rerun(self: AppSession, client_state: ClientState | None) -> None:
        original(self, full_run_if_new(self, client_state))

    AppSession.request_rerun = request_rerun  # type: ignore[method-assign]


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
