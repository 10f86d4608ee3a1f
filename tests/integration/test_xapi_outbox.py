"""The xAPI outbox on SQLite and PostgreSQL, and its sender against a stand-in LRS on loopback.

The stand-in answers what a test tells it to (an outage, a refused statement, wrong
credentials) and counts every statement id posted to it, so "sent once" is checked where the
statements arrive. The real LRS (Ralph) is in test_xapi_ralph.py.
"""

from __future__ import annotations

import asyncio
import base64
import json
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from ralph.models.xapi.base.statements import BaseXapiStatement
from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session, sessionmaker

from modules.course.models import CourseContent
from modules.course.validation import validate_directory
from modules.services.actors import Actor
from modules.services.learning import LearningService
from modules.services.practice import Practice
from modules.services.uow import SqlUnitOfWork
from modules.services.xapi import StatementBuilder
from modules.services.xapi_outbox import ProgressReporter, forget
from modules.services.xapi_sender import Backoff, LrsClient, OutboxSender
from modules.settings import LrsSettings
from modules.web import lifespan
from progress import xapi_repo
from progress.__main__ import main
from progress.account_repo import create_user
from progress.database import session_factory
from progress.tables import UserRow, XapiOutboxRow
from tests.integration.conftest import add_user

VALID = Path(__file__).resolve().parents[1] / "data" / "valid"
HOME = "https://ally.example.org"
USER, PASSWORD = "ally", "lrs-secret"
LONG_AGO = datetime(2000, 1, 1, tzinfo=UTC)
PRIVATE = "Private words that stay in the app."


class StandInLrs:
    """POST /xAPI/statements with basic auth; `answer` picks each reply's status code."""

    def __init__(self) -> None:
        self.posted: list[str] = []  # every statement id received with a 2xx answer
        self.requests = 0
        self.answer: Callable[[list[dict[str, Any]]], int] = lambda batch: 200
        self._lock = threading.Lock()
        lrs = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - the http.server name
                body = self.rfile.read(int(self.headers["Content-Length"]))
                expected = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
                batch = json.loads(body)
                with lrs._lock:
                    lrs.requests += 1
                    ok = self.headers.get("Authorization") == f"Basic {expected}"
                    status = lrs.answer(batch) if ok else 401
                    if status in (200, 204):
                        lrs.posted += [s["id"] for s in batch]
                self.send_response(status)
                self.end_headers()
                self.wfile.write(b"[]" if status == 200 else b"")

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/xAPI"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def lrs() -> Iterator[StandInLrs]:
    server = StandInLrs()
    yield server
    server.close()


@pytest.fixture(scope="module")
def content() -> CourseContent:
    result = validate_directory(VALID)
    assert result.content is not None
    return result.content


@pytest.fixture
def sessions(engine: Engine) -> sessionmaker[Session]:
    return session_factory(engine)


@pytest.fixture
def learner(sessions: sessionmaker[Session]) -> Actor:
    with sessions.begin() as session:
        add_user(session, "admin@example.org")
        return Actor(add_user(session, "dev@example.org"), "Dev", frozenset({"learner"}))


def sender(
    sessions: sessionmaker[Session], lrs: StandInLrs, password: str = PASSWORD, **options: Any
) -> OutboxSender:
    client = LrsClient(LrsSettings(lrs.url, USER, password), timeout=5)
    options.setdefault("backoff", Backoff(first=0.01, most=0.02))
    return OutboxSender(sessions, client, **options)


def practice(sessions: sessionmaker[Session], content: CourseContent) -> Practice:
    reporter = ProgressReporter(content, StatementBuilder(HOME, content.course, content.modules))
    return Practice(LearningService(lambda: SqlUnitOfWork(sessions), content, reporter=reporter))


def complete_module(practice: Practice, actor: Actor) -> None:
    learning = practice.learning
    learning.complete_lesson(actor, "sample", "why")
    view = practice.scenario_view(actor, "sample", "rounds")
    for choice in ("thank", "plan", "follow"):
        view = practice.choose(actor, "sample", "rounds", view.attempt_id, view.position, choice)
    quiz = practice.quiz_view(actor, "sample", "check")
    practice.submit_quiz(actor, "sample", "check", quiz.attempt_id, {"q1": {"a"}, "q2": {"a", "c"}})
    learning.save_reflection(actor, "sample", "think", PRIVATE)
    learning.save_commitment(actor, "sample", "plan", "After rounds", "I ask", date(2099, 1, 1))


def rows(sessions: sessionmaker[Session]) -> list[XapiOutboxRow]:
    with sessions() as session:
        found = list(session.scalars(select(XapiOutboxRow).order_by(XapiOutboxRow.id)))
        session.expunge_all()
        return found


def drain(outbox_sender: OutboxSender) -> None:
    for _ in range(50):
        if not outbox_sender.send_batch().claimed:
            return
    raise AssertionError("the outbox never emptied")


def test_progress_is_queued_with_its_use_case_and_sent_once(
    sessions: sessionmaker[Session], content: CourseContent, learner: Actor, lrs: StandInLrs
) -> None:
    complete_module(practice(sessions, content), learner)
    queued = rows(sessions)
    assert len(queued) == 7  # lesson, scenario, quiz, reflection, plan, module, course
    assert {r.status for r in queued} == {"pending"} and all(
        r.user_id == learner.user_id for r in queued
    )
    drain(sender(sessions, lrs, batch_size=4))
    assert Counter(lrs.posted) == Counter({r.statement_id: 1 for r in queued})
    assert {r.status for r in rows(sessions)} == {"sent"}
    for statement in (r.statement for r in queued):
        BaseXapiStatement.model_validate(statement)


def test_a_block_that_raises_queues_nothing(
    sessions: sessionmaker[Session], learner: Actor
) -> None:
    statement = {"id": "2f1c3a9e-0000-5000-8000-000000000001", "verb": {}}
    with pytest.raises(RuntimeError), SqlUnitOfWork(sessions) as uow:
        assert uow.xapi.enqueue(learner.user_id, [statement]) == 1
        raise RuntimeError("the use case failed after queueing")
    assert rows(sessions) == []
    with SqlUnitOfWork(sessions) as uow:
        assert uow.xapi.enqueue(learner.user_id, [statement, statement]) == 1
        assert uow.xapi.enqueue(learner.user_id, [statement]) == 0
        assert uow.xapi.account(learner.user_id + 99) is None
        account = uow.xapi.account(learner.user_id)
    assert account is not None and len(account.opaque_name) == 32
    assert str(learner.user_id) != account.opaque_name


def test_the_opaque_name_is_stable_and_not_reused_by_a_later_account(
    sessions: sessionmaker[Session], learner: Actor
) -> None:
    with SqlUnitOfWork(sessions) as uow:
        first = uow.xapi.account(learner.user_id)
    with SqlUnitOfWork(sessions) as uow:
        assert uow.xapi.account(learner.user_id) == first
    with sessions.begin() as session:
        session.execute(delete(UserRow).where(UserRow.id == learner.user_id))
        again = add_user(session, "someone-else@example.org")
    with SqlUnitOfWork(sessions) as uow:
        later = uow.xapi.account(again)
    assert first is not None and later is not None and later.opaque_name != first.opaque_name


def test_two_senders_never_post_one_statement_twice(
    sessions: sessionmaker[Session], learner: Actor, lrs: StandInLrs
) -> None:
    statements = [{"id": f"00000000-0000-5000-8000-{n:012d}"} for n in range(120)]
    with SqlUnitOfWork(sessions) as uow:
        uow.xapi.enqueue(learner.user_id, statements)
    stop = threading.Event()
    senders = [sender(sessions, lrs, batch_size=7, idle_wait=0.01) for _ in range(2)]
    threads = [threading.Thread(target=s.run, args=(stop,)) for s in senders]
    for thread in threads:
        thread.start()
    try:
        deadline = time.monotonic() + 60
        while len(lrs.posted) < len(statements) and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        stop.set()
        for thread in threads:
            thread.join(10)
    assert Counter(lrs.posted) == Counter({s["id"]: 1 for s in statements})
    assert lrs.requests >= len(statements) / 7  # batches, not one request a statement
    assert {r.status for r in rows(sessions)} == {"sent"}


def test_an_outage_is_retried_with_backoff_and_loses_nothing(
    sessions: sessionmaker[Session], learner: Actor, lrs: StandInLrs
) -> None:
    statements = [{"id": f"00000000-0000-5000-8000-{n:012d}"} for n in range(3)]
    with SqlUnitOfWork(sessions) as uow:
        uow.xapi.enqueue(learner.user_id, statements)
    lrs.answer = lambda batch: 503
    outbox_sender = sender(sessions, lrs, backoff=Backoff(first=30, most=30))
    assert outbox_sender.send_batch().deferred == 3
    waiting = rows(sessions)
    assert {(r.status, r.attempts) for r in waiting} == {("pending", 1)}
    assert all("503" in (r.last_error or "") for r in waiting)
    assert outbox_sender.send_batch().claimed == 0  # backing off: not due yet
    with sessions.begin() as session:  # as if the back-off time had passed
        session.execute(XapiOutboxRow.__table__.update().values(available_at=LONG_AGO))
    lrs.answer = lambda batch: 200
    assert outbox_sender.send_batch().sent == 3
    assert Counter(lrs.posted) == Counter({s["id"]: 1 for s in statements})


def test_a_refused_statement_is_set_aside_and_the_others_still_go(
    sessions: sessionmaker[Session], learner: Actor, lrs: StandInLrs
) -> None:
    bad = "00000000-0000-5000-8000-00000000000b"
    statements = [{"id": f"00000000-0000-5000-8000-{n:012d}"} for n in range(4)]
    with SqlUnitOfWork(sessions) as uow:
        uow.xapi.enqueue(learner.user_id, [*statements[:2], {"id": bad}, *statements[2:]])
    lrs.answer = lambda batch: 400 if any(s["id"] == bad for s in batch) else 200
    outcome = sender(sessions, lrs).send_batch()
    assert (outcome.sent, outcome.rejected, outcome.deferred) == (4, 1, 0)
    assert sorted(lrs.posted) == sorted(s["id"] for s in statements)
    (refused,) = [r for r in rows(sessions) if r.status == "rejected"]
    assert refused.statement_id == bad and "400" in (refused.last_error or "")


def test_wrong_credentials_keep_every_statement(
    sessions: sessionmaker[Session], learner: Actor, lrs: StandInLrs
) -> None:
    with SqlUnitOfWork(sessions) as uow:
        uow.xapi.enqueue(learner.user_id, [{"id": "00000000-0000-5000-8000-000000000001"}])
    assert sender(sessions, lrs, password="wrong").send_batch().deferred == 1
    (row,) = rows(sessions)
    assert (row.status, lrs.posted) == ("pending", []) and "401" in (row.last_error or "")


def test_an_unreachable_lrs_defers(sessions: sessionmaker[Session], learner: Actor) -> None:
    with SqlUnitOfWork(sessions) as uow:
        uow.xapi.enqueue(learner.user_id, [{"id": "00000000-0000-5000-8000-000000000001"}])
    client = LrsClient(LrsSettings("http://127.0.0.1:9/xAPI", USER, PASSWORD), timeout=2)
    assert OutboxSender(sessions, client).send_batch().deferred == 1
    assert "unreachable" in (rows(sessions)[0].last_error or "")


def test_a_lease_that_ran_out_lets_another_sender_take_the_row(
    sessions: sessionmaker[Session], learner: Actor
) -> None:
    with SqlUnitOfWork(sessions) as uow:
        uow.xapi.enqueue(learner.user_id, [{"id": "00000000-0000-5000-8000-000000000001"}])
    with sessions.begin() as session:
        (held,) = xapi_repo.claim(session, "a" * 32, timedelta(minutes=2), 10)
        assert xapi_repo.claim(session, "b" * 32, timedelta(minutes=2), 10) == []
    with sessions.begin() as session:  # sender a died: its lease runs out
        session.execute(
            XapiOutboxRow.__table__.update().values(claimed_until=XapiOutboxRow.created_at)
        )
    with sessions.begin() as session:
        (taken,) = xapi_repo.claim(session, "b" * 32, timedelta(minutes=2), 10)
        xapi_repo.mark_sent(session, "a" * 32, [held.id])  # a's late answer changes nothing
    assert taken.id == held.id and rows(sessions)[0].status == "pending"


def test_forget_voids_what_reached_the_lrs_and_drops_the_rest(
    sessions: sessionmaker[Session], content: CourseContent, learner: Actor, lrs: StandInLrs
) -> None:
    complete_module(practice(sessions, content), learner)
    outbox_sender = sender(sessions, lrs, batch_size=2)
    outbox_sender.send_batch()  # two of seven reached the LRS
    sent = [r.statement_id for r in rows(sessions) if r.status == "sent"]
    assert len(sent) == 2
    with sessions.begin() as session:
        assert forget(session, learner.user_id) == 2
        session.execute(delete(UserRow).where(UserRow.id == learner.user_id))
    left = rows(sessions)
    assert [(r.user_id, r.statement["object"]["id"]) for r in left] == [(None, s) for s in sent]
    drain(outbox_sender)
    voids = lrs.posted[2:]
    assert len(voids) == 2 and set(voids) == {r.statement_id for r in left}


def test_the_cli_exports_json_lines_without_an_lrs(
    database_url: str,
    engine: Engine,
    sessions: sessionmaker[Session],
    content: CourseContent,
    learner: Actor,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    complete_module(Practice(LearningService(lambda: SqlUnitOfWork(sessions), content)), learner)
    assert rows(sessions) == []  # no LRS configured: nothing queued
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ALLY_DATABASE_URL", database_url)
    monkeypatch.setenv("ALLY_CONTENT_DIR", str(VALID))
    monkeypatch.setenv("ALLY_PUBLIC_URL", HOME)
    out = tmp_path / "statements.jsonl"
    assert main(["xapi", "export", "--since", "2020-01-01", "--output", str(out)]) == 0
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 7 and "7 statement(s)" in capsys.readouterr().err
    for line in lines:
        BaseXapiStatement.model_validate(json.loads(line))
    assert PRIVATE not in out.read_text(encoding="utf-8")
    assert main(["xapi", "export", "--since", "2999-01-01"]) == 0
    assert capsys.readouterr().out == ""
    assert main(["xapi", "export", "--since", "soon"]) == 2
    assert "--since" in capsys.readouterr().err
    assert main(["xapi", "status"]) == 0
    assert "0 pending, 0 sent, 0 rejected" in capsys.readouterr().out


def test_the_app_runs_one_sender_while_it_is_up(
    database_url: str,
    sessions: sessionmaker[Session],
    learner: Actor,
    lrs: StandInLrs,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    for key, value in {
        "ALLY_DATABASE_URL": database_url,
        "ALLY_CONTENT_DIR": str(VALID),
        "ALLY_LRS_URL": lrs.url,
        "ALLY_LRS_USERNAME": USER,
        "ALLY_LRS_PASSWORD": PASSWORD,
    }.items():
        monkeypatch.setenv(key, value)
    with SqlUnitOfWork(sessions) as uow:
        uow.xapi.enqueue(learner.user_id, [{"id": "00000000-0000-5000-8000-000000000001"}])

    def senders() -> list[threading.Thread]:
        return [t for t in threading.enumerate() if t.name == "xapi-sender" and t.is_alive()]

    async def serve() -> None:
        async with lifespan(None), lifespan(None):  # a second start in one process: one sender
            for _ in range(300):
                if lrs.posted:
                    break
                await asyncio.sleep(0.1)
            assert len(senders()) == 1

    asyncio.run(serve())
    assert lrs.posted == ["00000000-0000-5000-8000-000000000001"]
    assert senders() == []


def test_a_sample_cohorts_made_up_learner_is_never_reported(
    sessions: sessionmaker[Session], content: CourseContent, learner: Actor
) -> None:
    with sessions.begin() as session:
        made_up = create_user(
            session, "ann@sample.invalid", "Ann", None, roles=("learner",), synthetic=True
        ).id
    complete_module(practice(sessions, content), Actor(made_up, "Ann", frozenset({"learner"})))
    with SqlUnitOfWork(sessions) as uow:
        assert uow.xapi.account(made_up) is None
        assert uow.xapi.account(learner.user_id) is not None
    assert rows(sessions) == []
