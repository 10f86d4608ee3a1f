"""The anonymous cohort figures cannot be differenced, on SQLite and PostgreSQL.

Each test plays an attack a facilitator could try: compare the figures before and after
removing a member, after one more learner finishes, after a learner plays on, after accounts
are deleted. Each view is what the debrief and dashboard read (progress.report_repo), after the
publishing a read does (progress.tally_repo.publish_ready), every step in its own transaction.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, delete, inspect, select, update
from sqlalchemy.orm import Session

from progress import report_repo, tally_repo
from progress.cohort_repo import add_member, create_cohort, remove_member
from progress.database import session_factory
from progress.journal_repo import check_in, commitments, save_commitment
from progress.migrate import downgrade_to, upgrade_to_head
from progress.quiz_repo import start_quiz_attempt, submit_quiz_attempt
from progress.scenario_repo import finish_scenario_attempt, record_choice, start_scenario_attempt
from progress.step_repo import StepRef
from progress.survey_repo import save_survey_answers
from progress.tables import CohortFigureRow, CohortTallyRow, ScenarioAttemptRow, UserRow

from .conftest import add_user

COURSE = "ally"
MODULE = "m1"
STORY = StepRef(COURSE, MODULE, "story")
CHECK = StepRef(COURSE, MODULE, "check")
PLAN = StepRef(COURSE, MODULE, "plan")
SURVEY = StepRef(COURSE, "self-assessment", "how-often")
ITEMS = ("i1", "i2")
K = 3  # ALLY_MIN_GROUP at its floor: the figures may move in steps of 3 learners, no fewer
KINDS = ("scenario", "quiz", "commitment", "self_assessment")
OUTCOMES = ("done", "partly", "not_yet")


@dataclass
class Room:
    """A cohort and the database it lives in; each call is one transaction."""

    engine: Engine
    cohort_id: int
    course_id: str = COURSE

    @contextmanager
    def tx(self) -> Iterator[Session]:
        with session_factory(self.engine).begin() as session:
            yield session

    def person(self, name: str, *, join: bool = True) -> int:
        with self.tx() as session:
            user = add_user(session, f"{name}@example.org")
            if join:
                add_member(session, self.cohort_id, user)
        return user

    def view(self) -> tuple[Any, ...]:
        """Everything a facilitator can see of the figures, as a read shows it."""
        with self.tx() as session:
            tally_repo.publish_ready(session, self.cohort_id, K)
            return snapshot(session, self.cohort_id)

    def pending(self) -> int:
        with self.tx() as session:
            rows = session.scalars(
                select(CohortFigureRow.pending_learners).where(
                    CohortFigureRow.cohort_id == self.cohort_id
                )
            )
            return sum(rows)


def snapshot(session: Session, cohort_id: int) -> tuple[Any, ...]:
    survey = SURVEY.module_id
    return (
        report_repo.first_choice_counts(session, cohort_id, COURSE, MODULE),
        report_repo.first_quiz_answer_counts(session, cohort_id, COURSE, MODULE),
        report_repo.commitment_outcomes(session, cohort_id, COURSE, MODULE),
        report_repo.self_assessment_means(session, cohort_id, COURSE, survey),
        report_repo.figure_bases(session, cohort_id, COURSE, MODULE),
        report_repo.figure_bases(session, cohort_id, COURSE, survey),
    )


def learners_in(view: tuple[Any, ...]) -> dict[str, int]:
    """kind -> the learners its published figure is over."""
    return {basis.kind: basis.learners for basis in (*view[4], *view[5])}


@pytest.fixture
def room(engine: Engine) -> Room:
    with session_factory(engine).begin() as session:
        add_user(session, "admin@example.org")
        owner = add_user(session, "owner@example.org")
        cohort = create_cohort(
            session, course_id=COURSE, name="Chiefs", time_zone="UTC", owner_id=owner
        )
    return Room(engine, cohort.id)


# What a learner does, with values that differ from one learner to the next


def play(room: Room, user: int, n: int, kind: str, *, preview: bool = False) -> None:
    """Finish the step of `kind`, answering as learner number `n` would."""
    with room.tx() as session:
        if kind == "scenario":
            path = [("n1", f"c{n % 3}"), ("n2", f"d{n % 2}")]
            scenario(session, user, path, preview=preview)
        elif kind == "quiz":
            quiz(session, user, {"q1": [f"o{n % 3}"], "q2": ["a", f"b{n % 2}"]}, preview=preview)
        elif kind == "commitment":
            plan = commit(session, user, preview=preview)
            check_in(session, user, plan, OUTCOMES[n % 3])
        else:
            rate(session, user, "before", {"i1": 1 + n % 5, "i2": 2}, preview=preview)
            rate(session, user, "after", {"i1": 5 - n % 5, "i2": 3}, preview=preview)


def play_all(room: Room, user: int, n: int) -> None:
    for kind in KINDS:
        play(room, user, n, kind)


def scenario(
    session: Session, user: int, path: list[tuple[str, str]], *, preview: bool = False
) -> int:
    attempt = start_scenario_attempt(session, user, STORY, "v1", 7, is_preview=preview)
    for position, (node, choice) in enumerate(path):
        record_choice(
            session, user, attempt.id, position, node_id=node, choice_id=choice, quality="okay"
        )
    finish_scenario_attempt(session, user, attempt.id, "end", 0.5)
    return attempt.id


def quiz(
    session: Session, user: int, answers: dict[str, list[str]], *, preview: bool = False
) -> None:
    attempt = start_quiz_attempt(session, user, CHECK, "v1", 7, is_preview=preview)
    submit_quiz_attempt(session, user, attempt.id, answers, score=0.5, passed=False)


def commit(session: Session, user: int, *, preview: bool = False) -> int:
    return save_commitment(
        session,
        user,
        PLAN,
        cue="rounds end",
        action="ask a resident",
        target_date=date(2027, 1, 1),
        content_version="v1",
        is_preview=preview,
    ).id


def rate(
    session: Session, user: int, phase: str, ratings: dict[str, int], *, preview: bool = False
) -> None:
    save_survey_answers(
        session,
        user,
        SURVEY,
        phase=phase,
        answers=ratings,
        items=ITEMS,
        content_version="v1",
        is_preview=preview,
    )


def cohort_of(room: Room, size: int, first: int = 0) -> list[int]:
    """`size` members who finished everything, learners number `first` onwards."""
    users = [room.person(f"learner{n}") for n in range(first, first + size)]
    for n, user in enumerate(users, start=first):
        play_all(room, user, n)
    return users


# The attacks


def test_removing_a_member_changes_no_figure(room: Room) -> None:
    users = cohort_of(room, K + 2)
    before = room.view()
    assert learners_in(before) == dict.fromkeys(KINDS, K + 2)
    for user in users[:2]:
        with room.tx() as session:
            remove_member(session, room.cohort_id, user)
        assert room.view() == before


@pytest.mark.parametrize("kind", KINDS)
def test_one_more_learner_finishing_changes_no_figure(room: Room, kind: str) -> None:
    cohort_of(room, K)
    before = room.view()
    newcomers = [room.person(f"new{n}") for n in range(K)]
    for step, user in enumerate(newcomers[:-1]):
        play(room, user, 10 + step, kind)
        assert room.view() == before
    play(room, newcomers[-1], 12, kind)  # the K-th newcomer: now the figure may move
    after = room.view()
    assert after != before
    assert learners_in(after)[kind] == 2 * K
    assert {k: n for k, n in learners_in(after).items() if k != kind} == {
        k: K for k in KINDS if k != kind
    }


def play_on(room: Room, user: int, kind: str) -> None:
    """What a learner may do after his first values are in: none of it may count."""
    with room.tx() as session:
        if kind == "scenario":
            scenario(session, user, [("n1", "c9"), ("n2", "d9")])
        elif kind == "quiz":
            quiz(session, user, {"q1": ["o9"], "q2": ["z"]})
        elif kind == "commitment":
            (plan,) = commitments(session, user, COURSE)
            check_in(session, user, plan.id, "partly", "changed my mind today")
            check_in(session, user, plan.id, "done", now=datetime.now(UTC) + timedelta(days=3))
        else:
            rate(session, user, "after", {"i1": 1, "i2": 1})
            rate(session, user, "before", {"i1": 5, "i2": 5})


@pytest.mark.parametrize("kind", KINDS)
def test_playing_on_changes_no_figure(room: Room, kind: str) -> None:
    users = cohort_of(room, K)
    before = room.view()
    for user in users:
        play_on(room, user, kind)
    assert room.view() == before
    assert room.pending() == 0  # nothing waits either: it will never count


def test_a_second_tab_finishing_the_same_attempt_again_counts_once(room: Room) -> None:
    users = cohort_of(room, K)
    with room.tx() as session:
        (attempt,) = session.scalars(
            select(ScenarioAttemptRow.id).where(ScenarioAttemptRow.user_id == users[0])
        )
        finish_scenario_attempt(session, users[0], attempt, "other-end", 0.0)
    assert learners_in(room.view())["scenario"] == K
    assert room.pending() == 0


def test_deleting_accounts_changes_no_figure(room: Room) -> None:
    """No account can be deleted in the app yet: deleting the rows shows what would happen."""
    users = cohort_of(room, K + 1)
    before = room.view()
    with room.tx() as session:
        session.execute(delete(UserRow).where(UserRow.id.in_(users[:2])))
    assert room.view() == before
    with room.tx() as session:
        survivors = session.scalars(select(UserRow.id).where(UserRow.id.in_(users)))
        assert sorted(survivors) == sorted(users[2:])


def test_the_tallies_hold_no_user_and_no_time_of_a_learner(room: Room) -> None:
    columns = {
        table.__tablename__: {
            c["name"] for c in inspect(room.engine).get_columns(table.__tablename__)
        }
        for table in (CohortFigureRow, CohortTallyRow)
    }
    identifying = {"user_id", "email", "display_name", "joined_at", "finished_at", "submitted_at"}
    assert all(not names & identifying for names in columns.values())
    assert {n for names in columns.values() for n in names if n.endswith("_at")} == {
        "published_at"  # the figure's own "as of"
    }


def test_rejoining_changes_no_figure(room: Room) -> None:
    users = cohort_of(room, K)
    before = room.view()
    with room.tx() as session:
        remove_member(session, room.cohort_id, users[0])
    with room.tx() as session:
        assert add_member(session, room.cohort_id, users[0])
    assert room.view() == before
    assert room.pending() == 0


def test_what_a_removed_learner_finishes_enters_when_he_rejoins(room: Room) -> None:
    first, *_others = cohort_of(room, K)
    room.view()
    with room.tx() as session:
        remove_member(session, room.cohort_id, first)
    with room.tx() as session:
        quiz(session, first, {"q1": ["o1"]})  # not his first: nothing new
        other = StepRef(COURSE, MODULE, "check-2")
        attempt = start_quiz_attempt(session, first, other, "v1", 1)
        submit_quiz_attempt(session, first, attempt.id, {"q1": ["x"]}, score=1, passed=True)
    assert room.pending() == 0  # not a member: nothing enters
    with room.tx() as session:
        add_member(session, room.cohort_id, first)
    assert room.pending() == 1  # the second quiz, finished while he was away


def test_a_learner_who_finished_before_joining_enters_at_join(room: Room) -> None:
    early = room.person("early", join=False)
    play_all(room, early, 0)
    assert room.pending() == 0
    with room.tx() as session:
        add_member(session, room.cohort_id, early)
    assert room.pending() == len(KINDS)
    cohort_of(room, K - 1, first=1)
    view = room.view()
    assert learners_in(view) == dict.fromkeys(KINDS, K)
    assert ("story", "n1", "c0", 1) in view[0]  # his choice, among the others'


def test_figures_move_only_in_steps_of_at_least_min_group(room: Room) -> None:
    views = [room.view()]
    for n in range(3 * K + 1):
        cohort_of(room, 1, first=n)
        views.append(room.view())
    seen = [learners_in(v).get("scenario", 0) for v in views]
    assert seen == [0, 0, 0, 3, 3, 3, 6, 6, 6, 9, 9]
    for earlier, later in zip(views, views[1:], strict=False):
        moved = learners_in(later).get("scenario", 0) - learners_in(earlier).get("scenario", 0)
        assert later == earlier or moved >= K


def test_a_figure_too_small_to_show_publishes_once_the_whole_is_big_enough(room: Room) -> None:
    """Its earlier state was never shown, so nobody can compare against it."""
    cohort_of(room, 2)
    with room.tx() as session:  # as the migration fills an existing cohort: 2 learners shown
        session.execute(
            update(CohortFigureRow).values(
                published_learners=CohortFigureRow.pending_learners, pending_learners=0
            )
        )
        session.execute(update(CohortTallyRow).values(published=CohortTallyRow.pending, pending=0))
    cohort_of(room, 1, first=2)
    assert learners_in(room.view()) == dict.fromkeys(KINDS, 3)


def test_previews_never_count(room: Room) -> None:
    facilitator = room.person("previewer")
    for kind in KINDS:
        play(room, facilitator, 1, kind, preview=True)
    assert room.pending() == 0
    assert learners_in(room.view()) == {}


def test_a_learner_in_two_cohorts_counts_in_each(room: Room) -> None:
    with room.tx() as session:
        owner = add_user(session, "second-owner@example.org")
        second = create_cohort(
            session, course_id=COURSE, name="Nurses", time_zone="UTC", owner_id=owner
        ).id
    users = [room.person(f"both{n}") for n in range(K)]
    for user in users:
        with room.tx() as session:
            add_member(session, second, user)
    for n, user in enumerate(users):
        play(room, user, n, "scenario")
    other = Room(room.engine, second)
    assert room.view()[0] == other.view()[0] != []


def test_other_courses_never_count(room: Room) -> None:
    user = room.person("elsewhere")
    with room.tx() as session:
        attempt = start_scenario_attempt(session, user, StepRef("other", "m1", "story"), "v1", 1)
        finish_scenario_attempt(session, user, attempt.id, "end", 1.0)
    assert room.pending() == 0


# At the same moment (PostgreSQL runs these side by side; SQLite takes turns)


def at_once(calls: list[Callable[[], None]]) -> None:
    """Run the calls in threads released together; re-raise the first failure."""
    start = threading.Barrier(len(calls))
    failures: list[BaseException] = []

    def run(call: Callable[[], None]) -> None:
        start.wait()
        try:
            call()
        except BaseException as failure:  # noqa: BLE001 - re-raised below
            failures.append(failure)

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise failures[0]


def finisher(room: Room, user: int, attempt: int) -> Callable[[], None]:
    def finish() -> None:
        with room.tx() as session:
            finish_scenario_attempt(session, user, attempt, "end", 1.0)

    return finish


def started(room: Room, user: int, choice: str) -> int:
    with room.tx() as session:
        attempt = start_scenario_attempt(session, user, STORY, "v1", 1)
        record_choice(session, user, attempt.id, 0, node_id="n1", choice_id=choice, quality="okay")
        return attempt.id


def test_learners_finishing_at_once_are_each_counted_once(room: Room) -> None:
    users = [room.person(f"crowd{n}") for n in range(2 * K)]
    attempts = [started(room, user, f"c{n % 2}") for n, user in enumerate(users)]
    at_once([finisher(room, u, a) for u, a in zip(users, attempts, strict=True)])
    view = room.view()
    assert learners_in(view) == {"scenario": 2 * K}
    assert view[0] == [("story", "n1", "c0", K), ("story", "n1", "c1", K)]


def test_two_tabs_finishing_two_attempts_at_once_count_one(room: Room) -> None:
    users = [room.person(f"tabs{n}") for n in range(K)]
    attempts = [(started(room, u, "c1"), started(room, u, "c2")) for u in users]
    at_once([finisher(room, u, a) for u, pair in zip(users, attempts, strict=True) for a in pair])
    view = room.view()
    assert learners_in(view) == {"scenario": K}
    assert sum(count for *_key, count in view[0]) == K  # one first choice each, c1 or c2


# The migration fills the figures of a live database


def test_the_migration_fills_the_figures_from_existing_records(room: Room) -> None:
    cohort_of(room, K + 1)
    entered = room.view()
    downgrade_to(room.engine, "0003")
    upgrade_to_head(room.engine)
    filled = room.view()
    assert filled[:4] == entered[:4]
    assert learners_in(filled) == learners_in(entered) == dict.fromkeys(KINDS, K + 1)
