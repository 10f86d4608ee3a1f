"""Every learner page through AppTest: what is shown, what is written, what comes back."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import streamlit as st
from sqlalchemy import event
from streamlit.testing.v1 import AppTest

from modules.services.actors import Actor
from modules.services.errors import DATABASE_DOWN, StorageUnavailable
from modules.services.practice import Practice
from modules.services.runtime import runtime
from progress import journal_repo, scenario_repo, step_repo
from tests.ui.conftest import SAMPLE

AppAs = Callable[..., AppTest]


def player(app_as: AppAs, actor: Actor, step: str, **extra: str) -> AppTest:
    at = app_as(actor, module="sample", step=step, **extra)
    at.switch_page("pages/player.py")
    at.run()
    assert not at.exception, at.exception
    return at


def texts(at: AppTest) -> str:
    return "\n".join(str(m.value) for m in at.markdown) + "\n".join(
        str(c.value) for c in at.caption
    )


def test_home_offers_the_self_assessment_and_one_start_button(
    app_as: AppAs, learner: Actor
) -> None:
    at = app_as(learner)
    at.run()
    assert not at.exception
    assert at.title[0].value == "Test course"
    labels = [b.label for b in at.button]
    assert "Take the self-assessment" in labels
    assert at.button(key="continue").label == "Start: A sample module"
    assert "Welcome, Dev Patel." in texts(at)


def test_continue_opens_the_player_where_the_learner_stopped(app_as: AppAs, learner: Actor) -> None:
    at = player(app_as, learner, "check")
    assert at.header[0].value == "Quiz"
    home = app_as(learner)
    home.run()
    assert home.button(key="continue").label == "Continue: A sample module"
    home.button(key="continue").click().run()
    assert not home.exception
    assert dict(home.query_params) == {"module": "sample", "step": "check"}


def test_a_lesson_completes_and_moves_on(app_as: AppAs, learner: Actor) -> None:
    at = player(app_as, learner, "why")
    assert "Allies ask for feedback" in texts(at)
    assert "\\[1\\]" in texts(at)  # citations become numbered references
    at.button(key="lesson-done").click().run()
    assert at.header[0].value == "After rounds"
    with runtime().sessions.begin() as s:
        done = {
            r.step.step_id
            for r in step_repo.step_progress(s, learner.user_id, "test-course")
            if r.status == "completed"
        }
    assert done == {"why"}


def test_a_scenario_shows_one_node_at_a_time_and_resumes_on_reload(
    app_as: AppAs, learner: Actor
) -> None:
    at = player(app_as, learner, "rounds")
    assert "She waits for your answer." in texts(at)
    _choose(at, "explain")
    page = texts(at)
    assert "She nods and looks away." in page and "The next morning she avoids your eye." in page
    reloaded = player(app_as, learner, "rounds")  # a refresh, or another device
    assert "The next morning she avoids your eye." in texts(reloaded)
    assert len(_options(reloaded)) == 3


def test_opening_a_scenario_takes_one_unit_of_work_as_opening_a_lesson_does(
    app_as: AppAs, learner: Actor
) -> None:
    """The first run of a visit notes the step and reads the scenario in one transaction."""

    def transactions_of(step: str) -> int:
        begun: list[object] = []

        def count(connection: object) -> None:
            begun.append(connection)

        engine = runtime().engine
        event.listen(engine, "begin", count)
        try:
            player(app_as, learner, step)
        finally:
            event.remove(engine, "begin", count)
        return len(begun)

    assert transactions_of("rounds") == transactions_of("why")
    with runtime().transaction() as session:
        [attempt] = scenario_repo.scenario_attempts(session, learner.user_id, "test-course")
        position = step_repo.last_position(session, learner.user_id, "test-course")
    assert attempt.step.step_id == "rounds" and attempt.choices == ()
    assert position is not None and position.step_id == "why"  # the visit opened last


def _options(at: AppTest) -> dict[str, Any]:
    """The decision's buttons by choice id: one button per option, the option's text its label."""
    return {b.key.split("-", 3)[3]: b for b in at.main.button if b.key.startswith("choose-")}


def _choose(at: AppTest, choice_id: str) -> None:
    _options(at)[choice_id].click()
    at.run()
    assert not at.exception, at.exception


def test_a_scenario_ending_shows_the_path_score_and_coaching(app_as: AppAs, learner: Actor) -> None:
    at = player(app_as, learner, "rounds")
    for choice in ("explain", "reopen", "plan", "follow"):
        _choose(at, choice)
    page = texts(at)
    assert "Rounds change, and she presents first." in page
    assert "Thanking and asking keeps the door open." in page
    assert at.metric[0].value == "75%"
    assert page.count("Backfired") == 1 and page.count("Strong move") == 3
    next(b for b in at.button if b.label == "Play it again").click()
    at.run()
    assert "She waits for your answer." in texts(at)
    with runtime().sessions.begin() as s:
        attempts = scenario_repo.scenario_attempts(s, learner.user_id, "test-course")
    assert [a.score for a in attempts] == [0.75, None]


def test_a_quiz_fails_then_passes_with_feedback(app_as: AppAs, learner: Actor) -> None:
    at = player(app_as, learner, "check")
    at.main.radio[0].set_value("b")
    at.checkbox(key=next(c.key for c in at.checkbox if c.key.endswith("-q2-b"))).check()
    next(b for b in at.button if b.label == "Check my answers").click()
    at.run()
    assert "You got 0 of 2 right" in at.warning[0].value
    assert "Reasons sound like defense." in texts(at)
    at.button(key="quiz-retry").click().run()
    at.main.radio[0].set_value("a")
    for box in at.checkbox:
        if box.key.endswith("-q2-a") or box.key.endswith("-q2-c"):
            box.check()
    next(b for b in at.button if b.label == "Check my answers").click()
    at.run()
    assert "You got 2 of 2 right" in at.success[0].value


def test_unanswered_quiz_is_refused_with_a_message(app_as: AppAs, learner: Actor) -> None:
    at = player(app_as, learner, "check")
    next(b for b in at.button if b.label == "Check my answers").click()
    at.run()
    assert "Answer every question first" in at.error[0].value


def test_a_submit_and_a_retry_draw_the_page_once_with_the_step_done(
    app_as: AppAs, learner: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One run per click: the marked attempt, and the header showing the step done, at once.

    A rerun after the submit drew the whole page twice: every element is a message.
    """
    at = player(app_as, learner, "check")
    runs: list[str] = []
    quiz_view = Practice.quiz_view

    def counted(self: Practice, *args: Any, **kwargs: Any) -> Any:
        runs.append("quiz")
        return quiz_view(self, *args, **kwargs)

    monkeypatch.setattr(Practice, "quiz_view", counted)
    at.main.radio[0].set_value("a")
    at.checkbox(key=next(c.key for c in at.checkbox if c.key.endswith("-q2-a"))).check()
    at.checkbox(key=next(c.key for c in at.checkbox if c.key.endswith("-q2-c"))).check()
    next(b for b in at.button if b.label == "Check my answers").click()
    at.run()
    assert not at.exception, at.exception
    assert runs == ["quiz"]
    assert "You got 2 of 2 right" in at.success[0].value
    assert any('aria-label="1 of ' in h.proto.body for h in at.main.get("html"))
    at.button(key="quiz-retry").click().run()
    assert runs == ["quiz", "quiz"]
    assert "Check my answers" in [b.label for b in at.button] and not at.success
    assert at.main.radio[0].value is None  # a new attempt: nothing ticked


def test_a_refused_submit_is_said_once_even_when_the_page_could_not_be_read(
    app_as: AppAs, learner: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The database goes down at the submit and is back for the next click: no stale message."""
    at = player(app_as, learner, "check")
    quiz_view, down = Practice.quiz_view, [True]

    def submit(*_: Any, **__: Any) -> Any:
        raise StorageUnavailable(DATABASE_DOWN)

    def view_once_down(self: Practice, *args: Any, **kwargs: Any) -> Any:
        if down.pop() if down else False:
            raise StorageUnavailable(DATABASE_DOWN)
        return quiz_view(self, *args, **kwargs)

    monkeypatch.setattr(Practice, "submit_quiz", submit)
    monkeypatch.setattr(Practice, "quiz_view", view_once_down)
    at.main.radio[0].set_value("a")
    next(b for b in at.button if b.label == "Check my answers").click()
    at.run()
    # the read fails too (AppTest runs the page without the navigation script, which would
    # show it as a message): nothing is said of the submit yet
    assert at.exception and not at.error
    at.run()  # the next click, with the database back
    assert not at.exception and not at.error
    assert "Check my answers" in [b.label for b in at.button]


def test_a_reflection_says_it_is_private_and_is_saved(app_as: AppAs, learner: Actor) -> None:
    at = player(app_as, learner, "think")
    assert "Only you can read" in texts(at)
    at.text_area[0].set_value("Dr. Rivera, about how rounds run")
    next(b for b in at.button if b.label == "Save my reflection").click()
    at.run()
    assert at.success[0].value == "Saved."
    again = player(app_as, learner, "think")
    assert again.text_area[0].value == "Dr. Rivera, about how rounds run"


def test_a_commitment_is_an_if_then_plan_with_a_date(app_as: AppAs, learner: Actor) -> None:
    at = player(app_as, learner, "plan")
    at.text_input[0].set_value("rounds end on Friday")
    at.text_input[1].set_value("ask one resident for feedback")
    next(b for b in at.button if b.label == "Save my plan").click()
    at.run()
    assert "the app will ask you how it went" in at.success[0].value
    with runtime().sessions.begin() as s:
        (plan,) = journal_repo.commitments(s, learner.user_id, "test-course")
    assert (plan.cue, plan.action) == ("rounds end on Friday", "ask one resident for feedback")
    assert (plan.target_date - plan.created_at.date()).days == 14


def test_self_assessment_then_progress_chart(app_as: AppAs, learner: Actor) -> None:
    for phase, value in (("before", 2), ("after", 4)):
        at = app_as(learner, module="survey", step="habits", phase=phase)
        at.switch_page("pages/player.py")
        at.run()
        for radio in at.main.radio:
            radio.set_value(value)
        next(b for b in at.button if b.label == "Save my answers").click()
        at.run()
        assert not at.exception and "Thank you" in at.success[0].value
    progress = app_as(learner)
    progress.switch_page("pages/progress.py")
    progress.run()
    assert not progress.exception
    assert "chart appears once" not in texts(progress)


def test_progress_page_empty_states(app_as: AppAs, learner: Actor) -> None:
    at = app_as(learner)
    at.switch_page("pages/progress.py")
    at.run()
    assert not at.exception
    page = texts(at)
    assert "Scenario scores appear here" in page and "Plans you make" in page


def test_privacy_page_is_plain(app_as: AppAs, learner: Actor) -> None:
    at = app_as(learner)
    at.switch_page("pages/privacy.py")
    at.run()
    assert at.title[0].value == "What facilitators can see"
    assert "Your reflections. No facilitator" in texts(at)


def test_preview_is_for_facilitators(app_as: AppAs, learner: Actor, facilitator: Actor) -> None:
    at = player(app_as, learner, "why", preview="1")
    assert "only facilitators" in at.error[0].value.lower()
    at = player(app_as, facilitator, "why", preview="1")
    assert "Preview" in at.info[0].value


def test_content_page_names_broken_modules_to_facilitators(
    app_as: AppAs, facilitator: Actor, learner: Actor
) -> None:
    at = app_as(facilitator)
    at.switch_page("pages/content_health.py")
    at.run()
    assert not at.exception and "Every module validates." in at.success[0].value
    denied = app_as(learner)
    denied.switch_page("pages/content_health.py")
    denied.run()
    assert denied.error and "facilitators" in denied.error[0].value.lower()


def test_an_unknown_module_gets_a_message_not_a_traceback(app_as: AppAs, learner: Actor) -> None:
    at = app_as(learner, module="nope", step="x")
    at.switch_page("pages/player.py")
    at.run()
    assert not at.exception
    assert "not available" in at.error[0].value


def test_a_broken_module_is_hidden_from_learners_and_named_to_facilitators(
    app_as: AppAs,
    facilitator: Actor,
    learner: Actor,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    content = tmp_path / "content"
    shutil.copytree(SAMPLE, content)
    course = content / "course.yaml"
    course.write_text(course.read_text().replace("  - sample\n", "  - sample\n  - broken\n"))
    (content / "modules" / "broken.yaml").write_text("id: broken\ntitle: Broken\n")
    monkeypatch.setenv("ALLY_CONTENT_DIR", str(content))
    st.cache_resource.clear()
    home = app_as(learner)
    home.run()
    assert not home.exception
    assert "1 module(s) are being updated and are hidden" in texts(home)
    opens = [link.proto.label for link in home.get("page_link")]
    assert opens == ["Open module 1"]
    page = app_as(facilitator)
    page.switch_page("pages/content_health.py")
    page.run()
    assert "1 file(s) have errors" in page.error[0].value
    assert "missing required field 'summary'" in page.code[0].value
