"""Every writing use case is all or nothing: a fault at any of its writes keeps none of it.

The SQL unit of work is made to fail at its first write, then its second, and so on, as a
dropped connection or a killed process would, on SQLite and PostgreSQL. After each fault the
database holds exactly what it held before the call, and the same call then succeeds: the
learner can carry on. A fault injected into the fake alone would prove nothing about the
database, so this runs on the real ones.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event, select
from sqlalchemy.exc import OperationalError

from modules.course.completion import Phase
from modules.course.validation import validate_directory
from modules.services import accounts as account_services
from modules.services.actors import Actor
from modules.services.cohorts import CohortService
from modules.services.errors import StorageUnavailable
from modules.services.learning import LearningService
from modules.services.practice import Practice
from modules.services.runtime import Runtime, runtime
from modules.settings import Settings
from progress import account_repo
from progress.tables import Base

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "tests" / "data" / "valid"
MODULE = "sample"
WRITES = ("INSERT", "UPDATE", "DELETE")


class WriteFault:
    """Fails the n-th INSERT, UPDATE or DELETE sent to the engine, as a lost connection would."""

    def __init__(self, engine: Engine) -> None:
        self.countdown: int | None = None
        self.fired = False
        event.listen(engine, "before_cursor_execute", self._before)

    def arm(self, n: int) -> None:
        self.countdown, self.fired = n, False

    def disarm(self) -> None:
        self.countdown = None

    def _before(self, _conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if self.countdown is None or not statement.lstrip().upper().startswith(WRITES):
            return
        self.countdown -= 1
        if self.countdown == 0:
            self.countdown, self.fired = None, True
            raise OperationalError(statement, {}, Exception("injected fault"))


@dataclass
class Learning:
    rt: Runtime
    learning: LearningService
    practice: Practice
    cohorts: CohortService
    owner: Actor
    learner: Actor
    cohort_id: int
    join_code: str


@pytest.fixture
def world(database_url: str) -> Iterator[Learning]:
    content = validate_directory(SAMPLE).content
    assert content is not None
    rt = runtime(Settings(database_url=database_url, content_dir=SAMPLE))
    learning = LearningService(rt.uow, content)
    service = CohortService(rt, content)
    with rt.transaction() as session:
        owner = account_repo.create_user(session, "olu@example.org", "Olu Owner", None)
        learner = account_repo.create_user(session, "lee@example.org", "Lee Learner", None)
    owner_actor = Actor(owner.id, owner.display_name, frozenset(owner.roles))
    learner_actor = Actor(learner.id, learner.display_name, frozenset(learner.roles))
    cohort = service.create(owner_actor, "Medicine chiefs", "America/Chicago")
    service.join(learner_actor, cohort.join_code)
    yield Learning(
        rt, learning, Practice(learning), service, owner_actor, learner_actor, cohort.id,
        cohort.join_code,
    )  # fmt: skip
    rt.engine.dispose()


def snapshot(rt: Runtime) -> dict[str, list[str]]:
    """Every row of every table, as text, in a stable order."""
    with rt.transaction() as session:
        return {
            table.name: sorted(repr(tuple(row)) for row in session.execute(select(table)))
            for table in Base.metadata.sorted_tables
        }


def choose_path(w: Learning, path: tuple[str, ...]) -> None:
    view = w.practice.scenario_view(w.learner, MODULE, "rounds")
    for position, choice in enumerate(path):
        view = w.practice.choose(w.learner, MODULE, "rounds", view.attempt_id, position, choice)


def choose_on_the_view_shown(w: Learning, choice: str) -> None:
    view = w.practice.scenario_view(w.learner, MODULE, "rounds")
    w.practice.choose(
        w.learner, MODULE, "rounds", view.attempt_id, view.position, choice, shown=view
    )


def last_choice(w: Learning) -> None:
    view = w.practice.scenario_view(w.learner, MODULE, "rounds")
    w.practice.choose(w.learner, MODULE, "rounds", view.attempt_id, 2, "follow")


def submit_quiz(w: Learning) -> None:
    view = w.practice.quiz_view(w.learner, MODULE, "check")
    w.practice.submit_quiz(
        w.learner, MODULE, "check", view.attempt_id, {"q1": ["a"], "q2": ["a", "c"]}
    )


def plan(w: Learning) -> None:
    w.learning.save_commitment(
        w.learner,
        MODULE,
        "plan",
        "rounds end",
        "ask one resident",
        date.today() + timedelta(days=7),
    )


def check_in(w: Learning) -> None:
    (commitment,) = w.learning.record(w.learner).commitments
    w.learning.check_in(w.learner, commitment.id, "partly", "Asked one; the other was off")


def survey(w: Learning) -> None:
    w.learning.save_self_assessment(w.learner, Phase.BEFORE, {"ask": 2, "credit": 3})


def prepare_join(w: Learning) -> None:
    with w.rt.transaction() as session:
        account_repo.create_user(session, "new@example.org", "New Learner", None)


def join_existing(w: Learning) -> None:
    with w.rt.transaction() as session:
        user = account_repo.find_user_by_email(session, "new@example.org")
    assert user is not None
    w.cohorts.join(Actor(user.id, user.display_name, frozenset(user.roles)), w.join_code)


ROSTER = (
    b"email,name\r\nana.ruiz@example.org,Ana Ruiz\r\nben.ode@example.org,Ben Ode\r\n"
    b"lee@example.org,Lee Learner\r\n"
)

Step = Callable[[Learning], object]
CASES: dict[str, tuple[Step | None, Step]] = {
    # name: (what comes before, the use case under fault)
    "scenario choice": (lambda w: choose_path(w, ()), lambda w: choose_path(w, ("thank",))),
    "scenario ending": (lambda w: choose_path(w, ("thank", "plan")), last_choice),
    "scenario choice on the view shown": (
        lambda w: choose_path(w, ()),
        lambda w: choose_on_the_view_shown(w, "thank"),
    ),
    "scenario ending on the view shown": (
        lambda w: choose_path(w, ("thank", "plan")),
        lambda w: choose_on_the_view_shown(w, "follow"),
    ),
    "quiz submit": (lambda w: w.practice.quiz_view(w.learner, MODULE, "check"), submit_quiz),
    "scenario start": (None, lambda w: choose_path(w, ())),
    "lesson": (None, lambda w: w.learning.complete_lesson(w.learner, MODULE, "why")),
    "reflection": (
        None,
        lambda w: w.learning.save_reflection(w.learner, MODULE, "think", "Ask Dr. Rivera today"),
    ),
    "commitment": (None, plan),
    "check-in": (plan, check_in),
    "survey": (None, survey),
    "join": (prepare_join, join_existing),
    "roster import": (None, lambda w: w.cohorts.import_roster(w.owner, w.cohort_id, ROSTER)),
    "assignment": (
        None,
        lambda w: w.cohorts.assign(
            w.owner, w.cohort_id, [MODULE], date.today() + timedelta(days=9)
        ),
    ),
    "sign-up": (
        None,
        lambda w: account_services.sign_up(
            w.rt, "sam@example.org", "Sam Sign", "a long passphrase"
        ),
    ),
}


@pytest.mark.parametrize("name", CASES)
def test_a_fault_at_any_write_keeps_nothing_and_the_call_then_succeeds(
    world: Learning, name: str
) -> None:
    before_case, use_case = CASES[name]
    if before_case is not None:
        before_case(world)
    fault = WriteFault(world.rt.engine)
    faults = 0
    for n in range(1, 50):
        before = snapshot(world.rt)
        fault.arm(n)
        try:
            use_case(world)
        except StorageUnavailable:
            assert fault.fired
            assert snapshot(world.rt) == before, f"{name}: write {n} failed but left rows behind"
            faults += 1
            continue
        finally:
            fault.disarm()
        assert not fault.fired, f"{name}: a failed write did not reach the caller"
        assert snapshot(world.rt) != before, f"{name}: the call succeeded but stored nothing"
        break
    else:
        pytest.fail(f"{name}: still failing after 49 writes")
    assert faults >= 1, f"{name}: writes nothing"
