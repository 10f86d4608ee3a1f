"""Nothing a learner types is lost: successive saves, a database outage, the same-run progress."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from streamlit.testing.v1 import AppTest

from modules.services.actors import Actor
from modules.services.errors import DATABASE_DOWN, StorageUnavailable
from modules.services.runtime import runtime
from modules.services.uow import SqlUnitOfWork
from progress import journal_repo

AppAs = Callable[..., AppTest]
VERSIONS = [
    "Dr. Rivera",
    "Dr. Rivera, about rounds",
    "Dr. Rivera, about how rounds run and who speaks first",
    "Dr. Rivera and the charge nurse, about how rounds run and who speaks first",
    "Dr. Rivera and the charge nurse, about rounds.\r\nThen the residents, on Friday.",
]


def player(app_as: AppAs, actor: Actor, step: str) -> AppTest:
    at = app_as(actor, module="sample", step=step)
    at.switch_page("pages/player.py")
    at.run()
    assert not at.exception, at.exception
    return at


def save(at: AppTest, label: str) -> None:
    next(b for b in at.button if b.label == label).click()
    at.run()
    assert not at.exception, at.exception


def stored_reflection(actor: Actor) -> str | None:
    with runtime().transaction() as session:
        found = journal_repo.reflections(session, actor.user_id, "test-course")
    return found[0].text if found else None


class Outage:
    """Makes every SQL unit of work fail as an unreachable database would, until `end()`."""

    def __init__(self) -> None:
        self._monkeypatch = pytest.MonkeyPatch()  # its own: undo() must not undo the fixtures'

    def start(self) -> None:
        def down(_: SqlUnitOfWork) -> SqlUnitOfWork:
            raise StorageUnavailable(DATABASE_DOWN)

        self._monkeypatch.setattr(SqlUnitOfWork, "__enter__", down)

    def end(self) -> None:
        self._monkeypatch.undo()


def test_five_successive_reflection_saves_in_one_visit_all_stick(
    app_as: AppAs, learner: Actor
) -> None:
    at = player(app_as, learner, "think")
    for version in VERSIONS:
        at.text_area[0].set_value(version)
        save(at, "Save my reflection")
        expected = version.replace("\r\n", "\n")
        assert at.text_area[0].value == version  # the box keeps what was typed
        assert stored_reflection(learner) == expected
    again = player(app_as, learner, "think")  # a reload
    assert again.text_area[0].value == VERSIONS[-1].replace("\r\n", "\n")


def test_a_reflection_typed_while_the_database_is_down_is_kept_and_saved_later(
    app_as: AppAs, learner: Actor
) -> None:
    at = player(app_as, learner, "think")
    outage = Outage()
    outage.start()
    at.text_area[0].set_value("Ask the charge nurse what she sees at handoff")
    save(at, "Save my reflection")
    assert DATABASE_DOWN in [e.value for e in at.error]
    assert at.text_area[0].value == "Ask the charge nurse what she sees at handoff"
    at.run()  # another rerun while still down: the draft is still there
    assert at.text_area[0].value == "Ask the charge nurse what she sees at handoff"
    outage.end()
    save(at, "Save my reflection")
    assert at.success[0].value == "Saved."
    assert stored_reflection(learner) == "Ask the charge nurse what she sees at handoff"


def test_a_plan_typed_while_the_database_is_down_is_kept_and_saved_later(
    app_as: AppAs, learner: Actor
) -> None:
    at = player(app_as, learner, "plan")
    outage = Outage()
    outage.start()
    at.text_input[0].set_value("the Friday huddle ends")
    at.text_input[1].set_value("ask who has not spoken yet")
    save(at, "Save my plan")
    assert DATABASE_DOWN in [e.value for e in at.error]
    assert [t.value for t in at.text_input[:2]] == [
        "the Friday huddle ends",
        "ask who has not spoken yet",
    ]
    outage.end()
    save(at, "Save my plan")
    with runtime().transaction() as session:
        (plan,) = journal_repo.commitments(session, learner.user_id, "test-course")
    assert (plan.cue, plan.action) == ("the Friday huddle ends", "ask who has not spoken yet")


def progress_named(at: AppTest, name: str) -> bool:
    """A progress bar whose accessible name is `name` (render.progress_bar) is on the page."""
    return any(f'aria-label="{name}"' in h.proto.body for h in at.get("html"))


def test_the_save_that_completes_a_step_shows_in_the_same_run(
    app_as: AppAs, learner: Actor
) -> None:
    at = player(app_as, learner, "think")
    steps = len(at.sidebar.get("page_link")) + 1  # the step shown is text, the others links
    assert progress_named(at, f"0 of {steps} steps done")
    (header,) = [h.proto.body for h in at.main.get("html") if "progressbar" in h.proto.body]
    assert f"A sample module · step 4 of {steps}</p>" in header  # the caption, in the same element
    assert ":material/circle: **" in this_step(at)
    at.text_area[0].set_value("Dr. Rivera about rounds")
    save(at, "Save my reflection")
    assert progress_named(at, f"1 of {steps} steps done")
    assert not [p for p in at.sidebar.get("page_link") if "check_circle" in p.proto.icon]
    assert ":material/check_circle: **" in this_step(at) and "Reflect" in this_step(at)
    # Straight in the sidebar, after who is signed in: no placeholder block (a message a run).
    kinds = [type(node).__name__ for node in at.sidebar.children.values()]
    assert "Block" not in kinds and kinds[-1] == "PageLink"


def this_step(at: AppTest) -> str:
    """The step list's line for the step shown (text, not a link)."""
    (line,) = [m.value for m in at.sidebar.markdown if m.value.endswith("(this step)")]
    return str(line)


def test_the_self_assessment_offers_its_way_back_on_every_run(
    app_as: AppAs, learner: Actor
) -> None:
    at = app_as(learner, module="survey", step="habits", phase="before")
    at.switch_page("pages/player.py")
    at.run()
    for radio in at.main.radio:
        radio.set_value(3)
    save(at, "Save my answers")
    assert "Back to the course" in [p.proto.label for p in at.main.get("page_link")]
    at.run()  # the next rerun (a click is one) still offers it: a link, not a one-run button
    links = {p.proto.label: p.proto.page for p in at.main.get("page_link")}
    assert links["Back to the course"] == "home"


def test_the_save_that_finishes_a_module_says_so_and_offers_what_comes_next(
    app_as: AppAs, learner: Actor
) -> None:
    from modules.course.validation import validate_directory
    from modules.services.learning import LearningService
    from modules.services.practice import Practice
    from tests.ui.conftest import SAMPLE

    content = validate_directory(SAMPLE).content
    assert content is not None
    learning = LearningService(runtime().uow, content)
    practice = Practice(learning)
    learning.complete_lesson(learner, "sample", "why")
    view = practice.scenario_view(learner, "sample", "rounds")
    for position, choice in enumerate(("thank", "plan", "follow")):
        view = practice.choose(learner, "sample", "rounds", view.attempt_id, position, choice)
    quiz = practice.quiz_view(learner, "sample", "check")
    practice.submit_quiz(
        learner, "sample", "check", quiz.attempt_id, {"q1": {"a"}, "q2": {"a", "c"}}
    )
    learning.save_reflection(learner, "sample", "think", "Ask Dr. Rivera about rounds")
    at = player(app_as, learner, "plan")  # the last required step
    assert not [s for s in at.success if "module" in str(s.value)]
    at.text_input[0].set_value("rounds end on Friday")
    at.text_input[1].set_value("ask one resident for feedback")
    save(at, "Save my plan")
    assert "You completed this module." in [s.value for s in at.success]
    links = [p.proto.label for p in at.main.get("page_link")]
    assert "Back to the course" in links
    again = player(app_as, learner, "plan")  # later visits say it is complete, not "just now"
    assert "This module is complete." in [s.value for s in again.success]
