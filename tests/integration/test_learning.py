"""The learner's path: step progress, position, scenario attempts and quiz attempts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from progress.errors import AttemptFinished, RecordNotFound
from progress.quiz_repo import (
    quiz_attempt,
    quiz_attempts,
    start_quiz_attempt,
    submit_quiz_attempt,
)
from progress.scenario_repo import (
    extend_latest_path,
    finish_scenario_attempt,
    record_choice,
    scenario_attempt,
    scenario_attempts,
    start_scenario_attempt,
)
from progress.step_repo import (
    StepRef,
    last_position,
    mark_step_completed,
    mark_step_started,
    save_position,
    step_progress,
)

from .conftest import add_user, counted_statements

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
LESSON = StepRef("ally", "first-feedback", "why-ask")
SCENARIO = StepRef("ally", "first-feedback", "after-rounds")
QUIZ = StepRef("ally", "first-feedback", "check")


def test_a_step_is_started_then_completed_once(session: Session, user_id: int) -> None:
    mark_step_started(session, user_id, LESSON, "v1", now=NOW)
    mark_step_started(session, user_id, LESSON, "v2", now=NOW + timedelta(minutes=1))
    mark_step_completed(session, user_id, LESSON, "v2", now=NOW + timedelta(minutes=2))
    mark_step_completed(session, user_id, LESSON, "v3", now=NOW + timedelta(minutes=3))
    mark_step_started(session, user_id, LESSON, "v4", now=NOW + timedelta(minutes=4))
    [record] = step_progress(session, user_id, "ally")
    assert record.step == LESSON
    assert record.status == "completed"
    assert record.started_at == NOW
    assert record.completed_at == NOW + timedelta(minutes=2)
    assert record.content_version == "v2"


def test_preview_progress_is_kept_apart(session: Session, user_id: int) -> None:
    mark_step_completed(session, user_id, LESSON, "v1", is_preview=True)
    assert step_progress(session, user_id, "ally") == []
    [preview] = step_progress(session, user_id, "ally", is_preview=True)
    assert preview.is_preview is True


def test_progress_is_per_learner_and_module(session: Session, user_id: int) -> None:
    other = add_user(session, "other@example.org")
    mark_step_completed(session, user_id, LESSON, "v1")
    mark_step_completed(session, other, StepRef("ally", "second-module", "intro"), "v1")
    assert [r.step for r in step_progress(session, user_id, "ally")] == [LESSON]
    assert step_progress(session, other, "ally", "first-feedback") == []


def test_the_last_position_is_remembered(session: Session, user_id: int) -> None:
    assert last_position(session, user_id, "ally") is None
    save_position(session, user_id, LESSON, now=NOW)
    save_position(session, user_id, SCENARIO, now=NOW + timedelta(minutes=5))
    position = last_position(session, user_id, "ally")
    assert position is not None
    assert (position.module_id, position.step_id) == ("first-feedback", "after-rounds")
    assert position.updated_at == NOW + timedelta(minutes=5)
    assert last_position(session, user_id, "ally", is_preview=True) is None


def test_reopening_the_step_he_is_at_changes_no_row(session: Session, user_id: int) -> None:
    save_position(session, user_id, LESSON, now=NOW)
    with counted_statements(session.get_bind()) as sent:
        save_position(session, user_id, LESSON, now=NOW + timedelta(hours=1))  # a reload
    position = last_position(session, user_id, "ally")
    assert position is not None and position.updated_at == NOW  # since when he is there
    assert len(sent) == 1 and "WHERE" in sent[0].upper().split("DO UPDATE")[1]
    save_position(session, user_id, SCENARIO, now=NOW + timedelta(hours=2))
    moved = last_position(session, user_id, "ally")
    assert moved is not None and moved.step_id == SCENARIO.step_id
    assert moved.updated_at == NOW + timedelta(hours=2)


def _choose(session: Session, user_id: int, attempt_id: int, position: int, choice: str) -> str:
    stored = record_choice(
        session, user_id, attempt_id, position, node_id="n1", choice_id=choice, quality="best"
    )
    return stored.choice_id


def test_a_scenario_path_records_one_choice_per_position(session: Session, user_id: int) -> None:
    attempt = start_scenario_attempt(session, user_id, SCENARIO, "v1", seed=42, now=NOW)
    assert _choose(session, user_id, attempt.id, 0, "ask") == "ask"
    # A double click, or a second tab showing the same node, changes nothing.
    assert _choose(session, user_id, attempt.id, 0, "tell") == "ask"
    assert _choose(session, user_id, attempt.id, 1, "thank") == "thank"
    resumed = scenario_attempt(session, user_id, attempt.id)
    assert resumed.finished_at is None and resumed.seed == 42
    assert [(c.position, c.choice_id) for c in resumed.choices] == [(0, "ask"), (1, "thank")]


def _extend(
    session: Session, user_id: int, attempt_id: int, position: int, choice: str
) -> str | None:
    stored = extend_latest_path(
        session,
        user_id,
        SCENARIO,
        attempt_id,
        position,
        node_id="n1",
        choice_id=choice,
        quality="okay",
        now=NOW,
    )
    return None if stored is None else stored.choice_id


def test_a_path_is_extended_where_it_stands_in_one_statement(
    session: Session, user_id: int
) -> None:
    attempt = start_scenario_attempt(session, user_id, SCENARIO, "v1", seed=3, now=NOW)
    with counted_statements(session.get_bind()) as sent:
        assert _extend(session, user_id, attempt.id, 0, "ask") == "ask"
    assert len(sent) == 1 and sent[0].lstrip().upper().startswith("INSERT")
    assert _extend(session, user_id, attempt.id, 1, "thank") == "thank"
    stored = scenario_attempt(session, user_id, attempt.id).choices
    assert [(c.position, c.node_id, c.choice_id, c.quality) for c in stored] == [
        (0, "n1", "ask", "okay"),
        (1, "n1", "thank", "okay"),
    ]
    assert stored[0].chosen_at == NOW


def test_a_path_is_extended_only_at_its_end_by_its_learner_in_his_latest_open_attempt(
    session: Session, user_id: int
) -> None:
    other = add_user(session, "other@example.org")
    first = start_scenario_attempt(session, user_id, SCENARIO, "v1", seed=1)
    _choose(session, user_id, first.id, 0, "ask")
    assert _extend(session, user_id, first.id, 0, "tell") is None  # taken: a double click
    assert _extend(session, user_id, first.id, 2, "skip") is None  # a gap
    assert _extend(session, other, first.id, 1, "mine") is None  # someone else's attempt
    elsewhere = extend_latest_path(
        session, user_id, LESSON, first.id, 1, node_id="n", choice_id="c", quality="best"
    )
    assert elsewhere is None  # another step's attempt
    finish_scenario_attempt(session, user_id, first.id, "good-end", 1.0)
    assert _extend(session, user_id, first.id, 1, "late") is None  # ended
    second = start_scenario_attempt(session, user_id, SCENARIO, "v1", seed=2)
    third = start_scenario_attempt(session, user_id, SCENARIO, "v1", seed=3)
    assert _extend(session, user_id, second.id, 0, "stale") is None  # replaced by a newer one
    preview = extend_latest_path(
        session,
        user_id,
        SCENARIO,
        third.id,
        0,
        node_id="n",
        choice_id="c",
        quality="best",
        is_preview=True,
    )
    assert preview is None  # the preview's latest attempt is another one (there is none)
    assert [c.choice_id for c in scenario_attempt(session, user_id, first.id).choices] == ["ask"]
    assert scenario_attempt(session, user_id, second.id).choices == ()
    assert _extend(session, user_id, third.id, 0, "ask") == "ask"


def test_a_scenario_attempt_finishes_once(session: Session, user_id: int) -> None:
    attempt = start_scenario_attempt(session, user_id, SCENARIO, "v1", seed=1, now=NOW)
    _choose(session, user_id, attempt.id, 0, "ask")
    done = finish_scenario_attempt(session, user_id, attempt.id, "good-end", 1.0, now=NOW)
    again = finish_scenario_attempt(session, user_id, attempt.id, "flat-end", 0.0)
    assert (again.ending_node_id, again.score, again.finished_at) == ("good-end", 1.0, NOW)
    assert again == done
    assert scenario_attempt(session, user_id, attempt.id).finished_at == NOW
    assert _choose(session, user_id, attempt.id, 0, "other") == "ask"
    with pytest.raises(AttemptFinished):
        _choose(session, user_id, attempt.id, 1, "late")


def test_an_attempt_finished_from_its_record_in_hand_is_the_stored_one_and_is_not_read_again(
    session: Session, user_id: int
) -> None:
    attempt = start_scenario_attempt(session, user_id, SCENARIO, "v1", seed=1, now=NOW)
    _choose(session, user_id, attempt.id, 0, "ask")
    read = scenario_attempt(session, user_id, attempt.id)
    with counted_statements(session.get_bind()) as sent:
        done = finish_scenario_attempt(
            session, user_id, attempt.id, "good-end", 0.5, now=NOW, read=read
        )
    assert done == scenario_attempt(session, user_id, attempt.id)
    assert (done.ending_node_id, done.score, done.finished_at) == ("good-end", 0.5, NOW)
    assert [c.choice_id for c in done.choices] == ["ask"]
    reads = [s for s in sent if s.lstrip().upper().startswith("SELECT") and "scenario_" in s]
    assert reads == []
    # Finished already: the record in hand (now stale) is not what comes back, the stored one is.
    again = finish_scenario_attempt(session, user_id, attempt.id, "flat-end", 0.0, read=read)
    assert again == done


def test_someone_elses_record_in_hand_finishes_nothing(session: Session, user_id: int) -> None:
    other = add_user(session, "other@example.org")
    attempt = start_scenario_attempt(session, user_id, SCENARIO, "v1", seed=1)
    read = scenario_attempt(session, user_id, attempt.id)
    with pytest.raises(RecordNotFound):
        finish_scenario_attempt(session, other, attempt.id, "good-end", 1.0, read=read)
    assert scenario_attempt(session, user_id, attempt.id).finished_at is None


def test_replays_keep_every_attempt(session: Session, user_id: int) -> None:
    first = start_scenario_attempt(session, user_id, SCENARIO, "v1", seed=1)
    finish_scenario_attempt(session, user_id, first.id, "flat-end", 0.0)
    second = start_scenario_attempt(session, user_id, SCENARIO, "v2", seed=2)
    attempts = scenario_attempts(session, user_id, "ally", "first-feedback")
    assert [(a.id, a.content_version) for a in attempts] == [(first.id, "v1"), (second.id, "v2")]
    assert scenario_attempts(session, user_id, "ally", is_preview=True) == []


def test_someone_elses_attempt_cannot_be_read_or_changed(session: Session, user_id: int) -> None:
    other = add_user(session, "other@example.org")
    attempt = start_scenario_attempt(session, user_id, SCENARIO, "v1", seed=1)
    with pytest.raises(RecordNotFound):
        scenario_attempt(session, other, attempt.id)
    with pytest.raises(RecordNotFound):
        _choose(session, other, attempt.id, 0, "ask")
    with pytest.raises(RecordNotFound):
        finish_scenario_attempt(session, other, attempt.id, "good-end", 1.0)


def test_a_choice_quality_must_be_one_of_the_three(session: Session, user_id: int) -> None:
    attempt = start_scenario_attempt(session, user_id, SCENARIO, "v1", seed=1)
    with pytest.raises(IntegrityError):
        record_choice(session, user_id, attempt.id, 0, node_id="n1", choice_id="c", quality="great")


def test_a_quiz_attempt_is_submitted_once(session: Session, user_id: int) -> None:
    attempt = start_quiz_attempt(session, user_id, QUIZ, "v1", seed=7, now=NOW)
    assert quiz_attempt(session, user_id, attempt.id) == attempt
    answers = {"q1": ["b", "a"], "q2": ["c"]}
    submitted = submit_quiz_attempt(
        session, user_id, attempt.id, answers, score=0.5, passed=False, now=NOW
    )
    again = submit_quiz_attempt(session, user_id, attempt.id, {"q1": ["z"]}, score=1, passed=True)
    assert again == submitted
    assert submitted.answers == {"q1": ("a", "b"), "q2": ("c",)}
    assert (submitted.score, submitted.passed, submitted.submitted_at) == (0.5, False, NOW)


def test_quiz_retries_keep_every_attempt(session: Session, user_id: int) -> None:
    first = start_quiz_attempt(session, user_id, QUIZ, "v1", seed=1)
    submit_quiz_attempt(session, user_id, first.id, {"q1": ["a"]}, score=0.0, passed=False)
    second = start_quiz_attempt(session, user_id, QUIZ, "v1", seed=2)
    submit_quiz_attempt(session, user_id, second.id, {"q1": ["b"]}, score=1.0, passed=True)
    attempts = quiz_attempts(session, user_id, "ally")
    assert [(a.seed, a.passed) for a in attempts] == [(1, False), (2, True)]
    other = add_user(session, "other@example.org")
    with pytest.raises(RecordNotFound):
        quiz_attempt(session, other, first.id)
