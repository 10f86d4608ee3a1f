"""One contract for every unit of work: the fake the unit tests use, and SQL on SQLite and
PostgreSQL. A rule the fake keeps and the database does not (or the other way round) fails
here, so the service tests on the fake cannot drift from production.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from modules.services.errors import DATABASE_DOWN, StorageUnavailable
from modules.services.uow import SqlUnitOfWork, UnitOfWork
from progress import account_repo, auth_repo
from progress.database import make_engine, session_factory
from progress.errors import AttemptFinished, RecordNotFound
from progress.migrate import upgrade_to_head
from progress.step_repo import StepRef
from tests.fakes import FakeUnitOfWork
from tests.integration.conftest import POSTGRES_UNSET, fresh_postgres_schema

LESSON = StepRef("ally", "m1", "why")
SCENARIO = StepRef("ally", "m1", "rounds")
QUIZ = StepRef("ally", "m1", "check")
NOTE = StepRef("ally", "m1", "think")
PLAN = StepRef("ally", "m1", "plan")
SURVEY = StepRef("ally", "self", "habits")


@dataclass
class Storage:
    """A unit-of-work factory, and the account-side set-up a test needs around it."""

    uow: Callable[[], UnitOfWork]
    add_user: Callable[[frozenset[str]], int]
    sign_in: Callable[[int], str]  # a live browser session's hash
    sign_out: Callable[[str], None]


def _fake() -> Storage:
    fake = FakeUnitOfWork()
    ids = iter(range(1, 1000))

    def add_user(roles: frozenset[str]) -> int:
        user_id = next(ids)
        fake.people.roles[user_id] = roles
        return user_id

    def sign_in(user_id: int) -> str:
        fake.people.sessions[f"hash-{user_id}"] = user_id
        return f"hash-{user_id}"

    return Storage(fake, add_user, sign_in, lambda h: fake.people.sessions.pop(h, None) and None)


def _sql(url: str) -> Iterator[Storage]:
    engine = make_engine(url)
    upgrade_to_head(engine)
    sessions = session_factory(engine)
    count = iter(range(1, 1000))

    def add_user(roles: frozenset[str]) -> int:
        with sessions.begin() as s:
            user = account_repo.create_user(
                s, f"p{next(count)}@example.org", "P", None, roles=roles
            )
            return user.id

    def sign_in(user_id: int) -> str:
        with sessions.begin() as s:
            return auth_repo.token_hash(auth_repo.start_auth_session(s, user_id).token)

    def sign_out(session_hash: str) -> None:
        with sessions.begin() as s:
            for row in s.query(auth_repo.AuthSessionRow).filter_by(id_hash=session_hash):
                s.delete(row)

    add_user(frozenset({"learner"}))  # the first account becomes administrator: not a learner
    yield Storage(lambda: SqlUnitOfWork(sessions), add_user, sign_in, sign_out)
    engine.dispose()


@pytest.fixture(params=["fake", "sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def storage(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Storage]:
    if request.param == "fake":
        yield _fake()
    elif request.param == "sqlite":
        yield from _sql(f"sqlite:///{tmp_path / 'ally.db'}")
    else:
        server = os.environ.get("ALLY_TEST_DATABASE_URL")
        if not server:
            pytest.skip(POSTGRES_UNSET)
        with fresh_postgres_schema(server) as url:
            yield from _sql(url)


@pytest.fixture
def learner(storage: Storage) -> int:
    return storage.add_user(frozenset({"learner"}))


class Boom(Exception):
    pass


def test_a_block_that_raises_keeps_none_of_its_writes(storage: Storage, learner: int) -> None:
    with pytest.raises(Boom), storage.uow() as uow:
        uow.learning.mark_completed(learner, LESSON, "v1", False)
        uow.learning.save_reflection(learner, NOTE, "kept?", "v1", False)
        raise Boom
    with storage.uow() as uow:
        record = uow.learning.learner_record(learner, "ally", None, False)
    assert (record.steps, record.reflections) == ([], [])


def test_a_step_completes_once_and_keeps_its_first_version(storage: Storage, learner: int) -> None:
    with storage.uow() as uow:
        uow.learning.mark_started(learner, LESSON, "v1", False)
        uow.learning.mark_completed(learner, LESSON, "v2", False)
    with storage.uow() as uow:
        uow.learning.mark_completed(learner, LESSON, "v3", False)
        uow.learning.mark_started(learner, LESSON, "v4", False)
        (step,) = uow.learning.learner_record(learner, "ally", None, False).steps
        assert uow.learning.completed_steps(learner, "ally", "m1", False) == {"why"}
    assert (step.status, step.content_version) == ("completed", "v2")


def test_a_choice_is_recorded_once_per_position_and_only_by_its_owner(
    storage: Storage, learner: int
) -> None:
    other = storage.add_user(frozenset({"learner"}))
    with storage.uow() as uow:
        attempt = uow.learning.start_scenario(learner, SCENARIO, "v1", 7, False)
        first = uow.learning.record_choice(learner, attempt.id, 0, "start", "thank", "best")
        again = uow.learning.record_choice(learner, attempt.id, 0, "start", "defend", "poor")
    assert (first.choice_id, again.choice_id) == ("thank", "thank")
    with pytest.raises(RecordNotFound), storage.uow() as uow:
        uow.learning.record_choice(other, attempt.id, 1, "second", "plan", "best")
    with storage.uow() as uow:
        uow.learning.finish_scenario(learner, attempt.id, "good-end", 1.0)
        uow.learning.finish_scenario(learner, attempt.id, "other-end", 0.0)
    with pytest.raises(AttemptFinished), storage.uow() as uow:
        uow.learning.record_choice(learner, attempt.id, 1, "second", "plan", "best")
    with storage.uow() as uow:
        progress = uow.learning.scenario_progress(learner, SCENARIO, False)
    stored = progress.latest
    assert stored is not None and progress.earlier_scores == ()
    assert [c.choice_id for c in stored.choices] == ["thank"]
    assert (stored.ending_node_id, stored.score) == ("good-end", 1.0)


def test_a_path_is_extended_only_at_its_end_in_the_learners_latest_open_attempt(
    storage: Storage, learner: int
) -> None:
    other = storage.add_user(frozenset({"learner"}))
    with storage.uow() as uow:
        older = uow.learning.start_scenario(learner, SCENARIO, "v1", 1, False)
        attempt = uow.learning.start_scenario(learner, SCENARIO, "v1", 2, False)
        extend = uow.learning.extend_latest_path
        assert extend(learner, SCENARIO, False, attempt.id, 0, "start", "thank", "best")
        refused = [
            extend(learner, SCENARIO, False, attempt.id, 0, "start", "defend", "poor"),  # taken
            extend(learner, SCENARIO, False, attempt.id, 2, "third", "skip", "okay"),  # a gap
            extend(learner, SCENARIO, False, older.id, 0, "start", "old", "okay"),  # not latest
            extend(other, SCENARIO, False, attempt.id, 1, "second", "mine", "okay"),  # not his
            extend(learner, SCENARIO, True, attempt.id, 1, "second", "preview", "okay"),
            extend(learner, QUIZ, False, attempt.id, 1, "second", "quiz", "okay"),  # not its step
        ]
        assert refused == [None] * len(refused)
        second = extend(learner, SCENARIO, False, attempt.id, 1, "second", "plan", "okay")
        assert second is not None and (second.position, second.choice_id) == (1, "plan")
        uow.learning.finish_scenario(learner, attempt.id, "good-end", 1.0)
        assert extend(learner, SCENARIO, False, attempt.id, 2, "third", "late", "okay") is None
    with storage.uow() as uow:
        latest = uow.learning.scenario_progress(learner, SCENARIO, False).latest
    assert latest is not None
    assert [(c.node_id, c.choice_id, c.quality) for c in latest.choices] == [
        ("start", "thank", "best"),
        ("second", "plan", "okay"),
    ]


def test_a_path_extended_in_a_session_is_extended_only_while_that_session_is_his_and_live(
    storage: Storage, learner: int
) -> None:
    other = storage.add_user(frozenset({"learner"}))
    mine, theirs = storage.sign_in(learner), storage.sign_in(other)
    with storage.uow() as uow:
        attempt = uow.learning.start_scenario(learner, SCENARIO, "v1", 1, False)

    def extend(position: int, choice_id: str, in_session: str) -> object:
        with storage.uow() as uow:
            return uow.learning.extend_latest_path(
                learner, SCENARIO, False, attempt.id, position, "n", choice_id, "okay", in_session
            )

    assert extend(0, "someone-elses-session", theirs) is None
    assert extend(0, "no-such-session", "hash-of-nothing") is None
    assert extend(0, "in-his-session", mine) is not None
    storage.sign_out(mine)
    assert extend(1, "after-sign-out", mine) is None
    with storage.uow() as uow:
        latest = uow.learning.scenario_progress(learner, SCENARIO, False).latest
    assert latest is not None and [c.choice_id for c in latest.choices] == ["in-his-session"]


def test_scenario_progress_is_the_latest_path_and_the_earlier_scores(
    storage: Storage, learner: int
) -> None:
    other = storage.add_user(frozenset({"learner"}))
    with storage.uow() as uow:
        assert uow.learning.scenario_progress(learner, SCENARIO, False).latest is None
        first = uow.learning.start_scenario(learner, SCENARIO, "v1", 1, False)
        uow.learning.record_choice(learner, first.id, 0, "start", "defend", "poor")
        uow.learning.finish_scenario(learner, first.id, "bad-end", 0.25)
        unfinished = uow.learning.start_scenario(learner, SCENARIO, "v1", 2, False)
        third = uow.learning.start_scenario(learner, SCENARIO, "v1", 3, False)
        uow.learning.record_choice(learner, third.id, 0, "start", "thank", "best")
        uow.learning.start_scenario(other, SCENARIO, "v1", 4, False)  # someone else's
        uow.learning.start_scenario(learner, SCENARIO, "v1", 5, True)  # a preview
    with storage.uow() as uow:
        progress = uow.learning.scenario_progress(learner, SCENARIO, False)
        preview = uow.learning.scenario_progress(learner, SCENARIO, True)
    assert progress.latest is not None and progress.latest.id == third.id
    assert [c.choice_id for c in progress.latest.choices] == ["thank"]
    assert progress.earlier_scores == (0.25,)  # the unfinished one has no score
    assert unfinished.id != third.id
    assert preview.latest is not None and preview.latest.seed == 5


def test_a_quiz_keeps_its_first_submission(storage: Storage, learner: int) -> None:
    with storage.uow() as uow:
        attempt = uow.learning.start_quiz(learner, QUIZ, "v1", 3, False)
        uow.learning.submit_quiz(learner, attempt.id, {"q1": ["a"]}, 1.0, True)
        second = uow.learning.submit_quiz(learner, attempt.id, {"q1": ["b"]}, 0.0, False)
    assert (second.score, second.passed) == (1.0, True)
    assert {k: list(v) for k, v in (second.answers or {}).items()} == {"q1": ["a"]}
    with pytest.raises(RecordNotFound), storage.uow() as uow:
        uow.learning.submit_quiz(learner + 1000, attempt.id, {"q1": ["b"]}, 0.0, False)


def test_texts_are_replaced_and_a_plan_keeps_one_id(storage: Storage, learner: int) -> None:
    other = storage.add_user(frozenset({"learner"}))
    with storage.uow() as uow:
        uow.learning.save_reflection(learner, NOTE, "first", "v1", False)
        uow.learning.save_reflection(learner, NOTE, "second", "v1", False)
        plan = uow.learning.save_commitment(learner, PLAN, "a", "b", date(2030, 1, 2), "v1", False)
        again = uow.learning.save_commitment(learner, PLAN, "c", "d", date(2030, 1, 3), "v1", False)
        uow.learning.check_in(learner, plan.id, "partly", "one of two")
        checked = uow.learning.check_in(learner, plan.id, "done", None)  # same day: replaces
        record = uow.learning.learner_record(learner, "ally", None, False)
    assert [r.text for r in record.reflections] == ["second"]
    assert again.id == plan.id and (again.cue, again.action) == ("c", "d")
    assert [(c.outcome, c.note) for c in checked.check_ins] == [("done", None)]
    with pytest.raises(RecordNotFound), storage.uow() as uow:
        uow.learning.check_in(other, plan.id, "done", None)


def test_survey_answers_are_kept_per_phase_and_item_and_preview_apart(
    storage: Storage, learner: int
) -> None:
    items = ("ask", "credit")
    with storage.uow() as uow:
        save = uow.learning.save_survey_answers
        assert not save(learner, SURVEY, "before", {"ask": 2}, items, "v", False)
        assert save(learner, SURVEY, "before", {"credit": 3}, items, "v", False)  # now complete
        assert save(learner, SURVEY, "before", {"ask": 4}, items, "v", False)
        assert not save(learner, SURVEY, "after", {"ask": 5}, items, "v", True)
        real = uow.learning.learner_record(learner, "ally", "self", False)
        preview = uow.learning.learner_record(learner, "ally", "self", True)
    assert sorted((a.phase, a.item_id, a.value) for a in real.survey_answers) == [
        ("before", "ask", 4),
        ("before", "credit", 3),
    ]
    assert [(a.phase, a.value) for a in preview.survey_answers] == [("after", 5)]


def test_the_position_is_the_last_step_opened(storage: Storage, learner: int) -> None:
    with storage.uow() as uow:
        uow.learning.save_position(learner, LESSON, False)
        uow.learning.save_position(learner, QUIZ, False)
        position = uow.learning.learner_record(learner, "ally", None, False).position
    assert position is not None and (position.module_id, position.step_id) == ("m1", "check")


def test_current_roles_follow_the_account_and_its_browser_session(storage: Storage) -> None:
    user = storage.add_user(frozenset({"learner", "facilitator"}))
    session_hash = storage.sign_in(user)
    with storage.uow() as uow:
        assert uow.people.current_roles(user, None) == {"learner", "facilitator"}
        assert uow.people.current_roles(user, session_hash) == {"learner", "facilitator"}
        assert uow.people.current_roles(user, "no-such-session") is None
        assert uow.people.current_roles(user + 1000, None) is None
    storage.sign_out(session_hash)
    with storage.uow() as uow:
        assert uow.people.current_roles(user, session_hash) is None


def test_an_unreachable_database_is_one_service_error(tmp_path: Path) -> None:
    engine = make_engine("postgresql+psycopg://postgres@127.0.0.1:1/nowhere?connect_timeout=2")
    with (
        pytest.raises(StorageUnavailable, match="cannot be reached"),
        SqlUnitOfWork(session_factory(engine)) as uow,
    ):
        uow.learning.completed_steps(1, "ally", "m1", False)
    fake = FakeUnitOfWork()
    fake.down = True
    with pytest.raises(StorageUnavailable) as raised, fake as down:
        down.learning.completed_steps(1, "ally", "m1", False)
    assert str(raised.value) == DATABASE_DOWN


def statement(n: int) -> dict[str, object]:
    return {"id": f"00000000-0000-5000-8000-{n:012d}", "verb": {"id": "http://example.org/v"}}


def test_the_outbox_keeps_one_row_a_statement_and_none_from_a_block_that_raises(
    storage: Storage, learner: int
) -> None:
    with pytest.raises(Boom), storage.uow() as uow:
        uow.xapi.enqueue(learner, [statement(1)])
        raise Boom
    with storage.uow() as uow:
        assert uow.xapi.queued(learner) == []
        assert uow.xapi.enqueue(learner, [statement(1), statement(1), statement(2)]) == 2
        assert uow.xapi.enqueue(learner, [statement(2)]) == 0
        queued = uow.xapi.queued(learner)
    assert [(e.statement_id, e.statement, e.attempts) for e in queued] == [
        (statement(n)["id"], statement(n), 0) for n in (1, 2)
    ]


def test_an_accounts_xapi_name_is_stable_opaque_and_his_own(storage: Storage, learner: int) -> None:
    other = storage.add_user(frozenset({"learner"}))
    with storage.uow() as uow:
        first, again = uow.xapi.account(learner), uow.xapi.account(learner)
        someone = uow.xapi.account(other)
        assert uow.xapi.account(learner + 1000) is None
    assert first is not None and someone is not None and first == again
    assert first.opaque_name != someone.opaque_name
    assert str(learner) not in first.opaque_name.split("-")  # not the row id as it is


def test_discard_takes_his_rows_only(storage: Storage, learner: int) -> None:
    other = storage.add_user(frozenset({"learner"}))
    with storage.uow() as uow:
        uow.xapi.enqueue(learner, [statement(1), statement(2)])
        uow.xapi.enqueue(other, [statement(3)])
        uow.xapi.enqueue(None, [statement(4)])  # a voiding statement: nobody's
        assert uow.xapi.reached_or_may_have(learner) == []  # never tried: not in the LRS
        assert uow.xapi.discard(learner) == 2
    with storage.uow() as uow:
        left = [[e.statement_id for e in uow.xapi.queued(u)] for u in (learner, other, None)]
    assert left == [[], [statement(3)["id"]], [statement(4)["id"]]]


def test_the_standing_is_the_records_steps_position_plans_and_answers(
    storage: Storage, learner: int
) -> None:
    other = storage.add_user(frozenset({"learner"}))
    with storage.uow() as uow:
        uow.learning.mark_completed(learner, LESSON, "v1", False)
        uow.learning.mark_started(learner, QUIZ, "v1", False)
        uow.learning.mark_completed(learner, NOTE, "v1", True)  # a preview
        uow.learning.save_position(learner, QUIZ, False)
        uow.learning.save_commitment(learner, PLAN, "a", "b", date(2030, 1, 2), "v1", False)
        uow.learning.save_survey_answers(
            learner, SURVEY, "before", {"ask": 2}, ("ask",), "v", False
        )
        uow.learning.save_reflection(learner, NOTE, "kept apart", "v1", False)
        attempt = uow.learning.start_scenario(learner, SCENARIO, "v1", 1, False)
        uow.learning.record_choice(learner, attempt.id, 0, "start", "thank", "best")
        uow.learning.mark_completed(other, PLAN, "v1", False)  # someone else's
        standing = uow.learning.learner_standing(learner, "ally", "self", False)
        record = uow.learning.learner_record(learner, "ally", "self", False)
    assert (standing.steps, standing.position, standing.commitments, standing.survey_answers) == (
        record.steps,
        record.position,
        record.commitments,
        record.survey_answers,
    )
    assert standing.completed("m1") == {"why"} and standing.position is not None
    assert [(c.cue, c.action) for c in standing.commitments] == [("a", "b")]
    assert [(a.item_id, a.value) for a in standing.survey_answers] == [("ask", 2)]
