"""The retrospective self-assessment through AppTest: the after phase, My progress, the dashboard.

The sample survey (two statements, ask and credit) is made retrospective in a copy of the
sample course; ALLY_MIN_GROUP is 3, its floor.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from modules.course.completion import Phase
from modules.course.validation import validate_directory
from modules.services.actors import Actor
from modules.services.cohorts import CohortService
from modules.services.errors import InvalidInput
from modules.services.learning import LearningService
from modules.services.runtime import runtime
from progress.tables import SurveyPhaseRow
from tests.ui.conftest import SAMPLE

AppAs = Callable[..., AppTest]
MIN_GROUP = 3


@pytest.fixture
def retrospective(app_env: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    content = app_env / "content"
    shutil.copytree(SAMPLE, content)
    survey = content / "modules" / "survey.yaml"
    text = survey.read_text(encoding="utf-8").replace(
        "    type: survey\n", "    type: survey\n    retrospective: true\n"
    )
    survey.write_text(text, encoding="utf-8")
    monkeypatch.setenv("ALLY_CONTENT_DIR", str(content))
    monkeypatch.setenv("ALLY_MIN_GROUP", str(MIN_GROUP))
    st.cache_resource.clear()
    return content


def survey_page(app_as: AppAs, actor: Actor, phase: str) -> AppTest:
    at = app_as(actor, module="survey", step="habits", phase=phase)
    at.switch_page("pages/player.py")
    at.run()
    assert not at.exception, at.exception
    return at


def save(at: AppTest) -> None:
    next(b for b in at.button if b.label == "Save my answers").click()
    at.run()
    assert not at.exception, at.exception


def walk(node: Any) -> Iterator[Any]:
    yield node
    for child in getattr(node, "children", {}).values():
        yield from walk(child)


def everything(at: AppTest) -> str:
    """Every element as its protobuf says it, charts' data included."""
    return "\n".join(str(getattr(node, "proto", "")) for node in walk(at.main))


def phases_taken(user_id: int) -> set[str]:
    with runtime().sessions.begin() as session:
        rows = session.query(SurveyPhaseRow.phase).filter(SurveyPhaseRow.user_id == user_id)
        return {phase for (phase,) in rows}


def test_the_before_phase_asks_one_rating_per_statement(
    app_as: AppAs, learner: Actor, retrospective: Path
) -> None:
    at = survey_page(app_as, learner, "before")
    assert [r.label for r in at.main.radio] == ["I ask for feedback.", "I credit ideas by name."]
    assert "looking back" not in everything(at)


def test_the_after_phase_asks_now_and_looking_back_and_needs_both(
    app_as: AppAs, learner: Actor, retrospective: Path
) -> None:
    at = survey_page(app_as, learner, "after")
    assert [r.label for r in at.main.radio] == [  # "1\\." shows as "1.", not a list
        "1\\. Now",
        "1\\. Before the course, looking back",
        "2\\. Now",
        "2\\. Before the course, looking back",
    ]
    assert all(r.value is None for r in at.main.radio)  # nothing carried over from "before"
    for radio in at.main.radio[::2]:
        radio.set_value(4)
    save(at)
    assert "2 rating(s) still need an answer" in at.warning[0].value
    assert phases_taken(learner.user_id) == set()
    again = survey_page(app_as, learner, "after")  # a reload keeps what was saved
    assert [r.value for r in again.main.radio] == [4, None, 4, None]
    for radio in again.main.radio[1::2]:
        radio.set_value(2)
    save(again)
    assert "Thank you" in again.success[0].value
    assert phases_taken(learner.user_id) == {"after"}


def test_my_progress_charts_before_looking_back_and_after(
    app_as: AppAs, learner: Actor, retrospective: Path
) -> None:
    learning = LearningService(runtime().uow, _content(retrospective))
    learning.save_self_assessment(learner, Phase.BEFORE, {"ask": 4, "credit": 4})
    learning.save_self_assessment(
        learner, Phase.AFTER, {"ask": 4, "credit": 5}, looking_back={"ask": 2, "credit": 3}
    )
    at = app_as(learner)
    at.switch_page("pages/progress.py")
    at.run()
    assert not at.exception, at.exception
    assert "Self-assessment: before, looking back, and after" in [s.value for s in at.subheader]
    shown = everything(at)
    for series in ("Before", "Looking back", "After"):
        assert series in shown


def test_looking_back_is_refused_in_the_before_phase(learner: Actor, retrospective: Path) -> None:
    learning = LearningService(runtime().uow, _content(retrospective))
    with pytest.raises(InvalidInput, match="only at the end"):
        learning.save_self_assessment(learner, Phase.BEFORE, {"ask": 4}, looking_back={"ask": 1})
    with pytest.raises(InvalidInput, match="on the scale"):
        learning.save_self_assessment(learner, Phase.AFTER, {"ask": 4}, looking_back={"ask": 9})


def _content(root: Path) -> Any:
    found = validate_directory(root).content
    assert found is not None
    return found


def _cohort_with_ratings(
    make_person: Callable[..., Actor], root: Path, count: int
) -> tuple[Actor, int]:
    content = _content(root)
    owner = make_person("olu@example.org", "Olu Owner", ("learner", "facilitator"))
    service = CohortService(runtime(), content)
    cohort = service.create(owner, "Cardiology crew", "UTC")
    learning = LearningService(runtime().uow, content)
    for n in range(count):
        person = make_person(f"l{n}@example.org", f"Learner {n}")
        service.join(person, cohort.join_code)
        learning.save_self_assessment(person, Phase.BEFORE, {"ask": 4, "credit": 3})
        learning.save_self_assessment(
            person, Phase.AFTER, {"ask": 5, "credit": 4}, looking_back={"ask": 2, "credit": 2}
        )
    return owner, cohort.id


def dashboard_text(app_as: AppAs, owner: Actor) -> tuple[AppTest, str]:
    at = app_as(owner)
    at.switch_page("pages/cohorts.py")
    at.run()
    assert not at.exception, at.exception
    (tab,) = [t for t in at.tabs if t.label == "Dashboard"]
    return at, "\n".join(str(getattr(node, "proto", "")) for node in walk(tab))


def test_the_dashboard_shows_the_three_means_from_min_group_learners(
    app_as: AppAs, facilitator: Actor, make_person: Callable[..., Actor], retrospective: Path
) -> None:
    owner, _ = _cohort_with_ratings(make_person, retrospective, MIN_GROUP)
    _, shown = dashboard_text(app_as, owner)
    assert "Self-assessment: before, looking back, and after" in shown
    assert f"Over {MIN_GROUP} learners" in shown
    assert "Looking back" in shown


def test_the_dashboard_withholds_the_three_means_under_min_group(
    app_as: AppAs, facilitator: Actor, make_person: Callable[..., Actor], retrospective: Path
) -> None:
    owner, _ = _cohort_with_ratings(make_person, retrospective, MIN_GROUP - 1)
    _, shown = dashboard_text(app_as, owner)
    assert "Self-assessment: before, looking back, and after" not in shown
    assert "Shown once 3 or more learners have answered before and" in shown
    assert "looking back, are shown once 3 or more learners have given them" in shown
