"""Two replicas behind nginx on one PostgreSQL, as the README's production recipe runs them.

A learner in Chromium signs in through nginx and plays a scenario; the replica holding his
websocket is killed with SIGKILL mid-scenario; the page reconnects through nginx to the other
replica and resumes at the same node with every earlier choice, and he plays on to the ending.
The page and the database are both checked: nothing lost, nothing twice, no traceback.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from deploy.cluster import Cluster, nginx_binary
from modules.course.models import Choice, Decision, Scenario
from modules.course.scenarios import best_path
from modules.course.validation import validate_directory
from modules.settings import load_settings
from progress.database import make_engine
from tests.integration.conftest import fresh_postgres_schema

from .conftest import DESKTOP, skip_reason, wait_for_app

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]

ROOT = Path(__file__).resolve().parents[2]
MODULE = "gender-humility"
EMAIL = "two.replicas@example.org"
PASSWORD = "two replicas password 2026"
BEFORE_THE_CRASH = 2  # choices made on the first replica; the rest on the second
# Two replicas, nginx, PostgreSQL and Chromium share two cores with whatever else runs: a
# sign-up's password hash alone took 24 s under such load. Patience, not a timing assertion.
PATIENCE_MS = 90_000


def settle(page: Any) -> None:
    wait_for_app(page, PATIENCE_MS)


def why_skipped() -> str | None:
    if nginx_binary() is None:
        return "nginx is not installed (apt-get install nginx): the replicas test skipped"
    if not os.environ.get("ALLY_TEST_DATABASE_URL"):
        return "ALLY_TEST_DATABASE_URL is not set: replicas need PostgreSQL, test skipped"
    return skip_reason()


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[Cluster]:
    reason = why_skipped()
    if reason:
        pytest.skip(reason)
    with fresh_postgres_schema(os.environ["ALLY_TEST_DATABASE_URL"]) as url:
        env = {"ALLY_DATABASE_URL": url, "ALLY_ALLOW_SIGNUP": "true"}
        with Cluster(2, env=env, log_dir=tmp_path, start_timeout=PATIENCE_MS / 500) as running:
            # the first account becomes administrator: take it, so the learner is only that
            subprocess.run(
                [sys.executable, "-m", "progress", "create-user", "admin@example.org"]
                + ["--name", "The Administrator"],
                input=b"administrator password 2026\n",
                cwd=ROOT,
                env=running.env,
                check=True,
                timeout=PATIENCE_MS / 1000 * 2,  # an argon2id hash, on a loaded machine
            )
            yield running


def scenario() -> Scenario:
    """The module's first scenario whose best path leaves decisions for after the crash."""
    content = validate_directory(ROOT / "content").content
    assert content is not None
    for step in content.modules[MODULE].steps:
        if isinstance(step, Scenario) and len(best_path(step).steps) > BEFORE_THE_CRASH:
            return step
    raise AssertionError(f"{MODULE} has no scenario longer than {BEFORE_THE_CRASH} decisions")


def main(page: Any) -> Any:
    return page.get_by_test_id("stMain")


def choose(page: Any, choice: Choice) -> None:
    """Pick the option by its text, a button or a radio, then "Choose" where there is one."""
    wording = choice.text[:40]
    option = main(page).locator("button, [role='radiogroup'] label").filter(has_text=wording)
    option.first.click()
    confirm = main(page).get_by_role("button", name="Choose", exact=True)
    if confirm.count():
        confirm.click()
    settle(page)
    main(page).get_by_text(choice.feedback.split("\n")[0][:40]).first.wait_for()


def stored_path(url: str, email: str) -> list[tuple[int, str, str, int]]:
    """(position, node, choice, attempt) of every choice the learner has stored."""
    engine = make_engine(load_settings({"ALLY_DATABASE_URL": url}).database_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text(
                    "SELECT c.position, c.node_id, c.choice_id, a.id FROM scenario_choices c"
                    " JOIN scenario_attempts a ON a.id = c.attempt_id"
                    " JOIN users u ON u.id = a.user_id WHERE u.email = :email AND NOT a.is_preview"
                    " ORDER BY a.id, c.position"
                ),
                {"email": email},
            ).all()
    finally:
        engine.dispose()
    return [(row[0], row[1], row[2], row[3]) for row in rows]


def until(condition: Callable[[], bool], what: str, timeout_s: float = 90) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout_s:.0f} s: {what}")
        time.sleep(0.1)


def holder(cluster: Cluster) -> int:
    """The one replica holding websockets (nginx keeps no other connection open)."""
    counts = cluster.websockets()
    assert sorted(counts) == [0, 1], f"one websocket on one replica expected: {counts}"
    return counts.index(1)


def sign_up(page: Any) -> None:
    page.goto("/auth/signup")
    page.get_by_label("Email address").fill(EMAIL)
    page.get_by_label("Your name").fill("Two Replicas")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url("**/")
    settle(page)


def assert_no_traceback(page: Any) -> None:
    assert page.get_by_test_id("stException").count() == 0
    assert "Traceback" not in page.inner_text("body")


def assert_the_whole_app(page: Any) -> None:
    """The page ran through modules/ui/main.py: its navigation and who is signed in."""
    sidebar = page.get_by_test_id("stSidebar")
    sidebar.get_by_text("Signed in as").first.wait_for()
    sidebar.get_by_text("Home", exact=True).first.wait_for()
    assert sidebar.get_by_text("landing", exact=True).count() == 0, "pages/ listed as files"


def expected(step: Scenario, count: int) -> list[tuple[int, str, str]]:
    steps = best_path(step).steps[:count]
    return [(number, taken.node.id, taken.choice.id) for number, taken in enumerate(steps)]


def choices_of(cluster: Cluster) -> list[tuple[int, str, str]]:
    return [(p, n, c) for p, n, c, _ in stored_path(cluster.env["ALLY_DATABASE_URL"], EMAIL)]


class Runs:
    """The whole-page runs each websocket of a page has finished (from the protobufs it got)."""

    def __init__(self, page: Any) -> None:
        self.finished: list[int] = []  # per websocket, in the order the page opened them
        page.on("websocket", self._opened)

    def _opened(self, websocket: Any) -> None:
        index = len(self.finished)
        self.finished.append(0)
        websocket.on("framereceived", lambda payload: self._received(index, payload))

    def _received(self, index: int, payload: bytes | str) -> None:
        if isinstance(payload, str):
            return
        message = ForwardMsg()
        message.ParseFromString(payload)
        if message.WhichOneof("type") == "script_finished" and message.script_finished == (
            ForwardMsg.ScriptFinishedStatus.FINISHED_SUCCESSFULLY
        ):
            self.finished[index] += 1

    def wait_for_a_whole_run_on_a_new_websocket(self, page: Any, opened_before: int) -> None:
        deadline = time.monotonic() + PATIENCE_MS / 1000
        while len(self.finished) <= opened_before or not self.finished[-1]:
            assert time.monotonic() < deadline, f"no whole run after reconnecting: {self.finished}"
            page.wait_for_timeout(100)  # lets Playwright deliver the frames


def crash_the_holder(cluster: Cluster) -> int:
    """SIGKILL the replica holding the page's websocket; the other's index once it holds it."""
    first = holder(cluster)
    mine = f"127.0.0.1:{cluster.replica_ports[first]}"
    pages = [tried for request, tried in cluster.upstreams() if "/player" in request]
    assert pages and all(tried == [mine] for tried in pages), f"not sticky: {pages}"
    cluster.kill(first)
    other = 1 - first
    until(lambda: cluster.websockets()[other] == 1, "the page reconnects to the other replica")
    return other


@pytest.fixture
def page(cluster: Cluster, browser: Any) -> Iterator[Any]:
    context = browser.new_context(base_url=cluster.url, viewport=DESKTOP)
    context.set_default_timeout(PATIENCE_MS)
    yield context.new_page()
    context.close()


def test_a_crashed_replicas_learner_resumes_on_the_other(page: Any, cluster: Cluster) -> None:
    step = scenario()
    path = [taken.choice for taken in best_path(step).steps]
    runs = Runs(page)
    sign_up(page)
    page.goto(f"/player?module={MODULE}&step={step.id}")
    settle(page)
    for choice in path[:BEFORE_THE_CRASH]:
        choose(page, choice)
    assert choices_of(cluster) == expected(step, BEFORE_THE_CRASH)

    names = {f"replica-{port}" for port in cluster.replica_ports}
    nginx = {"nginx", "nginx-worker", "nginx-cache-manager"}  # and the loader, for a minute
    assert names | nginx <= set(cluster.pids()) <= names | nginx | {"nginx-cache-loader"}
    assert all(cluster.cpu_seconds()[name] > 0 for name in names)
    opened = len(runs.finished)
    other = crash_the_holder(cluster)
    survivor = f"replica-{cluster.replica_ports[other]}"
    assert {survivor} | nginx <= set(cluster.pids()) <= {survivor, "nginx-cache-loader"} | nginx
    # its last run was a fragment's, so the page asks the other replica for a whole run
    runs.wait_for_a_whole_run_on_a_new_websocket(page, opened)
    settle(page)
    assert_the_whole_app(page)
    resumed = step.node(path[BEFORE_THE_CRASH - 1].next)
    assert isinstance(resumed, Decision)
    main(page).get_by_text(resumed.text.split("\n")[0][:40]).first.wait_for()
    assert_no_traceback(page)
    assert choices_of(cluster) == expected(step, BEFORE_THE_CRASH)

    for choice in path[BEFORE_THE_CRASH:]:  # each one accepted by the other replica
        choose(page, choice)
        assert_the_whole_app(page)
    main(page).get_by_text("How it ends: the best outcome").wait_for()
    for choice in path:  # the path the other replica shows holds the choices made on both
        main(page).get_by_text(choice.text[:40]).first.wait_for()
    assert_no_traceback(page)
    assert cluster.alive() == [index == other for index in range(2)]
    assert cluster.websockets()[other] == 1
    stored = stored_path(cluster.env["ALLY_DATABASE_URL"], EMAIL)
    assert [(p, n, c) for p, n, c, _ in stored] == expected(step, len(path))
    assert len({attempt for *_, attempt in stored}) == 1, "one attempt, resumed, not restarted"
    assert cluster.log_problems() == []


def test_a_click_after_a_crash_reopens_the_page_and_counts_nothing(
    page: Any, cluster: Cluster
) -> None:
    """The page's last run was a whole one (a reload), so it does not rerun on reconnecting:
    its first click, inside the scenario's fragment, reaches a session that never ran."""
    step = scenario()
    path = [taken.choice for taken in best_path(step).steps]
    runs = Runs(page)
    sign_up(page)
    page.goto(f"/player?module={MODULE}&step={step.id}")
    settle(page)
    choose(page, path[0])
    page.reload()
    settle(page)
    opened = len(runs.finished)
    crash_the_holder(cluster)
    settle(page)

    option = main(page).locator("button, [role='radiogroup'] label")
    option.filter(has_text=path[1].text[:40]).first.click()
    # the whole page ran on the other replica: the click was not lost in a missing fragment
    runs.wait_for_a_whole_run_on_a_new_websocket(page, opened)
    settle(page)
    assert_the_whole_app(page)
    after_first = step.node(path[0].next)
    assert isinstance(after_first, Decision)
    main(page).get_by_text(after_first.text.split("\n")[0][:40]).first.wait_for()
    assert choices_of(cluster) == expected(step, 1), "a click not confirmed is not recorded"

    choose(page, path[1])  # the page is live again: the next click counts, once
    assert choices_of(cluster) == expected(step, 2)
    assert_no_traceback(page)
    assert cluster.log_problems() == []
