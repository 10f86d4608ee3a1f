"""The retrospective self-assessment in storage: "then" ratings and their cohort figure.

A learner's "then" ratings (the after phase, looking back) enter a retrospective figure when
both phases are complete, with his before and after ratings, frozen; the figure is withheld
under min_group and moves only in steps of min_group learners who gave "then" ratings, so it
cannot be differenced. On SQLite and PostgreSQL, each step in its own transaction.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError

from progress import report_repo, tally_repo
from progress.cohort_repo import add_member, create_cohort, remove_member
from progress.database import session_factory
from progress.migrate import downgrade_to, upgrade_to_head
from progress.survey_repo import save_survey_answer, save_survey_answers, survey_answers
from progress.tables import SurveyPhaseRow
from tests.integration.test_figure_privacy import COURSE, ITEMS, SURVEY, K, Room

from .conftest import add_user


@pytest.fixture
def room(engine: Engine) -> Room:
    with session_factory(engine).begin() as session:
        add_user(session, "admin@example.org")
        owner = add_user(session, "owner@example.org")
        cohort = create_cohort(
            session, course_id=COURSE, name="Chiefs", time_zone="UTC", owner_id=owner
        )
    return Room(engine, cohort.id)


def rate(
    room: Room, user: int, phase: str, now: dict[str, int], then: dict[str, int] | None = None
) -> bool:
    """One save of a phase; `then` given: the after phase of a retrospective survey."""
    with room.tx() as session:
        return save_survey_answers(
            session,
            user,
            SURVEY,
            phase=phase,
            answers=now,
            items=ITEMS,
            content_version="v1",
            looking_back=then,
            looking_back_items=ITEMS if then is not None else (),
        )


def finish(room: Room, user: int, n: int, *, looking_back: bool = True) -> None:
    """Learner number `n`: before n%5+1 / 2, after 4 / 5, then (looking back) 1 / n%2+1."""
    rate(room, user, "before", {"i1": n % 5 + 1, "i2": 2})
    if looking_back:
        rate(room, user, "after", {"i1": 4, "i2": 5}, {"i1": 1, "i2": n % 2 + 1})
    else:
        rate(room, user, "after", {"i1": 4, "i2": 5})


def learners(room: Room, first: int, count: int, *, looking_back: bool = True) -> list[int]:
    users = [room.person(f"learner{n}") for n in range(first, first + count)]
    for n, user in enumerate(users, start=first):
        finish(room, user, n, looking_back=looking_back)
    return users


def view(room: Room) -> tuple[Any, ...]:
    """What the dashboard reads of the self-assessment: both figures and their bases."""
    with room.tx() as session:
        tally_repo.publish_ready(session, room.cohort_id, K)
        module = SURVEY.module_id
        return (
            report_repo.self_assessment_means(session, room.cohort_id, COURSE, module),
            report_repo.retrospective_means(session, room.cohort_id, COURSE, module),
            {
                b.kind: b.learners
                for b in report_repo.figure_bases(session, room.cohort_id, COURSE, module)
            },
        )


def test_the_then_means_are_over_the_learners_who_rated_all_three(room: Room) -> None:
    learners(room, 0, K)  # i1 before 1, 2, 3; then 1, 1, 1; i2 then 1, 2, 1
    now, then, bases = view(room)
    assert then == [("i1", K, 2.0, 1.0, 4.0), ("i2", K, 2.0, 4 / 3, 5.0)]
    assert now == [("i1", K, 2.0, 4.0), ("i2", K, 2.0, 5.0)]  # "then" never mixes into after
    assert bases == {"self_assessment": K, "retrospective": K}


def test_then_means_are_withheld_under_min_group(room: Room) -> None:
    learners(room, 0, K - 1)
    assert view(room) == ([], [], {})


def test_the_after_phase_is_complete_only_with_every_then_rating(room: Room) -> None:
    user = room.person("dev")
    rate(room, user, "before", {"i1": 2, "i2": 2})
    assert not rate(room, user, "after", {"i1": 4, "i2": 5}, {"i1": 1})  # i2's "then" missing
    with room.tx() as session:
        phases = session.scalars(select(SurveyPhaseRow.phase).where(SurveyPhaseRow.user_id == user))
        assert list(phases) == ["before"]
    assert room.pending() == 0  # not in any figure yet
    assert rate(room, user, "after", {}, {"i2": 3})
    assert room.pending() == 2  # both figures: self_assessment and retrospective


def test_one_more_learner_changes_no_then_figure_until_min_group_more(room: Room) -> None:
    learners(room, 0, K)
    before = view(room)
    for n in range(K, 2 * K - 1):
        learners(room, n, 1)
        assert view(room) == before
    learners(room, 2 * K - 1, 1)
    after = view(room)
    assert after[2] == {"self_assessment": 2 * K, "retrospective": 2 * K}


def test_learners_without_then_ratings_never_enter_the_then_figure(room: Room) -> None:
    """Retrospective turned on mid-cohort: one learner with "then" among K must not show."""
    learners(room, 0, K, looking_back=False)
    learners(room, K, K - 1, looking_back=False)
    learners(room, 2 * K - 1, 1)  # the K-th newcomer, the only one with "then" ratings
    now, then, bases = view(room)
    assert bases == {"self_assessment": 2 * K}  # the then figure waits for K of its own
    assert then == []


def test_then_ratings_are_frozen_once_entered(room: Room) -> None:
    users = learners(room, 0, K)
    before = view(room)
    for user in users:
        rate(room, user, "after", {"i1": 1, "i2": 1}, {"i1": 5, "i2": 5})
    assert view(room) == before
    assert room.pending() == 0


def test_removing_a_member_changes_no_then_figure(room: Room) -> None:
    users = learners(room, 0, K + 1)
    before = view(room)
    with room.tx() as session:
        remove_member(session, room.cohort_id, users[0])
    assert view(room) == before


def test_a_learner_who_finished_before_joining_enters_the_then_figure_at_join(
    room: Room,
) -> None:
    learners(room, 0, K - 1)
    late = room.person("late", join=False)
    finish(room, late, 7)
    assert view(room)[2] == {}
    with room.tx() as session:
        add_member(session, room.cohort_id, late)
    assert view(room)[2] == {"self_assessment": K, "retrospective": K}


def test_a_then_rating_belongs_to_the_after_phase(room: Room) -> None:
    user = room.person("dev")
    with pytest.raises(IntegrityError), room.tx() as session:
        save_survey_answer(
            session,
            user,
            SURVEY,
            phase="before",
            item_id="i1",
            value=3,
            content_version="v1",
            rating="then",
        )


def test_the_migration_keeps_a_live_databases_ratings_and_figures(room: Room) -> None:
    learners(room, 0, K, looking_back=False)
    kept = view(room)
    downgrade_to(room.engine, "0008")
    upgrade_to_head(room.engine)
    assert view(room) == kept
    with room.tx() as session:
        user = session.scalar(select(SurveyPhaseRow.user_id).limit(1))
        assert user is not None
        answers = survey_answers(session, user, COURSE, SURVEY.module_id)
    assert {a.rating for a in answers} == {"now"} and len(answers) == 4
