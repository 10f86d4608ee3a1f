"""A real LRS on loopback: Ralph (the LRS Open edX uses), in a virtual environment of its own.

Ralph's `lrs` extra pins FastAPI 0.114 and Starlette below 0.39, which Streamlit 1.67 cannot
share, so it lives in its own venv (.ci/run builds it at ~/.cache/ally/ralph-venv, or name one
in ALLY_RALPH_VENV). The statements must arrive exactly once, also when the LRS is stopped
mid-stream and started again.

`ralph runserver -b fs` (5.1.0, and 4.x and 5.0 alike) keeps every statement in one file that
it writes with operation INDEX, which refuses a file that exists: the first POST is stored and
every later one fails with 500 (test_ralph_runserver_keeps_only_its_first_post shows it). So
the LRS here is Ralph's own ASGI app and fs backend, served by uvicorn, with that one backend
set to append; when the first test below fails, Ralph has fixed it and `ralph runserver` can
serve these tests as it is.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session, sessionmaker

from modules.course.models import CourseContent
from modules.course.validation import validate_directory
from modules.services.actors import Actor
from modules.services.learning import LearningService
from modules.services.practice import Practice
from modules.services.uow import SqlUnitOfWork
from modules.services.xapi import StatementBuilder
from modules.services.xapi_outbox import ProgressReporter, forget
from modules.services.xapi_sender import Backoff, LrsClient, OutboxSender, SenderThread
from modules.settings import LrsSettings
from progress.database import make_engine, session_factory
from progress.migrate import upgrade_to_head
from progress.tables import XapiOutboxRow
from progress.xapi_repo import XapiAccount
from tests.integration.conftest import add_user, fresh_postgres_schema

ROOT = Path(__file__).resolve().parents[2]
VENV = Path(os.environ.get("ALLY_RALPH_VENV") or Path.home() / ".cache/ally/ralph-venv")
RALPH = VENV / "bin" / "ralph"
USER, PASSWORD = "ally-lrs", "a-long-test-password"
HOME = "https://ally.example.org"
VALID = ROOT / "tests" / "data" / "valid"
NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
LAUNCH = """
import sys, uvicorn
from ralph.backends.data.base import BaseOperationType
from ralph.backends.lrs.fs import FSLRSBackend
FSLRSBackend.default_operation_type = BaseOperationType.APPEND  # see the module's docstring
uvicorn.run("ralph.api:app", host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
"""
STARTUP = 120  # seconds: Ralph imports FastAPI, pydantic models and more on a busy machine

pytestmark = pytest.mark.skipif(
    not RALPH.exists(),
    reason=f"no Ralph LRS at {VENV}: python3 -m venv {VENV} && {VENV}/bin/pip install"
    " 'ralph-malph[cli,lrs]' requests (.ci/run does it)",
)


class Ralph:
    """`ralph runserver -b fs` on a free loopback port, started and stopped by the test."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self.data = home / "statements"
        self.data.mkdir(parents=True)
        self.cwd = home / "cwd"  # runserver's reloader watches its working directory
        self.cwd.mkdir()
        self.env = {
            **os.environ,
            "HOME": str(home),  # auth.json goes to $HOME/.config/ralph
            "RALPH_RUNSERVER_BACKEND": "fs",
            "RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH": str(self.data),
        }
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/xAPI"
        self.process: subprocess.Popen[bytes] | None = None
        self.log = home / "ralph.log"
        auth = [str(RALPH), "auth", "-u", USER, "-p", PASSWORD, "-s", "all", "-A", USER, HOME, "-w"]
        subprocess.run(auth, env=self.env, cwd=self.cwd, check=True, capture_output=True)

    def start(self, *, as_issued: bool = False) -> None:
        """Serve the LRS; `as_issued`: through `ralph runserver` exactly as the issue gives it."""
        command = [str(VENV / "bin" / "python"), "-c", LAUNCH, str(self.port)]
        if as_issued:
            command = [
                str(RALPH), "runserver", "-b", "fs", "--fs-default-directory-path",
                str(self.data), "-h", "127.0.0.1", "-p", str(self.port),
            ]  # fmt: skip
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                command, env=self.env, cwd=self.cwd, stdout=log, stderr=log, start_new_session=True
            )
        deadline = time.monotonic() + STARTUP
        while time.monotonic() < deadline:
            if self.status(PASSWORD) == 200:
                return
            time.sleep(0.5)
        self.stop()
        raise AssertionError(f"Ralph did not start: {self.log.read_text()[-2000:]}")

    def stop(self) -> None:
        if self.process is None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)  # the reloader and its server process
        try:
            self.process.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)
        self.process = None
        while self.status(PASSWORD) is not None:  # the port answers no more
            time.sleep(0.2)

    def _get(self, password: str) -> urllib.request.Request:
        token = base64.b64encode(f"{USER}:{password}".encode()).decode()
        return urllib.request.Request(
            f"{self.url}/statements?limit=500",
            headers={"Authorization": f"Basic {token}", "X-Experience-API-Version": "1.0.3"},
        )

    def status(self, password: str) -> int | None:
        try:
            with urllib.request.urlopen(self._get(password), timeout=5) as response:
                return int(response.status)
        except urllib.error.HTTPError as error:
            return error.code
        except OSError:
            return None

    def statements(self) -> list[dict[str, Any]]:
        with urllib.request.urlopen(self._get(PASSWORD), timeout=10) as response:
            found: list[dict[str, Any]] = json.load(response)["statements"]
            return found


@pytest.fixture
def ralph(tmp_path: Path) -> Iterator[Ralph]:
    server = Ralph(tmp_path / "ralph-home")
    server.start()
    yield server
    server.stop()


def complete_module(practice: Practice, actor: Actor) -> None:
    learning = practice.learning
    learning.complete_lesson(actor, "sample", "why")
    view = practice.scenario_view(actor, "sample", "rounds")
    for choice in ("thank", "plan", "follow"):
        view = practice.choose(actor, "sample", "rounds", view.attempt_id, view.position, choice)
    quiz = practice.quiz_view(actor, "sample", "check")
    practice.submit_quiz(actor, "sample", "check", quiz.attempt_id, {"q1": {"b"}, "q2": {"b"}})
    quiz = practice.retry_quiz(actor, "sample", "check")
    practice.submit_quiz(actor, "sample", "check", quiz.attempt_id, {"q1": {"a"}, "q2": {"a", "c"}})
    learning.save_reflection(actor, "sample", "think", "Words that stay in the app.")
    learning.save_commitment(actor, "sample", "plan", "After rounds", "I ask", date(2099, 1, 1))


def outbox(sessions: sessionmaker[Session]) -> list[tuple[str, str, int]]:
    with sessions() as session:
        query = select(XapiOutboxRow.statement_id, XapiOutboxRow.status, XapiOutboxRow.attempts)
        return [(sid, status, attempts) for sid, status, attempts in session.execute(query)]


def wait_for(condition: Any, what: str, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    """One database, PostgreSQL when the tests have one: Ralph starts three times a run, and
    the outbox's behaviour on both databases is test_xapi_outbox.py's."""
    server = os.environ.get("ALLY_TEST_DATABASE_URL")
    with contextlib.ExitStack() as stack:
        url = (
            stack.enter_context(fresh_postgres_schema(server))
            if server
            else f"sqlite:///{tmp_path / 'ally.db'}"
        )
        made = make_engine(url)
        upgrade_to_head(made)
        yield made
        made.dispose()


def test_statements_reach_ralph_exactly_once_across_an_lrs_restart(
    engine: Engine, ralph: Ralph
) -> None:
    content = validate_directory(VALID).content
    assert isinstance(content, CourseContent)
    sessions = session_factory(engine)
    with sessions.begin() as session:
        add_user(session, "admin@example.org")
        dev, sam = (add_user(session, f"{n}@example.org") for n in ("dev", "sam"))
    builder = StatementBuilder(HOME, content.course, content.modules)
    reporter = ProgressReporter(content, builder)
    practice = Practice(
        LearningService(lambda: SqlUnitOfWork(sessions), content, reporter=reporter)
    )
    client = LrsClient(LrsSettings(ralph.url, USER, PASSWORD), timeout=5)
    sender = OutboxSender(
        sessions, client, batch_size=3, idle_wait=0.1, backoff=Backoff(first=0.2, most=1.0)
    )
    wrong = LrsClient(LrsSettings(ralph.url, USER, "not-the-password"), timeout=5)
    assert wrong.post([{"id": "x"}])[0] == 401

    thread = SenderThread(sender).start()
    try:
        complete_module(practice, Actor(dev, "Dev", frozenset({"learner"})))
        wait_for(lambda: {s for _, s, _ in outbox(sessions)} == {"sent"}, "the first learner")
        ralph.stop()  # mid-stream: the second learner's statements find no LRS
        complete_module(practice, Actor(sam, "Sam", frozenset({"learner"})))
        wait_for(
            lambda: any(a > 0 and s == "pending" for _, s, a in outbox(sessions)),
            "a failed attempt while the LRS is down",
        )
        ralph.start()
        wait_for(lambda: {s for _, s, _ in outbox(sessions)} == {"sent"}, "the backlog")
    finally:
        thread.stop()
    queued = outbox(sessions)
    assert (
        len(queued) == 16
    )  # 8 each: lesson, scenario, 2 quizzes, reflection, plan, module, course
    assert any(attempts > 1 for _, _, attempts in queued)  # some were retried
    in_lrs = Counter(s["id"] for s in ralph.statements())
    assert in_lrs == Counter({sid: 1 for sid, _, _ in queued})

    # A response lost on the way back: the row is posted again, and the LRS keeps one.
    with sessions.begin() as session:
        session.execute(update(XapiOutboxRow).values(status="pending", sent_at=None))
    while sender.send_batch().claimed:
        pass
    assert Counter(s["id"] for s in ralph.statements()) == in_lrs

    # Deleting the account voids what the LRS holds of him.
    with sessions.begin() as session:
        assert forget(session, dev) == 8
    while sender.send_batch().claimed:
        pass
    assert {s for _, s, _ in outbox(sessions)} == {"sent"}
    stored = {s["id"]: s for s in ralph.statements()}
    voids = [s for s in stored.values() if s["verb"]["id"].endswith("/voided")]
    assert len(voids) == 8
    for statement in stored.values():  # as Ralph stored them: no private text
        assert "Words that stay" not in json.dumps(statement)


def test_ralph_runserver_keeps_only_its_first_post(tmp_path: Path) -> None:
    """Why the tests above serve Ralph through uvicorn: see the module's docstring."""
    content = validate_directory(VALID).content
    assert isinstance(content, CourseContent)
    builder = StatementBuilder(HOME, content.course, content.modules)
    account = XapiAccount(1, "opaque", "dev@example.org")
    first, second = (builder.module_completed(account, m, NOW) for m in ("sample", "other"))
    server = Ralph(tmp_path / "ralph-home")
    server.start(as_issued=True)
    try:
        client = LrsClient(LrsSettings(server.url, USER, PASSWORD), timeout=10)
        assert client.post([first])[0] == 200
        assert client.post([first])[0] == 204  # the same id again: stored once
        status, answer = client.post([second])
        assert (status, "indexation failed" in answer) == (500, True)
        wrong = LrsClient(LrsSettings(server.url, USER, "not-the-password"), timeout=10)
        assert wrong.post([second])[0] == 401
        assert [s["id"] for s in server.statements()] == [first["id"]]
    finally:
        server.stop()
