"""Home through AppTest: the due self-assessment is the primary action before the first module
and after the last, the course's progress is at the top, and every control says which module.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from streamlit.testing.v1 import AppTest

from modules.course.completion import Phase
from modules.course.duration import course_minutes
from modules.course.models import CourseContent, Survey
from modules.services.actors import Actor
from modules.services.learning import LearningService
from modules.services.runtime import runtime
from modules.ui.state import current_content

AppAs = Callable[..., AppTest]


def home(app_as: AppAs, actor: Actor) -> AppTest:
    at = app_as(actor)
    at.run()
    assert not at.exception, at.exception
    return at


def course() -> CourseContent:
    content = current_content().content
    assert content is not None
    return content


def learning() -> LearningService:
    return LearningService(runtime().uow, course())


def complete_steps(actor: Actor, module_id: str, step_ids: list[str] | None = None) -> None:
    service = learning()
    module = course().modules[module_id]
    with runtime().uow() as uow:
        for step in module.steps:
            if step_ids is None or step.id in step_ids:
                ref = service.ref(module_id, step.id)
                uow.learning.mark_completed(actor.user_id, ref, service.version(module_id), False)


def answer_self_assessment(actor: Actor, phase: Phase) -> None:
    survey = course().self_assessment
    assert survey is not None
    items = [i.id for s in survey.steps if isinstance(s, Survey) for i in s.items]
    learning().save_self_assessment(actor, phase, dict.fromkeys(items, 3))


def progress_bars(at: AppTest) -> list[tuple[str, int]]:
    """Each progress bar's accessible name and value, in page order."""
    bars = []
    for element in at.get("html"):
        found = re.search(
            r'role="progressbar" aria-label="([^"]+)" aria-valuenow="(\d+)"', element.proto.body
        )
        if found:
            bars.append((found.group(1), int(found.group(2))))
    return bars


def kind_of(at: AppTest, key: str) -> str:
    return str(at.button(key=key).proto.type)


def test_before_the_first_module_the_baseline_is_the_primary_action(
    app_as: AppAs, learner: Actor
) -> None:
    at = home(app_as, learner)
    assert kind_of(at, "survey") == "primary"
    assert kind_of(at, "continue") == "secondary"
    assert [b.key for b in at.button if b.proto.type == "primary"] == ["survey"]


def test_once_under_way_a_skipped_baseline_is_offered_second_to_continue(
    app_as: AppAs, learner: Actor
) -> None:
    complete_steps(learner, "sample", ["why"])
    at = home(app_as, learner)
    assert kind_of(at, "continue") == "primary"
    assert kind_of(at, "survey") == "secondary"


def test_after_the_last_module_the_second_self_assessment_is_the_primary_action(
    app_as: AppAs, learner: Actor
) -> None:
    answer_self_assessment(learner, Phase.BEFORE)
    before = home(app_as, learner)
    assert not [b for b in before.button if b.key == "survey"]  # taken: not offered again
    assert kind_of(before, "continue") == "primary"
    complete_steps(learner, "sample")
    at = home(app_as, learner)
    assert kind_of(at, "survey") == "primary"
    assert "once more" in " ".join(str(m.value) for m in at.markdown)
    assert [b.key for b in at.button if b.proto.type == "primary"] == ["survey"]


def test_the_course_progress_is_at_the_top_and_follows_the_steps(
    app_as: AppAs, learner: Actor
) -> None:
    at = home(app_as, learner)
    assert progress_bars(at)[0] == ("Your course: 0 of 1 modules complete, 0% of the way", 0)
    complete_steps(learner, "sample", ["why", "rounds"])
    at = home(app_as, learner)
    name, value = progress_bars(at)[0]
    required = [s for s in course().modules["sample"].steps if s.required]
    assert value == round(100 * 2 / len(required))
    assert name == f"Your course: 0 of 1 modules complete, {value}% of the way"
    complete_steps(learner, "sample")
    assert progress_bars(home(app_as, learner))[0][1] == 100
    assert progress_bars(home(app_as, learner))[0][0].startswith("Your course: 1 of 1 modules")


def test_every_module_button_and_bar_names_its_module(app_as: AppAs, learner: Actor) -> None:
    complete_steps(learner, "sample", ["why"])
    at = home(app_as, learner)
    modules = course().listed_modules
    links = at.get("page_link")
    assert [link.proto.label for link in links] == [
        f"Continue module {n}" for n in range(1, len(modules) + 1)
    ]
    first = course().modules["sample"].steps[1].id  # "why" is done: the next step
    assert links[0].proto.query_string == f"module=sample&step={first}"
    bar_names = [name for name, _ in progress_bars(at)[1:]]
    assert bar_names == [f"Module {n}: 20% complete" for n in range(1, len(modules) + 1)]
    names = [b.label for b in at.button] + [link.proto.label for link in links]
    names += [name for name, _ in progress_bars(at)]
    assert len(names) == len(set(names)), "two controls share a name"


def test_the_welcome_page_and_home_state_the_course_minutes(app_as: AppAs, learner: Actor) -> None:
    expected = course_minutes(course())
    for actor in (None, learner):
        at = app_as(actor)
        at.run()
        assert not at.exception, at.exception
        stated = [
            int(n)
            for c in at.caption
            for n in re.findall(r"about (\d+) minutes in all", str(c.value))
        ]
        assert stated == [expected], (actor, [c.value for c in at.caption])
