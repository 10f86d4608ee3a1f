"""The pages and xAPI: with ALLY_LRS_URL set, a click queues its statement; the privacy page
says what the organisation's learning records system receives. Through AppTest, on SQLite.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from modules.services.actors import Actor
from modules.services.runtime import runtime
from progress.tables import XapiOutboxRow

AppAs = Callable[..., AppTest]


def lesson_done(app_as: AppAs, learner: Actor) -> None:
    at = app_as(learner, module="sample", step="why")
    at.switch_page("pages/player.py")
    at.run()
    at.button(key="lesson-done").click().run()
    assert not at.exception, at.exception


def queued() -> list[dict[str, object]]:
    with runtime().sessions.begin() as session:
        return list(session.scalars(select(XapiOutboxRow.statement)))


def test_with_an_lrs_a_click_queues_its_statement(
    app_as: AppAs, learner: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ALLY_LRS_URL", "http://127.0.0.1:9/xAPI")  # never reached: no sender
    monkeypatch.setenv("ALLY_LRS_USERNAME", "ally")
    monkeypatch.setenv("ALLY_LRS_PASSWORD", "secret")
    monkeypatch.setenv("ALLY_PUBLIC_URL", "https://ally.example.org")
    lesson_done(app_as, learner)
    (statement,) = queued()
    assert statement["object"]["id"] == (  # type: ignore[index]
        "https://ally.example.org/xapi/courses/test-course/modules/sample/steps/why"
    )
    assert learner.display_name not in str(statement)


def test_without_an_lrs_nothing_is_queued(app_as: AppAs, learner: Actor) -> None:
    lesson_done(app_as, learner)
    assert queued() == []


def test_the_privacy_page_says_what_the_lrs_receives(app_as: AppAs, learner: Actor) -> None:
    at = app_as(learner)
    at.switch_page("pages/privacy.py")
    at.run()
    page = "\n".join(str(m.value) for m in at.markdown)
    assert "learning records system" in page
    assert "never receives your reflections" in page
