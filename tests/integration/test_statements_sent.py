"""What the busiest use cases send to the database: the reads a page does not need, it skips."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest

from modules.course.validation import validate_directory
from modules.services.actors import Actor
from modules.services.learning import LearningService
from modules.services.practice import Practice
from modules.services.runtime import Runtime, runtime
from modules.settings import Settings
from progress import account_repo, auth_repo

from .conftest import counted_statements

SAMPLE = Path(__file__).resolve().parents[2] / "tests" / "data" / "valid"
MODULE = "sample"


@pytest.fixture
def rt(database_url: str) -> Iterator[Runtime]:
    made = runtime(Settings(database_url=database_url, content_dir=SAMPLE))
    yield made
    made.engine.dispose()


@pytest.fixture
def practice(rt: Runtime) -> Practice:
    content = validate_directory(SAMPLE).content
    assert content is not None
    return Practice(LearningService(rt.uow, content))


@pytest.fixture
def learner(rt: Runtime) -> Actor:
    with rt.transaction() as session:
        account_repo.create_user(session, "admin@example.org", "The First", None)
        user = account_repo.create_user(session, "lee@example.org", "Lee Learner", None)
    return Actor(user.id, user.display_name, frozenset(user.roles))


def first_words(statements: list[str]) -> list[str]:
    return [s.split()[0].upper() for s in statements]


def test_a_choice_on_the_view_shown_checks_the_caller_and_stores_it_without_reading(
    rt: Runtime, practice: Practice, learner: Actor
) -> None:
    view = practice.scenario_view(learner, MODULE, "rounds")
    with counted_statements(rt.engine) as sent:
        chosen = practice.choose(learner, MODULE, "rounds", view.attempt_id, 0, "thank", shown=view)
    work = [s for s in sent if s.split()[0].upper() in ("SELECT", "INSERT")]
    assert first_words(work) == ["SELECT", "INSERT"]
    assert "user_roles" in work[0] and "scenario_choices" in work[1]  # the caller; the choice
    assert practice.scenario_view(learner, MODULE, "rounds").state == chosen.state
    with counted_statements(rt.engine) as read_again:  # a choice without the view shown
        practice.choose(learner, MODULE, "rounds", view.attempt_id, 1, "plan")
    assert first_words(read_again).count("SELECT") > 1


def test_a_choice_in_a_browser_session_is_one_insert_that_checks_the_session(
    rt: Runtime, practice: Practice, learner: Actor
) -> None:
    with rt.transaction() as session:
        token = auth_repo.start_auth_session(session, learner.user_id).token
    tab = dataclasses.replace(learner, session_hash=auth_repo.token_hash(token))
    view = practice.scenario_view(tab, MODULE, "rounds")
    with counted_statements(rt.engine) as sent:
        chosen = practice.choose(tab, MODULE, "rounds", view.attempt_id, 0, "thank", shown=view)
    work = [s for s in sent if s.split()[0].upper() in ("SELECT", "INSERT")]
    assert first_words(work) == ["INSERT"]
    assert "auth_sessions" in work[0] and "scenario_choices" in work[0]
    assert practice.scenario_view(tab, MODULE, "rounds").state == chosen.state


def test_the_course_overview_reads_no_attempt_reflection_or_quiz(
    rt: Runtime, practice: Practice, learner: Actor
) -> None:
    learning = practice.learning
    view = practice.scenario_view(learner, MODULE, "rounds")
    for choice in ("thank", "plan", "follow"):
        view = practice.choose(learner, MODULE, "rounds", view.attempt_id, view.position, choice)
    practice.replay(learner, MODULE, "rounds")
    practice.quiz_view(learner, MODULE, "check")
    learning.save_reflection(learner, MODULE, "think", "Ask Dr. Rivera about rounds")
    with counted_statements(rt.engine) as sent:
        overview = learning.overview(learner)
    read = " ".join(s for s in sent if s.lstrip().upper().startswith("SELECT"))
    for table in ("scenario_attempts", "scenario_choices", "quiz_attempts", "reflections"):
        assert table not in read
    assert overview == learning.overview_of(learning.record(learner))
    assert "rounds" in next(m for m in overview.modules if m.module.id == MODULE).completed_steps


def test_a_scenario_with_replays_is_read_in_two_statements(
    rt: Runtime, practice: Practice, learner: Actor
) -> None:
    scores = []
    for path in (("thank", "plan", "follow"), ("thank", "defend")):
        view = practice.scenario_view(learner, MODULE, "rounds")
        if view.state.ended:
            view = practice.replay(learner, MODULE, "rounds")
        for choice in path:
            view = practice.choose(
                learner, MODULE, "rounds", view.attempt_id, view.position, choice
            )
        scores.append(view.state.score)
    view = practice.replay(learner, MODULE, "rounds")
    practice.choose(learner, MODULE, "rounds", view.attempt_id, 0, "thank")
    with counted_statements(rt.engine) as sent:
        resumed = practice.scenario_view(learner, MODULE, "rounds")
    reads = [s for s in sent if s.lstrip().upper().startswith("SELECT") and "scenario_" in s]
    assert len(reads) == 2  # the latest attempt with its path; the earlier scores
    assert resumed.earlier_scores == tuple(scores)
    assert [t.choice.id for t in resumed.state.path] == ["thank"]
    assert resumed.attempt_id == view.attempt_id
