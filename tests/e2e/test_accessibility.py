"""axe-core on every page in real Chromium: signed out, as a learner, as a facilitator.

Every step type (lesson, scenario at its start, midway and at its ending, a knowledge check
open, failed and passed, reflection, commitment, survey) and every cohort tab, on a cohort with
real progress (tests/e2e/sample_cohort.py), so the charts and the debrief's figures are drawn.
No page may have a serious or critical violation. Run with `-s` to see the counts per page.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest

from modules.course.models import Commitment, Decision, Lesson, Quiz, Reflection, Scenario
from modules.course.scenarios import best_path
from modules.services.learning import LearningService
from modules.services.practice import Practice
from modules.ui.facilitate import TABS

from .sample_cohort import (
    FACILITATOR,
    LEARNER,
    SampleApp,
    new_page,
    runtime_for,
    sample_app,
    settle,
    sign_in,
)

pytestmark = pytest.mark.e2e
__all__ = ["sample_app"]  # the fixture, imported for pytest

BLOCKING = {"serious", "critical"}

# No exceptions. What Streamlit 1.67 itself produced had a way around it: its section headings
# in the menu (a <div> inside the <ul>: list, listitem) by a flat menu, its disabled links'
# grey (2.26:1) by text, its fixed syntax colours (2.81:1) by unhighlighted code, its faded
# captions (3.88:1) by the theme's textColor. A violation of Streamlit's own that truly cannot
# be avoided goes here as one named, commented exception with its upstream issue.


@pytest.fixture
def visit(browser: Any, sample_app: SampleApp) -> Iterator[Any]:
    """A new page (no cookies) on the sample cohort's server."""
    page = new_page(browser, sample_app)
    yield page
    page.context.close()


def axe_violations(page: Any) -> list[dict[str, Any]]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    found: list[dict[str, Any]] = results.response["violations"]
    return found


def blocking(violations: list[dict[str, Any]]) -> list[str]:
    """The serious and critical findings, one line per element."""
    lines = []
    for violation in violations:
        if violation["impact"] not in BLOCKING:
            continue
        for node in violation["nodes"]:
            target = " ".join(str(t) for t in node["target"])
            summary = node.get("failureSummary", "").replace("\n", " ")[:160]
            lines.append(f"{violation['id']} ({violation['impact']}) at {target}: {summary}")
    return lines


class Audit:
    """Scans pages one after another; collects what fails, so one run reports every page."""

    def __init__(self, page: Any, who: str) -> None:
        self.page, self.who = page, who
        self.failures: list[str] = []

    def scan(self, name: str) -> None:
        settle(self.page)
        violations = axe_violations(self.page)
        counts = {impact: 0 for impact in ("critical", "serious", "moderate", "minor")}
        for violation in violations:
            counts[violation["impact"]] += len(violation["nodes"])
        ids = ",".join(sorted({v["id"] for v in violations})) or "-"
        figures = " ".join(f"{impact}={count}" for impact, count in counts.items())
        print(f"axe {self.who:11} {name:42} {figures} {ids}")
        self.failures += [f"{self.who} / {name}: {line}" for line in blocking(violations)]

    def open(self, url: str, name: str) -> None:
        self.page.goto(url)
        self.scan(name)

    def check(self) -> None:
        assert not self.failures, "\n".join(self.failures)


def test_the_scan_finds_grey_text_on_white(visit: Any) -> None:
    """The audit can fail: a caption-grey line (3.88:1) put into a page is reported."""
    visit.goto("/privacy")
    settle(visit)
    visit.evaluate(
        """() => {
          const line = document.createElement("p");
          line.style.cssText = "color: #828180; background: #ffffff";
          line.textContent = "Step 2 of 7";
          document.querySelector("[data-testid='stMainBlockContainer']").prepend(line);
        }"""
    )
    found = blocking(axe_violations(visit))
    assert len(found) == 1 and found[0].startswith("color-contrast (serious)"), found


def test_signed_out_pages(visit: Any) -> None:
    audit = Audit(visit, "signed out")
    for url, name in [
        ("/", "landing"),
        ("/privacy", "what facilitators can see"),
        ("/join", "join a cohort"),
        ("/player?module=gender-humility", "player (asks to sign in)"),
        ("/auth/login", "sign in"),
        ("/auth/signup", "sign up"),
        ("/auth/reset?token=nothing-valid", "reset link (invalid)"),
        ("/auth/logout", "sign out"),
    ]:
        audit.open(url, name)
    audit.check()


def test_a_learner_on_every_page_and_step_type(visit: Any, sample_app: SampleApp) -> None:
    made = sample_app.made
    learning = LearningService(runtime_for(made.database).uow, made.content)
    practice = Practice(learning)
    actor, module = made.learner, made.module
    audit = Audit(visit, "learner")
    sign_in(visit, LEARNER[0])
    audit.scan("home, nothing done")
    survey = made.content.self_assessment
    assert survey is not None
    audit.open(f"/player?module={survey.id}&phase=before", "survey (self-assessment)")
    audit.open("/progress", "my progress, nothing done")
    audit.open("/privacy", "what facilitators can see")
    audit.open("/join", "join a cohort")
    audit.open("/account", "my data and account")

    def step_url(step_id: str, of: str = module.id) -> str:
        return f"/player?module={of}&step={step_id}"

    for step in module.steps:
        if isinstance(step, Lesson):
            audit.open(step_url(step.id), f"lesson {step.id}")
        elif isinstance(step, Scenario):
            audit.open(step_url(step.id), f"scenario {step.id}, start")
            view = practice.scenario_view(actor, module.id, step.id)
            path = best_path(step).steps
            for position, taken in enumerate(path):
                view = practice.choose(
                    actor, module.id, step.id, view.attempt_id, position, taken.choice.id
                )
                if position == 0 and isinstance(view.state.node, Decision):
                    audit.open(step_url(step.id), f"scenario {step.id}, midway")
            audit.open(step_url(step.id), f"scenario {step.id}, ending")
        elif isinstance(step, Quiz):
            audit.open(step_url(step.id), f"quiz {step.id}, open")
            view = practice.quiz_view(actor, module.id, step.id)
            wrong = {q.id: [next(o.id for o in q.options if not o.correct)] for q in step.questions}
            practice.submit_quiz(actor, module.id, step.id, view.attempt_id, wrong)
            audit.open(step_url(step.id), f"quiz {step.id}, failed")
            view = practice.retry_quiz(actor, module.id, step.id)
            right = {q.id: [o.id for o in q.options if o.correct] for q in step.questions}
            practice.submit_quiz(actor, module.id, step.id, view.attempt_id, right)
            audit.open(step_url(step.id), f"quiz {step.id}, passed")
        elif isinstance(step, Reflection):
            audit.open(step_url(step.id), f"reflection {step.id}")
        elif isinstance(step, Commitment):
            audit.open(step_url(step.id), f"commitment {step.id}, empty")
            when = date.today() + timedelta(days=7)
            learning.save_commitment(
                actor, module.id, step.id, "rounds end", "ask a resident", when
            )
            audit.open(step_url(step.id), f"commitment {step.id}, saved")
    audit.open("/", "home, one module done")
    audit.open("/progress", "my progress, one module done")
    audit.check()


def test_a_facilitator_on_every_page_and_cohort_tab(visit: Any, sample_app: SampleApp) -> None:
    made = sample_app.made
    audit = Audit(visit, "facilitator")
    sign_in(visit, FACILITATOR[0])
    audit.scan("home")
    visit.goto(f"/cohorts?cohort={made.cohort_id}")
    settle(visit)
    main = visit.get_by_test_id("stMain")
    for label in TABS:
        main.get_by_role("tab", name=label).click()
        main.get_by_role("tabpanel", name=label).wait_for()
        audit.scan(f"cohorts, {label}")
        if label == "Debrief":  # the sample's module has figures; the next has none yet
            other = made.content.listed_modules[1].title
            main.get_by_role("tabpanel", name=label).get_by_role("combobox").first.click()
            visit.get_by_role("option", name=other).click()
            settle(visit)
            audit.scan("cohorts, Debrief of a module nobody did")
    audit.open("/content", "course content")
    audit.open("/people", "people (administrator)")
    step = made.module.steps[2]
    audit.open(f"/player?module={made.module.id}&step={step.id}&preview=1", "module preview")
    audit.check()
