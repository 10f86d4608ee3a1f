"""A learner's whole module in real Chromium: a scenario with a loop, a reload mid-scenario,
a failed-then-passed knowledge check, a reflection, a plan; then sign out, sign in, progress.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from modules.course.models import Choice, Decision, Quiz, Reflection, Scenario
from modules.course.scenarios import best_path
from modules.course.validation import validate_directory

from .conftest import wait_for_app

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
MODULE = "gender-humility"
EMAIL = "journey@example.org"
NAME = "Omar Haddad"
PASSWORD = "journey password 2026"


def course_module() -> Any:
    content = validate_directory(ROOT / "content").content
    assert content is not None
    return content.modules[MODULE]


def looping_path(scenario: Scenario) -> list[Choice]:
    """Best choices, but once take a choice that loops back to an earlier node."""
    best = best_path(scenario)
    order = [s.node.id for s in best.steps]
    for index, taken in enumerate(best.steps):
        loop = next((c for c in taken.node.choices if c.next in order[: index + 1]), None)
        if loop is not None:
            back = order.index(loop.next)
            return (
                [s.choice for s in best.steps[:index]]
                + [loop]
                + [s.choice for s in best.steps[back:]]
            )
    raise AssertionError(f"scenario {scenario.id} has no loop on its best path")


def sign_in(page: Any, email: str, password: str) -> None:
    page.goto("/auth/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/")
    wait_for_app(page)


def open_step(page: Any, step_id: str) -> None:
    page.goto(f"/player?module={MODULE}&step={step_id}")
    wait_for_app(page)


def main(page: Any) -> Any:
    return page.get_by_test_id("stMain")


def finish_lesson(page: Any, module: Any, step: Any) -> None:
    """Press Continue and wait until the next step is open (the click's run has stored it)."""
    main(page).get_by_role("button", name="Continue").click()
    following = module.steps[module.steps.index(step) + 1]
    page.wait_for_url(f"**step={following.id}**")
    wait_for_app(page)


def choose(page: Any, choice: Choice) -> None:
    main(page).locator(".st-key-ally-decision button").filter(has_text=choice.text[:40]).click()
    wait_for_app(page)
    main(page).get_by_text(choice.feedback.split("\n")[0][:40]).first.wait_for()


def answer_quiz(page: Any, quiz: Quiz, right: bool) -> None:
    for question in quiz.questions:
        wanted = [o for o in question.options if o.correct == right] or question.options[:1]
        for option in wanted if question.multiple else wanted[:1]:
            main(page).locator("label").filter(has_text=option.text[:40]).first.click()
    main(page).get_by_role("button", name="Check my answers").click()
    wait_for_app(page)


def test_a_whole_module(browser_page: Any) -> None:
    page = browser_page
    module = course_module()
    page.goto("/auth/signup")
    page.get_by_label("Email address").fill(EMAIL)
    page.get_by_label("Your name").fill(NAME)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url("**/")
    wait_for_app(page)

    for step in module.steps:
        open_step(page, step.id)
        if step.TYPE == "lesson":
            finish_lesson(page, module, step)
        elif isinstance(step, Scenario):
            path = (
                looping_path(step)
                if step is module.steps[2]
                else [s.choice for s in best_path(step).steps]
            )
            choose(page, path[0])
            page.reload()  # mid-scenario: the same node comes back, with its consequence
            wait_for_app(page)
            after = step.node(path[0].next)
            assert isinstance(after, Decision)
            main(page).get_by_text(after.text.split("\n")[0][:40]).first.wait_for()
            for choice in path[1:]:
                choose(page, choice)
            main(page).get_by_text("How it ends: the best outcome").wait_for()
        elif isinstance(step, Quiz):
            answer_quiz(page, step, right=False)
            main(page).get_by_text("The right answers are shown once you pass").wait_for()
            main(page).get_by_role("button", name="Try again").click()
            wait_for_app(page)
            answer_quiz(page, step, right=True)
            main(page).get_by_text("You passed this check").wait_for()
        elif isinstance(step, Reflection):
            main(page).get_by_text("Only you can read what you write here").wait_for()
            words = " ".join(["I missed how the night shift felt about the schedule."] * 5)
            main(page).get_by_label("Your reflection").fill(words)
            main(page).get_by_role("button", name="Save my reflection").click()
            wait_for_app(page)
            main(page).get_by_text("Saved.").wait_for()
        else:
            main(page).get_by_label("When ...").fill("the Monday staffing huddle ends")
            main(page).get_by_label("I will ...").fill("ask the charge nurse what I missed")
            main(page).get_by_role("button", name="Save my plan").click()
            wait_for_app(page)
            main(page).get_by_text("the app will ask you how it went").wait_for()

    page.goto("/auth/logout")
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/")
    sign_in(page, EMAIL, PASSWORD)
    page.goto("/progress")
    wait_for_app(page)
    main(page).get_by_text(module.title).first.wait_for()
    metric = main(page).get_by_test_id("stMetricValue").first.inner_text()
    assert metric == f"1 of {8}"
    main(page).get_by_text("the Monday staffing huddle ends").wait_for()
    page.screenshot(path=str(Path("/tmp") / "ally-progress.png"), full_page=True)
