"""Scenarios in real Chromium: one click per decision, a double click that decides once, focus
on the consequence, and a whole module done with the keyboard alone (key presses counted).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from modules.course.models import Choice, Commitment, Decision, Lesson, Quiz, Reflection, Scenario
from modules.course.scenarios import best_path
from modules.course.validation import validate_directory

from .conftest import wait_for_app

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
MODULE = "asking-for-feedback"
PASSWORD = "one click password 2026"
TAB_LIMIT = 80  # more Tabs than this to reach a control means focus was lost


def course_module() -> Any:
    content = validate_directory(ROOT / "content").content
    assert content is not None
    return content.modules[MODULE]


def sign_up(page: Any, email: str) -> None:
    page.goto("/auth/signup")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Your name").fill("Dr. K. Board")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url("**/")
    wait_for_app(page)


def main(page: Any) -> Any:
    return page.get_by_test_id("stMain")


def first_line(text: str) -> str:
    return text.strip().split("\n")[0][:40]


def option_button(page: Any, choice: Choice) -> Any:
    return (
        main(page).locator(".st-key-ally-decision button").filter(has_text=first_line(choice.text))
    )


def stored_choices(database: Path, email: str, step_id: str) -> list[tuple[int, str]]:
    with sqlite3.connect(database) as connection:
        rows = connection.execute(
            "SELECT c.position, c.choice_id FROM scenario_choices c"
            " JOIN scenario_attempts a ON a.id = c.attempt_id JOIN users u ON u.id = a.user_id"
            " WHERE u.email = ? AND a.step_id = ? ORDER BY a.id, c.position",
            (email, step_id),
        ).fetchall()
    return [(position, choice) for position, choice in rows]


def active(page: Any) -> dict[str, str]:
    """What has keyboard focus: its tag, its text or label, and its container's key class."""
    return dict(
        page.evaluate(
            """() => {
                const e = document.activeElement;
                const keyed = e.closest('[class*="st-key-"]');
                return {
                    tag: e.tagName.toLowerCase(),
                    text: (e.innerText || e.value || '').trim(),
                    label: e.getAttribute('aria-label') || '',
                    type: e.getAttribute('type') || '',
                    key: keyed ? [...keyed.classList].find(c => c.startsWith('st-key-')) : '',
                };
            }"""
        )
    )


def tab_to(page: Any, wanted: Any) -> int:
    """Press Tab until `wanted(active element)` holds; the number of presses."""
    for presses in range(1, TAB_LIMIT + 1):
        page.keyboard.press("Tab")
        if wanted(active(page)):
            return presses
    raise AssertionError(f"not reached in {TAB_LIMIT} Tabs; focus is on {active(page)}")


def named(element: dict[str, str], text: str) -> bool:
    """The element's text (an icon's name is a line of its own) has a line starting `text`."""
    return any(line.strip().startswith(text) for line in element["text"].splitlines())


def press_button(page: Any, text: str) -> int:
    """Tab to the button whose text starts with `text` and press Enter; the key presses."""
    presses = tab_to(page, lambda e: e["tag"] == "button" and named(e, text))
    page.keyboard.press("Enter")
    wait_for_app(page)
    return presses + 1


def at_first_decision(page: Any, email: str) -> tuple[Scenario, Choice]:
    """A new learner `email` on the module's first scenario; it and its best first choice."""
    scenario = next(s for s in course_module().steps if isinstance(s, Scenario))
    sign_up(page, email)
    page.goto(f"/player?module={MODULE}&step={scenario.id}")
    wait_for_app(page)
    first = best_path(scenario).steps[0].choice
    option_button(page, first).wait_for()
    return scenario, first


def wait_for_focus_on_consequence(page: Any) -> None:
    page.wait_for_function("document.activeElement.closest('.st-key-ally-consequence') !== null")


def test_one_click_decides_and_focus_lands_on_the_consequence(
    browser_page: Any, app_database: Path
) -> None:
    page, email = browser_page, "one-click@example.org"
    scenario, first = at_first_decision(page, email)
    buttons = main(page).locator(".st-key-ally-decision button")
    start = scenario.node(scenario.start)
    assert isinstance(start, Decision) and buttons.count() == len(start.choices)
    assert main(page).get_by_role("button", name="Choose").count() == 0  # no second action
    option_button(page, first).click()
    wait_for_app(page)
    main(page).get_by_text(first_line(first.feedback)).first.wait_for()
    wait_for_focus_on_consequence(page)
    focused = active(page)
    assert focused["key"] == "st-key-ally-consequence" and focused["label"] == "What happens"
    assert stored_choices(app_database, email, scenario.id) == [(0, first.id)]


def test_a_double_click_records_one_choice_and_advances_one_node(
    browser_page: Any, app_database: Path
) -> None:
    page, email = browser_page, "double-click@example.org"
    scenario, first = at_first_decision(page, email)
    option_button(page, first).dblclick()
    wait_for_app(page)
    following = scenario.node(first.next)
    main(page).get_by_text(first_line(following.text)).first.wait_for()
    page.wait_for_timeout(1000)  # anything a second click set off has arrived by now
    wait_for_app(page)
    assert stored_choices(app_database, email, scenario.id) == [(0, first.id)]
    if isinstance(following, Decision):  # still on the node after the first: nothing skipped
        assert option_button(page, following.choices[0]).count() == 1


def test_a_whole_module_with_the_keyboard_alone(browser_page: Any, app_database: Path) -> None:
    page, email = browser_page, "keyboard@example.org"
    module = course_module()
    sign_up(page, email)
    page.goto(f"/player?module={MODULE}&step={module.steps[0].id}")
    wait_for_app(page)
    opening: list[int] = []  # the first decision of a scenario, from the top of the page
    after_choice: list[int] = []  # every later one, from where focus lands after a choice
    for index, step in enumerate(module.steps):
        main(page).get_by_role("heading", name=first_line(step.title or step.TYPE)).wait_for()
        if isinstance(step, Lesson):
            press_button(page, "Continue")
            continue
        if isinstance(step, Scenario):
            for number, taken in enumerate(best_path(step).steps):
                presses = tab_to(
                    page,
                    lambda e, c=taken.choice: (
                        e["tag"] == "button"
                        and e["key"].startswith("st-key-choose-")
                        and named(e, first_line(c.text)[:20])
                    ),
                )
                page.keyboard.press("Enter")
                wait_for_app(page)
                wait_for_focus_on_consequence(page)  # counting from there: the page is drawn
                (after_choice if number else opening).append(presses + 1)
            main(page).get_by_text("How it ends").wait_for()
        elif isinstance(step, Quiz):
            answer_quiz_by_keyboard(page, step)
            main(page).get_by_text("You passed this check").wait_for()
        elif isinstance(step, Reflection):
            tab_to(page, lambda e: e["tag"] == "textarea")
            page.keyboard.type(" ".join(["I asked the charge nurse what I had missed."] * 6))
            press_button(page, "Save my reflection")
            main(page).get_by_text("Saved.").wait_for()
        elif isinstance(step, Commitment):
            tab_to(page, lambda e: e["tag"] == "input" and e["label"].startswith("When"))
            page.keyboard.type("the Monday staffing huddle ends")
            tab_to(page, lambda e: e["tag"] == "input" and e["label"].startswith("I will"))
            page.keyboard.type("ask the charge nurse what I missed")
            press_button(page, "Save my plan")
            main(page).get_by_text("the app will ask you how it went").wait_for()
        if index + 1 < len(module.steps):
            press_button(page, "Next step")
    main(page).get_by_text("You completed this module").wait_for()
    print(f"\nkey presses per decision (Tabs + Enter): first {opening}, later {after_choice}")
    # Focus lands on the consequence, so the next option is a few Tabs away, not the whole page.
    assert after_choice and max(after_choice) <= 6, after_choice


def answer_quiz_by_keyboard(page: Any, quiz: Quiz) -> None:
    """Tick the right answers with Tab, arrows and Space, then submit with Enter."""
    for question in quiz.questions:
        right = [o for o in question.options if o.correct]
        if question.multiple:
            for option in right:
                tab_to(
                    page,
                    lambda e, o=option: (
                        e["type"] == "checkbox" and first_line(o.text)[:20] in checkbox_label(page)
                    ),
                )
                page.keyboard.press("Space")
        else:
            tab_to(page, lambda e, q=question: e["type"] == "radio" and in_question(page, q))
            page.keyboard.press("Space")  # picks the focused option; arrows move the pick
            for _ in range(len(question.options)):
                if first_line(right[0].text)[:20] in radio_label(page):
                    break
                page.keyboard.press("ArrowDown")
            assert first_line(right[0].text)[:20] in radio_label(page) and radio_checked(page)
    press_button(page, "Check my answers")


def focused_label(page: Any) -> str:
    return str(page.evaluate("document.activeElement.closest('label')?.innerText || ''"))


checkbox_label = radio_label = focused_label


def radio_checked(page: Any) -> bool:
    return bool(page.evaluate("document.activeElement.checked"))


def in_question(page: Any, question: Any) -> bool:
    """The focused radio belongs to `question` (its group's options include the question's)."""
    texts = str(
        page.evaluate("document.activeElement.closest('[role=radiogroup]')?.innerText || ''")
    )
    return first_line(question.options[0].text)[:20] in texts


def test_a_choice_after_signing_out_elsewhere_records_nothing(
    browser_page: Any, app_database: Path
) -> None:
    """The scenario is a fragment: its rerun skips the page's session lookup, so the choose
    service's own check is what refuses, and the page says to sign in again."""
    page, email = browser_page, "fragment-session@example.org"
    scenario, first = at_first_decision(page, email)
    other = page.context.new_page()  # the same browser: the same session cookie
    other.goto("/auth/logout")
    other.get_by_role("button", name="Sign out").click()
    other.wait_for_url("**/")
    option_button(page, first).click()
    wait_for_app(page)
    main(page).get_by_role("link", name="Sign in").first.wait_for()
    assert main(page).get_by_text(first_line(first.feedback)).count() == 0
    assert stored_choices(app_database, email, scenario.id) == []
