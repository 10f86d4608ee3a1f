"""A knowledge check's results in Chromium on a 1280x800 laptop screen.

A 5-question check of the course, failed: the results (the verdict, one row per question, the
buttons) fit on one screen, and no right answer is anywhere in the page; failed again
(reveal_after, default 2): the answers are there, and the results still fit.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from modules.course.models import Quiz
from modules.course.validation import validate_directory

from .conftest import wait_for_app

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
LAPTOP = {"width": 1280, "height": 800}
MODULE = "leadership-not-a-womens-issue"
SCREENSHOT = Path("/tmp") / "ally-quiz-results.png"


def five_question_check() -> Quiz:
    content = validate_directory(ROOT / "content").content
    assert content is not None
    (quiz,) = [s for s in content.modules[MODULE].steps if isinstance(s, Quiz)]
    assert len(quiz.questions) == 5
    return quiz


@pytest.fixture
def laptop_page(browser: Any, app_server: str) -> Any:
    context = browser.new_context(base_url=app_server, viewport=LAPTOP)
    context.set_default_timeout(20_000)
    page = context.new_page()
    yield page
    context.close()


def sign_up(page: Any) -> None:
    page.goto("/auth/signup")
    page.get_by_label("Email address").fill("quiz-results@example.org")
    page.get_by_label("Your name").fill("Ravi Menon")
    page.get_by_label("Password").fill("quiz results password 2026")
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url("**/")
    wait_for_app(page)


def fail(page: Any, quiz: Quiz) -> None:
    main = page.get_by_test_id("stMain")
    for question in quiz.questions:
        wrong = [o for o in question.options if not o.correct]
        for option in wrong[:1]:
            main.locator("label").filter(has_text=option.text[:40]).first.click()
    main.get_by_role("button", name="Check my answers").click()
    wait_for_app(page)
    main.get_by_text("You got 0 of 5 right").wait_for()


def results_fit(page: Any) -> float:
    """The results' height; asserts that, scrolled to, they lie wholly inside the viewport."""
    results = page.locator(".st-key-quiz-results")
    results.scroll_into_view_if_needed()
    page.evaluate("document.querySelector('.st-key-quiz-results').scrollIntoView(true)")
    box = results.bounding_box()
    assert box is not None
    assert box["y"] >= 0 and box["y"] + box["height"] <= LAPTOP["height"], box
    return float(box["height"])


def test_the_results_of_a_five_question_check_fit_on_a_laptop_screen(laptop_page: Any) -> None:
    page, quiz = laptop_page, five_question_check()
    sign_up(page)
    page.goto(f"/player?module={MODULE}&step={quiz.id}")
    wait_for_app(page)
    fail(page, quiz)
    height = results_fit(page)
    assert height <= LAPTOP["height"] - 60, height  # room for Streamlit's own header bar
    print(f"results of a failed 5-question check: {height:.0f} px high")  # for the notes
    page.screenshot(path=str(SCREENSHOT))
    text = page.get_by_test_id("stMain").text_content() or ""
    assert "Right answer" not in text
    for question in quiz.questions:
        for option in question.options:
            if option.correct:
                assert option.text not in text, option.id
        assert (question.explanation or "") not in text or not question.explanation

    page.get_by_role("button", name="Try again").click()
    wait_for_app(page)
    fail(page, quiz)
    height = results_fit(page)
    assert height <= LAPTOP["height"] - 60, height
    print(f"results with the answers shown: {height:.0f} px high")
    text = page.get_by_test_id("stMain").text_content() or ""
    assert text.count("Right answer") == 5
