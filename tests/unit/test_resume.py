"""modules/web/resume.py: a new session's first rerun of a fragment it lacks becomes a whole
run with the same client state; every other request passes unchanged."""

from __future__ import annotations

from streamlit.proto.ClientState_pb2 import ClientState

from modules.web.resume import full_run_if_new
from tests.child_process import printed_by


class Session:
    """Stands in for AppSession: which fragments it holds."""

    def __init__(self, *fragments: str) -> None:
        self.fragments = set(fragments)

    def has_fragment(self, fragment_id: str) -> bool:
        return fragment_id in self.fragments


def click(fragment: str = "scenario") -> ClientState:
    state = ClientState(fragment_id=fragment, query_string="module=m&step=s", page_name="player")
    state.page_script_hash = "abc"
    return state


def test_a_new_sessions_lost_fragment_becomes_a_whole_run_of_the_same_page() -> None:
    sent = click()
    run = full_run_if_new(Session(), sent)
    assert run is not None and run is not sent
    assert run.fragment_id == ""
    assert (run.query_string, run.page_name, run.page_script_hash) == (
        "module=m&step=s",
        "player",
        "abc",
    )
    assert sent.fragment_id == "scenario", "the request itself is not changed"


def test_a_fragment_the_session_holds_reruns_as_asked() -> None:
    sent = click()
    assert full_run_if_new(Session("scenario"), sent) is sent


def test_only_the_first_request_of_a_session_is_changed() -> None:
    session = Session()
    assert full_run_if_new(session, ClientState(query_string="x")) is not None  # a whole run
    later = click()
    assert full_run_if_new(session, later) is later  # Streamlit's own rule from here on


def test_whole_runs_and_empty_requests_pass_unchanged() -> None:
    whole = ClientState(query_string="module=m")
    assert full_run_if_new(Session(), whole) is whole
    assert full_run_if_new(Session(), None) is None


def test_the_app_installs_the_rule_once_for_its_process() -> None:
    # In a child process: installing changes Streamlit for the whole process.
    probe = (
        "from streamlit.runtime.app_session import AppSession\n"
        "original = AppSession.request_rerun\n"
        "import app\n"
        "wrapped = AppSession.request_rerun\n"
        "from modules.web.resume import rerun_lost_fragments_in_full\n"
        "rerun_lost_fragments_in_full()\n"
        "print(wrapped is not original, AppSession.request_rerun is wrapped)\n"
    )
    assert printed_by(probe) == ["True", "True"]
