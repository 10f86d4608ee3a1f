"""Learning services against an in-memory store: progress, resuming, idempotency, privacy."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from modules.course.completion import Phase
from modules.course.models import CourseContent
from modules.services.actors import Actor
from modules.services.errors import InvalidInput, NotFound, PermissionDenied
from modules.services.learning import LearningService
from modules.services.practice import Practice
from tests.fakes import NOW, FakeLearningRepository, FakeUnitOfWork

LEARNER = Actor(1, "Dev", frozenset({"learner"}))
OTHER = Actor(2, "Sam", frozenset({"learner"}))
FACILITATOR = Actor(3, "Fay", frozenset({"facilitator"}))
TODAY = NOW.date()


@pytest.fixture
def uow() -> FakeUnitOfWork:
    fake = FakeUnitOfWork()
    for actor in (LEARNER, OTHER, FACILITATOR):
        fake.people.roles[actor.user_id] = actor.roles
    return fake


@pytest.fixture
def store(uow: FakeUnitOfWork) -> FakeLearningRepository:
    """What the fake holds: read it after a service call."""
    return uow.learning


@pytest.fixture
def learning(uow: FakeUnitOfWork, content: CourseContent) -> LearningService:
    return LearningService(uow, content, today=lambda: TODAY)


@pytest.fixture
def practice(learning: LearningService) -> Practice:
    return Practice(learning)


def play_best(practice: Practice, actor: Actor, preview: bool = False) -> None:
    view = practice.scenario_view(actor, "sample", "rounds", preview)
    for choice in ("thank", "plan", "follow"):
        view = practice.choose(
            actor, "sample", "rounds", view.attempt_id, view.position, choice, preview
        )
    assert view.state.ended


def complete_sample(learning: LearningService, practice: Practice, actor: Actor) -> None:
    learning.complete_lesson(actor, "sample", "why")
    play_best(practice, actor)
    quiz = practice.quiz_view(actor, "sample", "check")
    practice.submit_quiz(actor, "sample", "check", quiz.attempt_id, {"q1": {"a"}, "q2": {"a", "c"}})
    learning.save_reflection(actor, "sample", "think", "Ask Dr. Rivera about rounds")
    learning.save_commitment(actor, "sample", "plan", "When rounds end", "I will ask", TODAY)


def test_a_new_learner_starts_at_the_first_step_with_the_self_assessment_due(
    learning: LearningService,
) -> None:
    overview = learning.overview(LEARNER)
    assert overview.continue_at is not None
    assert (overview.continue_at.module_id, overview.continue_at.step_id) == ("sample", "why")
    assert overview.self_assessment_due is Phase.BEFORE
    assert [m.fraction for m in overview.modules] == [0.0]


def test_continue_goes_to_the_step_last_opened(learning: LearningService) -> None:
    learning.open_step(LEARNER, "sample", "check")
    at = learning.overview(LEARNER).continue_at
    assert at is not None and at.step_id == "check"
    assert learning.overview(OTHER).continue_at.step_id == "why"  # type: ignore[union-attr]


def test_opening_a_step_gives_the_module_steps_done_so_far(learning: LearningService) -> None:
    assert learning.open_step(LEARNER, "sample", "why") == set()
    learning.complete_lesson(LEARNER, "sample", "why")
    assert learning.open_step(LEARNER, "sample", "check") == {"why"}
    assert learning.open_step(LEARNER, "sample", "check") == learning.completed_steps(
        LEARNER, "sample"
    )
    assert learning.open_step(OTHER, "sample", "why") == set()  # his own, no one else's


def test_opening_a_scenario_notes_the_step_and_gives_its_view_in_one_unit_of_work(
    learning: LearningService, practice: Practice, uow: FakeUnitOfWork
) -> None:
    learning.complete_lesson(LEARNER, "sample", "why")
    before = uow.commits
    done, view = practice.open_scenario(LEARNER, "sample", "rounds")
    assert uow.commits == before + 1
    assert done == {"why"}
    assert learning.overview(LEARNER).continue_at.step_id == "rounds"  # type: ignore[union-attr]
    assert (view.attempt_id, view.position) == (
        practice.scenario_view(LEARNER, "sample", "rounds").attempt_id,
        0,
    )
    chosen = practice.choose(LEARNER, "sample", "rounds", view.attempt_id, 0, "thank")
    _, resumed = practice.open_scenario(LEARNER, "sample", "rounds")  # a reload resumes
    assert (resumed.attempt_id, resumed.position) == (chosen.attempt_id, 1)
    assert resumed.state.node == chosen.state.node
    assert practice.open_scenario(OTHER, "sample", "rounds")[1].attempt_id != view.attempt_id


def test_opening_what_is_not_a_scenario_or_not_his_to_preview_writes_nothing(
    learning: LearningService, practice: Practice, uow: FakeUnitOfWork
) -> None:
    before = uow.commits
    with pytest.raises(InvalidInput):
        practice.open_scenario(LEARNER, "sample", "why")
    with pytest.raises(PermissionDenied):  # previews are for facilitators
        practice.open_scenario(LEARNER, "sample", "rounds", preview=True)
    assert uow.commits == before
    assert learning.overview(LEARNER).continue_at.step_id == "why"  # type: ignore[union-attr]


def test_completing_every_step_completes_the_course_and_offers_the_after_phase(
    learning: LearningService, practice: Practice
) -> None:
    learning.save_self_assessment(LEARNER, Phase.BEFORE, {"ask": 2, "credit": 3})
    complete_sample(learning, practice, LEARNER)
    overview = learning.overview(LEARNER)
    assert overview.complete and overview.continue_at is None
    assert overview.self_assessment_due is Phase.AFTER
    learning.save_self_assessment(LEARNER, Phase.AFTER, {"ask": 4, "credit": 4})
    assert learning.overview(LEARNER).self_assessment_due is None
    answers = learning.self_assessment_answers(LEARNER)
    assert answers[Phase.BEFORE] == {"ask": 2, "credit": 3}
    assert answers[Phase.AFTER] == {"ask": 4, "credit": 4}


def test_self_assessment_answers_off_the_scale_are_refused(learning: LearningService) -> None:
    with pytest.raises(InvalidInput):
        learning.save_self_assessment(LEARNER, Phase.BEFORE, {"ask": 9})


def test_scenario_choices_are_written_and_resumed(practice: Practice) -> None:
    view = practice.scenario_view(LEARNER, "sample", "rounds")
    view = practice.choose(LEARNER, "sample", "rounds", view.attempt_id, 0, "explain")
    resumed = practice.scenario_view(LEARNER, "sample", "rounds")  # a reload, another device
    assert resumed.attempt_id == view.attempt_id
    assert resumed.state.node.id == "retry"
    assert resumed.state.feedback == "She nods and looks away."
    assert {c.id for c in resumed.choices} == {"reopen", "ignore", "joke"}
    assert [c.id for c in resumed.choices] == [c.id for c in view.choices]  # same order


def test_a_double_click_records_one_choice(
    practice: Practice, store: FakeLearningRepository
) -> None:
    view = practice.scenario_view(LEARNER, "sample", "rounds")
    practice.choose(LEARNER, "sample", "rounds", view.attempt_id, 0, "thank")
    again = practice.choose(LEARNER, "sample", "rounds", view.attempt_id, 0, "explain")
    assert again.state.node.id == "second"
    attempt = store.scenarios[view.attempt_id][1]
    assert [c.choice_id for c in attempt.choices] == ["thank"]


def test_choices_made_on_the_view_shown_give_what_reading_the_attempt_gives(
    learning: LearningService, practice: Practice
) -> None:
    practice.replay(LEARNER, "sample", "rounds")  # an earlier attempt, scored
    practice.replay(OTHER, "sample", "rounds")
    for actor in (LEARNER, OTHER):
        view = practice.scenario_view(actor, "sample", "rounds")
        for choice in ("thank", "defend"):
            view = practice.choose(
                actor, "sample", "rounds", view.attempt_id, view.position, choice
            )
        practice.replay(actor, "sample", "rounds")
    shown = practice.scenario_view(LEARNER, "sample", "rounds")
    read = practice.scenario_view(OTHER, "sample", "rounds")
    for choice in ("thank", "plan", "follow"):
        shown = practice.choose(
            LEARNER, "sample", "rounds", shown.attempt_id, shown.position, choice, shown=shown
        )
        read = practice.choose(OTHER, "sample", "rounds", read.attempt_id, read.position, choice)
        assert (shown.state, shown.earlier_scores, shown.restarted) == (
            read.state,
            read.earlier_scores,
            read.restarted,
        )
        assert [c.id for c in shown.choices] == [
            c.id for c in practice.scenario_view(LEARNER, "sample", "rounds").choices
        ]
    assert shown.state.ended and shown.earlier_scores == (0.5,)
    assert "rounds" in learning.record(LEARNER).completed("sample")
    assert practice.scenario_view(LEARNER, "sample", "rounds").state == shown.state


def test_a_view_shown_that_another_tab_moved_past_records_nothing_and_shows_the_latest(
    practice: Practice, store: FakeLearningRepository
) -> None:
    first_tab = practice.scenario_view(LEARNER, "sample", "rounds")
    second_tab = practice.choose(
        LEARNER, "sample", "rounds", first_tab.attempt_id, 0, "thank", shown=first_tab
    )
    answer = practice.choose(
        LEARNER, "sample", "rounds", first_tab.attempt_id, 0, "explain", shown=first_tab
    )
    assert answer.state == second_tab.state and answer.state.node.id == "second"
    replayed = practice.replay(LEARNER, "sample", "rounds")  # the second tab starts again
    late = practice.choose(
        LEARNER, "sample", "rounds", second_tab.attempt_id, 1, "plan", shown=second_tab
    )
    assert late.attempt_id == replayed.attempt_id and late.state.path == ()
    attempts = {a.id: [c.choice_id for c in a.choices] for _, a in store.scenarios.values()}
    assert attempts == {first_tab.attempt_id: ["thank"], replayed.attempt_id: []}


def test_reaching_an_ending_completes_the_step_and_replay_keeps_earlier_attempts(
    learning: LearningService, practice: Practice, store: FakeLearningRepository
) -> None:
    view = practice.scenario_view(LEARNER, "sample", "rounds")
    for choice in ("thank", "defend"):
        view = practice.choose(LEARNER, "sample", "rounds", view.attempt_id, view.position, choice)
    assert view.state.ending is not None and view.state.ending.ending == "poor"
    assert view.state.score == 0.5
    assert "rounds" in learning.record(LEARNER).completed("sample")
    assert practice.scenario_view(LEARNER, "sample", "rounds").state.ended  # a reload shows it
    replay = practice.replay(LEARNER, "sample", "rounds")
    assert replay.attempt_id != view.attempt_id and replay.earlier_scores == (0.5,)
    assert len([a for _, a in store.scenarios.values()]) == 2


def test_choices_not_on_offer_and_other_peoples_attempts_are_refused(practice: Practice) -> None:
    view = practice.scenario_view(LEARNER, "sample", "rounds")
    with pytest.raises(InvalidInput):
        practice.choose(LEARNER, "sample", "rounds", view.attempt_id, 0, "follow")
    with pytest.raises(NotFound):
        practice.choose(OTHER, "sample", "rounds", view.attempt_id, 0, "thank")


def test_a_scenario_whose_node_vanished_restarts_with_a_notice(
    practice: Practice, store: FakeLearningRepository
) -> None:
    view = practice.scenario_view(LEARNER, "sample", "rounds")
    store.record_choice(LEARNER.user_id, view.attempt_id, 0, "first", "removed-choice", "okay")
    resumed = practice.scenario_view(LEARNER, "sample", "rounds")
    assert resumed.restarted and resumed.attempt_id != view.attempt_id
    assert resumed.state.node.id == "first" and resumed.state.path == ()


def test_quiz_fail_then_pass_with_per_option_feedback(
    learning: LearningService, practice: Practice
) -> None:
    view = practice.quiz_view(LEARNER, "sample", "check")
    failed = practice.submit_quiz(
        LEARNER, "sample", "check", view.attempt_id, {"q1": {"b"}, "q2": {"b"}}
    )
    assert failed.result is not None and not failed.result.passed
    assert failed.result.questions[0].chosen[0].feedback == "Reasons sound like defense."
    assert "check" not in learning.record(LEARNER).completed("sample")
    retry = practice.retry_quiz(LEARNER, "sample", "check")
    assert retry.attempt_id != view.attempt_id and retry.result is None
    passed = practice.submit_quiz(
        LEARNER, "sample", "check", retry.attempt_id, {"q1": {"a"}, "q2": {"b"}}
    )
    assert passed.result is not None and passed.result.passed and passed.attempts == 2
    assert "check" in learning.record(LEARNER).completed("sample")


def test_quiz_double_submit_keeps_the_first_answers(practice: Practice) -> None:
    view = practice.quiz_view(LEARNER, "sample", "check")
    first = practice.submit_quiz(
        LEARNER, "sample", "check", view.attempt_id, {"q1": {"b"}, "q2": {"b"}}
    )
    second = practice.submit_quiz(
        LEARNER, "sample", "check", view.attempt_id, {"q1": {"a"}, "q2": {"a", "c"}}
    )
    assert first.result is not None and second.result is not None
    assert second.result.score == first.result.score == 0.0


@pytest.mark.parametrize("answers", [{"q1": {"a"}}, {}, {"q1": set(), "q2": {"a"}}])
def test_unanswered_questions_are_refused(practice: Practice, answers: dict[str, set[str]]) -> None:
    view = practice.quiz_view(LEARNER, "sample", "check")
    with pytest.raises(InvalidInput, match="Answer every question"):
        practice.submit_quiz(LEARNER, "sample", "check", view.attempt_id, answers)


def test_another_learners_quiz_attempt_is_not_found(practice: Practice) -> None:
    view = practice.quiz_view(LEARNER, "sample", "check")
    with pytest.raises(NotFound):
        practice.submit_quiz(OTHER, "sample", "check", view.attempt_id, {"q1": {"a"}, "q2": {"a"}})


@pytest.mark.parametrize(("text", "complete"), [("too short", False), ("three good words", True)])
def test_reflection_completes_at_min_words(
    learning: LearningService, text: str, complete: bool
) -> None:
    assert learning.save_reflection(LEARNER, "sample", "think", text) is complete
    assert ("think" in learning.record(LEARNER).completed("sample")) is complete
    assert [r.text for r in learning.record(LEARNER).reflections] == [text]
    assert learning.record(OTHER).reflections == []


def test_empty_reflection_is_refused(learning: LearningService) -> None:
    with pytest.raises(InvalidInput):
        learning.save_reflection(LEARNER, "sample", "think", "   ")


def test_commitment_check_in_is_due_from_the_target_date(learning: LearningService) -> None:
    assert learning.default_target_date("sample", "plan") == TODAY + timedelta(days=14)
    saved = learning.save_commitment(
        LEARNER,
        "sample",
        "plan",
        "When rounds end",
        "I will ask one resident",
        TODAY + timedelta(days=14),
    )
    assert learning.overview(LEARNER).commitments_due == ()
    later = LearningService(learning.uow, learning.content, lambda: TODAY + timedelta(days=14))
    assert [c.id for c in later.overview(LEARNER).commitments_due] == [saved.id]
    later.check_in(LEARNER, saved.id, "partly", "  Asked once ")
    # the fake's check-in is dated NOW (before the target), so check the stored note instead
    assert learning.record(LEARNER).commitments[0].check_ins[0].note == "Asked once"
    with pytest.raises(NotFound):
        learning.check_in(OTHER, saved.id, "done", None)
    with pytest.raises(InvalidInput):
        learning.check_in(LEARNER, saved.id, "maybe", None)


@pytest.mark.parametrize(
    ("cue", "action", "target"),
    [
        ("", "I will ask", TODAY),
        ("When rounds end", " ", TODAY),
        ("When rounds end", "I will ask", TODAY - timedelta(days=1)),
    ],
)
def test_incomplete_plans_are_refused(
    learning: LearningService, cue: str, action: str, target: date
) -> None:
    with pytest.raises(InvalidInput):
        learning.save_commitment(LEARNER, "sample", "plan", cue, action, target)


def test_preview_is_for_facilitators_and_never_counts(
    learning: LearningService, practice: Practice
) -> None:
    with pytest.raises(PermissionDenied):
        practice.scenario_view(LEARNER, "sample", "rounds", preview=True)
    play_best(practice, FACILITATOR, preview=True)
    assert learning.overview(FACILITATOR).modules[0].completed_steps == frozenset()
    assert "rounds" in learning.record(FACILITATOR, preview=True).completed("sample")


def test_unknown_modules_and_steps_are_not_found(learning: LearningService) -> None:
    with pytest.raises(NotFound):
        learning.open_step(LEARNER, "no-such-module", "why")
    with pytest.raises(NotFound):
        learning.open_step(LEARNER, "sample", "no-such-step")


@pytest.mark.parametrize("value", [0, 6, True])
def test_a_self_assessment_answer_off_the_scale_is_refused_and_nothing_kept(
    learning: LearningService, store: FakeLearningRepository, value: int
) -> None:
    with pytest.raises(InvalidInput, match="on the scale"):
        learning.save_self_assessment(LEARNER, Phase.BEFORE, {"ask": 3, "credit": value})
    assert store.surveys == {}
