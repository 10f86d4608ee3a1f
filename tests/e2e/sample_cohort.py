"""A cohort with real progress, made through the services, and the app serving it.

A facilitator (the first account: administrator too), learners who joined his cohort, finished
the self-assessment before and after, and played a module through, so that every cohort tab,
the dashboard's charts and the debrief's figures have something to show; and Leo, a learner
who has joined and done nothing yet. `sample_app` (a module-scoped fixture: import it) serves
it with `streamlit run app.py`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from modules.course.completion import Phase, asks_looking_back
from modules.course.models import (
    Commitment,
    CourseContent,
    Lesson,
    Module,
    Quiz,
    Reflection,
    Scenario,
    Survey,
)
from modules.course.scenarios import best_path
from modules.course.validation import validate_directory
from modules.services import accounts
from modules.services.actors import Actor
from modules.services.cohorts import CohortService
from modules.services.learning import LearningService
from modules.services.practice import Practice
from modules.services.runtime import Runtime, runtime
from modules.settings import load_settings

from .conftest import serve_app, skip_reason, wait_for_app

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "sample cohort password 2026"
FACILITATOR = ("fiona.facilitator@example.org", "Fiona Facilitator")
LEARNER = ("leo.learner@example.org", "Leo Learner")
OTHERS = ["Ravi Menon", "Tom Becker", "Sam Ortiz", "Ken Sato", "Ali Haddad"]
MODULE = "leadership-not-a-womens-issue"  # the first: the debrief opens on it
COHORT = "Surgery chiefs, spring 2027"
REFLECTION = (
    "On the night shift last month a charge nurse told me the new schedule left her team short"
    " every weekend. I explained the policy before I asked what she saw. Next time I will ask"
    " first, listen to the whole account, and tell her within two weeks what I changed."
)


@dataclass(frozen=True)
class SampleCohort:
    facilitator: Actor
    learner: Actor  # has joined, and has started nothing: every step is still ahead of him
    cohort_id: int
    module: Module
    content: CourseContent
    database: Path


def course() -> CourseContent:
    content = validate_directory(ROOT / "content").content
    assert content is not None, "the course in content/ does not validate"
    return content


def runtime_for(database: Path) -> Runtime:
    return runtime(load_settings({"ALLY_DATABASE_URL": f"sqlite:///{database}"}, cwd=ROOT))


def make_sample_cohort(database: Path) -> SampleCohort:
    """The facilitator, his cohort and its learners, on the SQLite file `database`."""
    rt, content = runtime_for(database), course()
    facilitator = accounts.sign_up(rt, *FACILITATOR, PASSWORD).actor
    service = CohortService(rt, content)
    cohort = service.create(facilitator, COHORT, "America/New_York")
    service.assign(facilitator, cohort.id, [MODULE], date.today() + timedelta(days=10))
    service.assign(facilitator, cohort.id, [content.course.modules[1]], date.today())
    learning = LearningService(rt.uow, content)
    for number, name in enumerate(OTHERS):
        email = f"{name.split()[0].lower()}@example.org"
        actor = accounts.sign_up(rt, email, name, PASSWORD).actor
        service.join(actor, cohort.join_code)
        finish_the_module(learning, actor, content.modules[MODULE], number)
        rate_before_and_after(learning, content, actor, number)
    learner = accounts.sign_up(rt, *LEARNER, PASSWORD).actor
    service.join(learner, cohort.join_code)
    module = content.modules[MODULE]
    return SampleCohort(facilitator, learner, cohort.id, module, content, database)


def finish_the_module(learning: LearningService, actor: Actor, module: Module, seed: int) -> None:
    """Every step done; the scenarios' first choices vary from learner to learner."""
    practice = Practice(learning)
    for step in module.steps:
        if isinstance(step, Lesson):
            learning.complete_lesson(actor, module.id, step.id)
        elif isinstance(step, Scenario):
            view = practice.scenario_view(actor, module.id, step.id)
            first = step.node(step.start)
            options = getattr(first, "choices", ())
            detour = options[seed % len(options)] if options else None
            if detour is not None and seed % 2:
                view = practice.choose(actor, module.id, step.id, view.attempt_id, 0, detour.id)
            while view.state.ending is None:
                node = view.state.node
                best = best_path_from(step, node.id)
                view = practice.choose(
                    actor, module.id, step.id, view.attempt_id, view.position, best
                )
        elif isinstance(step, Quiz):
            view = practice.quiz_view(actor, module.id, step.id)
            answers = {q.id: [o.id for o in q.options if o.correct] for q in step.questions}
            practice.submit_quiz(actor, module.id, step.id, view.attempt_id, answers)
        elif isinstance(step, Reflection):
            done = learning.save_reflection(actor, module.id, step.id, REFLECTION)
            assert done, f"{step.id} wants more words than the sample reflection has"
        elif isinstance(step, Commitment):
            when = date.today() + timedelta(days=14)
            learning.save_commitment(
                actor, module.id, step.id, "the Monday huddle ends", "ask who was not heard", when
            )


def best_path_from(scenario: Scenario, node_id: str) -> str:
    """The best choice at `node_id`: the best path of the scenario started there."""
    path = best_path(replace(scenario, start=node_id))
    return path.steps[0].choice.id


def rate_before_and_after(
    learning: LearningService,
    content: CourseContent,
    actor: Actor,
    seed: int,
    phases: tuple[Phase, ...] = (Phase.BEFORE, Phase.AFTER),
) -> None:
    """Ratings a step higher after than before; looking back, a little below before."""
    assert content.self_assessment is not None
    survey = next(s for s in content.self_assessment.steps if isinstance(s, Survey))
    top = len(survey.scale)

    def ratings(lift: int) -> dict[str, int]:
        return {
            item.id: max(1, min(top, 2 + lift + (seed + index) % 2))
            for index, item in enumerate(survey.items)
        }

    for phase in phases:
        if phase is Phase.BEFORE:
            learning.save_self_assessment(actor, phase, ratings(0))
        else:
            then = ratings(-1) if asks_looking_back(survey, phase) else None
            learning.save_self_assessment(actor, phase, ratings(1), looking_back=then)


SLOW_MS = 60_000  # a first dataframe imports pandas; other tests may share the two cores


@dataclass(frozen=True)
class SampleApp:
    base_url: str
    made: SampleCohort


@pytest.fixture(scope="module")
def sample_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SampleApp]:
    """The sample cohort on a fresh database, and the app serving it (stopped afterwards)."""
    reason = skip_reason()
    if reason:
        pytest.skip(reason)
    database = tmp_path_factory.mktemp("sample") / "ally.db"
    made = make_sample_cohort(database)
    with serve_app(database) as base_url:
        yield SampleApp(base_url, made)


def new_page(browser: Any, app: SampleApp, width: int = 1280, height: int = 900) -> Any:
    """A page in a new browser context (no cookies) on the sample app."""
    context = browser.new_context(
        base_url=app.base_url, viewport={"width": width, "height": height}
    )
    context.set_default_timeout(SLOW_MS)
    return context.new_page()


def sign_in(page: Any, email: str) -> None:
    page.goto("/auth/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/")
    wait_for_app(page, SLOW_MS)


def settle(page: Any) -> None:
    """Wait until Streamlit is idle (the /auth pages have no app) and visible charts are drawn."""
    page.wait_for_load_state()
    if page.locator("[data-testid='stApp']").count():
        wait_for_app(page, SLOW_MS)
        page.wait_for_timeout(300)  # elements that fade in (toasts, charts) have finished
        for chart in page.locator("[data-testid='stVegaLiteChart']").all():
            if chart.is_visible():  # charts on other tabs are drawn when their tab opens
                chart.locator("svg, canvas").first.wait_for()
