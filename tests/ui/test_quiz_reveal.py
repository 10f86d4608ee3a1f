"""A knowledge check that teaches: what a learner sees after failing, failing again, passing.

The sample quiz (tests/data/valid) has a single-answer question q1 (right: a) and a
multi-select q2 (right: a and c), pass mark 0.5; here each question gets an explanation. After
a failed attempt the page must hold neither the right answers nor the explanations, anywhere
(AppTest renders collapsed expanders too), and q2's chosen options carry no verdict.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from modules.services.actors import Actor
from tests.ui.conftest import SAMPLE

AppAs = Callable[..., AppTest]

Q1_RIGHT = "Thanking the person"  # the right option of q1; never chosen below before passing
Q2_UNCHOSEN_RIGHT = "Did I cut anyone off today?"  # a right option of q2, not chosen when failing
EXPLANATIONS = ("Thanks first tells people", "A specific request names")
WRONG = {"q1": "b", "q2": ("a", "b")}  # q1 wrong; q2 one right and one wrong option
RIGHT = {"q1": "a", "q2": ("a", "c")}


def quiz_content(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, reveal: str = "") -> None:
    content = tmp_path / "content"
    shutil.copytree(SAMPLE, content)
    module = content / "modules" / "sample.yaml"
    text = module.read_text(encoding="utf-8")
    text = text.replace("pass_mark: 0.5", f"pass_mark: 0.5{reveal}")
    text = text.replace(
        "            feedback: Reasons sound like defense.\n",
        "            feedback: Reasons sound like defense.\n"
        "        explanation: Thanks first tells people it was safe to speak.\n",
    )
    text = text.replace(
        "            text: Did I cut anyone off today?\n            correct: true\n",
        "            text: Did I cut anyone off today?\n            correct: true\n"
        "        explanation: A specific request names one behavior on one occasion.\n",
    )
    assert text.count("explanation:") == 2
    module.write_text(text, encoding="utf-8")
    monkeypatch.setenv("ALLY_CONTENT_DIR", str(content))
    st.cache_resource.clear()


@pytest.fixture
def default_quiz(app_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    quiz_content(app_env, monkeypatch)


def open_quiz(app_as: AppAs, actor: Actor) -> AppTest:
    at = app_as(actor, module="sample", step="check")
    at.switch_page("pages/player.py")
    at.run()
    assert not at.exception, at.exception
    return at


def submit(at: AppTest, answers: dict[str, str | tuple[str, ...]]) -> None:
    at.main.radio[0].set_value(answers["q1"])
    for box in at.checkbox:
        if any(box.key.endswith(f"-q2-{option}") for option in answers["q2"]):
            box.check()
    next(b for b in at.button if b.label == "Check my answers").click()
    at.run()
    assert not at.exception, at.exception


def retry(at: AppTest) -> None:
    at.button(key="quiz-retry").click().run()
    assert not at.exception, at.exception


def page_text(at: AppTest) -> str:
    """Every text on the page, expanders' labels and contents (open or not) included."""
    parts = [
        str(e.value)
        for kind in ("markdown", "caption", "success", "warning", "info")
        for e in getattr(at, kind)
    ]
    parts += [e.label for e in at.expander]
    parts += [str(o) for r in at.radio for o in r.options] + [c.label for c in at.checkbox]
    return "\n".join(parts)


def test_failed_once_shows_right_and_wrong_and_feedback_but_no_answers(
    app_as: AppAs, learner: Actor, default_quiz: None
) -> None:
    at = open_quiz(app_as, learner)
    submit(at, WRONG)
    page = page_text(at)
    assert "You got 0 of 2 right" in at.warning[0].value
    assert [e.label for e in at.expander] == [
        "Question 1: Not right · What keeps feedback coming?",
        "Question 2: Not right · Which are specific requests?",
    ]
    assert "Reasons sound like defense." in page  # the chosen option's feedback
    assert "You chose: *Explaining your reasons* (not right)" in page
    assert "You chose: *What could I do differently on rounds?*\n" in page + "\n"
    assert "You chose: *Any thoughts?*\n" in page + "\n"  # multi-select: no verdict per option
    for secret in (Q1_RIGHT, Q2_UNCHOSEN_RIGHT, "Right answer", "(right)", *EXPLANATIONS):
        assert secret not in page
    assert "after 1 more attempt" not in page and "after one more attempt" in page


def test_the_retry_form_shows_no_answers_either(
    app_as: AppAs, learner: Actor, default_quiz: None
) -> None:
    at = open_quiz(app_as, learner)
    submit(at, WRONG)
    retry(at)
    page = page_text(at)
    assert not at.expander and "Check my answers" in [b.label for b in at.button]
    for secret in ("Right answer", "(right)", "(not right)", *EXPLANATIONS):
        assert secret not in page
    reloaded = open_quiz(app_as, learner)  # a reload keeps the open retry, answers still hidden
    assert not reloaded.expander and "Right answer" not in page_text(reloaded)


def test_failed_reveal_after_times_shows_the_answers_and_explanations(
    app_as: AppAs, learner: Actor, default_quiz: None
) -> None:
    at = open_quiz(app_as, learner)
    submit(at, WRONG)
    retry(at)
    submit(at, WRONG)
    page = page_text(at)
    assert "You got 0 of 2 right" in at.warning[0].value
    assert f"Right answer: *{Q1_RIGHT}*" in page
    assert f"Right answer: *What could I do differently on rounds?*; *{Q2_UNCHOSEN_RIGHT}*" in page
    assert "You chose: *Any thoughts?* (not right)" in page
    for explanation in EXPLANATIONS:
        assert explanation in page
    reloaded = open_quiz(app_as, learner)  # the same result after a reload
    assert f"Right answer: *{Q1_RIGHT}*" in page_text(reloaded)


def test_passed_shows_the_explanations(app_as: AppAs, learner: Actor, default_quiz: None) -> None:
    at = open_quiz(app_as, learner)
    submit(at, RIGHT)
    page = page_text(at)
    assert "You got 2 of 2 right" in at.success[0].value
    assert [e.label.split(" · ")[0] for e in at.expander] == [
        "Question 1: Right",
        "Question 2: Right",
    ]
    assert f"You chose: *{Q1_RIGHT}* (right)" in page
    assert "Right answer" not in page  # nothing was wrong
    for explanation in EXPLANATIONS:
        assert explanation in page


def test_a_pass_after_a_failure_shows_the_answers_then_and_on_a_failed_retry(
    app_as: AppAs, learner: Actor, default_quiz: None
) -> None:
    at = open_quiz(app_as, learner)
    submit(at, WRONG)
    retry(at)
    submit(at, RIGHT)
    assert all(explanation in page_text(at) for explanation in EXPLANATIONS)
    retry(at)
    submit(at, WRONG)  # having passed, he has seen the answers: a failed retry shows them too
    assert f"Right answer: *{Q1_RIGHT}*" in page_text(at)


@pytest.mark.parametrize(
    ("reveal", "failures_to_show"),
    [("\n    reveal_after: 0", 1), ("\n    reveal_after: 1", 1), ("\n    reveal_after: 3", 3)],
    ids=["0", "1", "3"],
)
def test_reveal_after_sets_the_failures_before_the_answers_show(
    app_as: AppAs,
    learner: Actor,
    app_env: Path,
    monkeypatch: pytest.MonkeyPatch,
    reveal: str,
    failures_to_show: int,
) -> None:
    quiz_content(app_env, monkeypatch, reveal)
    at = open_quiz(app_as, learner)
    for failure in range(1, failures_to_show + 1):
        if failure > 1:
            retry(at)
        submit(at, WRONG)
        shown = "Right answer" in page_text(at)
        assert shown == (failure == failures_to_show), failure
