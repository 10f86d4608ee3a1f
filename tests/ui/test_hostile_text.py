"""The known leaks, replayed: user text that markdown would obey, on the pages that show it.

A learner named `![p](http://host/x.png)` made the facilitator's browser fetch that address
from the reminders' expander title; a plan, a check-in note, a reflection or a display name with
`$` turned into LaTeX on the learner's own pages. Every string these pages hand to Streamlit as
markdown must now hold the escaped form (tests/e2e/test_render_browser.py shows that Chromium
displays that form literally and fetches nothing).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from modules.course.models import CourseContent
from modules.course.validation import validate_directory
from modules.services.actors import Actor
from modules.services.cohorts import CohortService
from modules.services.learning import LearningService
from modules.services.runtime import runtime
from tests.ui.conftest import SAMPLE

AppAs = Callable[..., AppTest]
MakePerson = Callable[..., Actor]
W = "\u2060"
IMAGE_NAME = "![p](http://host/x.png)"
# What markdown would obey: each sign not preceded by the backslash that makes it literal.
RAW = re.compile(r"!\[p|(?<!\\)\$\d|(?<!\\)\*ask|(?<!\\)\[[@x]|(?<!\\)\]\(http|http://")


def walk(node: Any) -> Iterator[Any]:
    yield node
    for child in getattr(node, "children", {}).values():
        yield from walk(child)


def markdown_strings(at: AppTest) -> list[str]:
    """Every string on the page that Streamlit reads as markdown."""
    found: list[str] = []
    for node in [*walk(at.main), *walk(at.sidebar)]:
        kind = type(node).__name__
        if kind in {"Markdown", "Caption", "Title", "Header", "Subheader", "Error", "Info"}:
            found.append(str(node.value))
        elif kind in {"Success", "Warning", "Toast"}:
            found.append(str(node.value))
        elif kind in {"Expander", "Tab", "Button", "Metric", "TextInput", "Radio", "Checkbox"}:
            found.append(str(node.label))
    return found


def obeyed(at: AppTest) -> list[str]:
    """The markdown strings in which some user text appears unescaped."""
    return [text for text in markdown_strings(at) if RAW.search(text)]


@pytest.fixture
def content(app_env: object) -> CourseContent:
    found = validate_directory(SAMPLE).content
    assert found is not None
    return found


def test_a_name_with_an_image_is_only_text_in_the_facilitators_reminders(
    app_as: AppAs, facilitator: Actor, make_person: MakePerson, content: CourseContent
) -> None:
    service = CohortService(runtime(), content)
    cohort = service.create(facilitator, "Cardiology $5 crew", "America/Chicago")
    learner = make_person("img@example.org", IMAGE_NAME)
    service.join(learner, cohort.join_code)
    service.assign(facilitator, cohort.id, ["sample"], date.today() - timedelta(days=3))
    at = app_as(facilitator)
    at.switch_page("pages/cohorts.py")
    at.run()
    assert not at.exception, at.exception
    labels = [e.label for e in at.expander]
    assert f"!\\[p\\](http{W}://host/x.png) · 1 overdue" in labels
    assert obeyed(at) == []


def test_the_learners_own_name_plan_note_and_reflection_show_as_typed(
    app_as: AppAs, facilitator: Actor, make_person: MakePerson, content: CourseContent
) -> None:
    learner = make_person("dollar@example.org", "Dev $5 and $10 Patel")
    learning = LearningService(runtime().uow, content)
    learning.save_reflection(learner, "sample", "think", "I said [@smith] $5 and *ask* twice")
    plan = learning.save_commitment(
        learner, "sample", "plan", "the $5 huddle ends", "*ask* who", date.today()
    )
    learning.check_in(learner, plan.id, "partly", "$10 [x](http://host/y) note")
    home = app_as(learner)
    home.run()
    assert not home.exception, home.exception
    assert "Welcome, Dev \\$5 and \\$10 Patel." in markdown_strings(home)
    assert obeyed(home) == []
    at = app_as(learner)
    at.switch_page("pages/progress.py")
    at.run()
    assert not at.exception, at.exception
    shown = markdown_strings(at)
    assert "**When** the \\$5 huddle ends, **I will** \\*ask\\* who" in shown
    assert any(
        text.endswith(f": Partly done: \\$10 \\[x\\](http{W}://host/y) note") for text in shown
    )
    assert "I said \\[@smith\\] \\$5 and \\*ask\\* twice" in shown
    assert obeyed(at) == []
