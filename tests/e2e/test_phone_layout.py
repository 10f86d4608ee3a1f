"""On a 390x844 phone: Home, a scenario, a knowledge check, My progress and every cohort tab.

Nothing scrolls sideways (the page and Streamlit's main containers are no wider than the
screen), no text in the main area runs past the screen's edge, and every cohort tab's label is
whole and on screen without scrolling the tab bar.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from modules.course.models import Quiz, Scenario
from modules.ui.facilitate import TABS

from .sample_cohort import (
    FACILITATOR,
    LEARNER,
    SampleApp,
    new_page,
    sample_app,
    settle,
    sign_in,
)

pytestmark = pytest.mark.e2e
__all__ = ["sample_app"]  # the fixture, imported for pytest

PHONE = {"width": 390, "height": 844}

# What is wrong with the page's layout, as sentences; [] when it fits the screen.
LAYOUT_PROBLEMS = """
() => {
  const problems = [];
  const screen = document.documentElement.clientWidth;
  const containers = ["html", "body", "[data-testid='stApp']",
    "[data-testid='stAppViewContainer']", "[data-testid='stMain']",
    "[data-testid='stMainBlockContainer']"];
  for (const selector of containers) {
    const box = document.querySelector(selector);
    if (box && box.scrollWidth > box.clientWidth + 1) {
      problems.push(`${selector} scrolls sideways: ${box.scrollWidth} px in ${box.clientWidth}`);
    }
  }
  const scroller = document.scrollingElement;
  if (scroller.scrollWidth > scroller.clientWidth + 1) {
    const widths = `${scroller.scrollWidth} px in ${scroller.clientWidth}`;
    problems.push(`the page scrolls sideways: ${widths}`);
  }
  const page = document.querySelector("[data-testid='stMainBlockContainer']");
  const inScroller = (element) => {  // a table or a code block of its own, inside the page
    for (let up = element.parentElement; up && up !== page; up = up.parentElement) {
      const overflow = getComputedStyle(up).overflowX;
      if (overflow === "auto" || overflow === "scroll") return true;
    }
    return false;
  };
  const texts = document.querySelectorAll(
    "[data-testid='stMain'] :is(h1, h2, h3, h4, p, li, label, button, a, [role='tab'])");
  for (const text of texts) {
    if (!text.checkVisibility() || inScroller(text)) continue;
    const edge = text.getBoundingClientRect();
    if (edge.width && (edge.left < -1 || edge.right > screen + 1)) {
      const where = `${edge.left}..${edge.right}`;
      problems.push(`"${text.innerText.slice(0, 40)}" runs off the screen (${where})`);
    }
  }
  for (const tab of document.querySelectorAll("[data-testid='stMain'] [role='tab']")) {
    const edge = tab.getBoundingClientRect();
    const bar = tab.closest("[role='tablist']").getBoundingClientRect();
    if (edge.left < Math.max(bar.left, 0) - 1 || edge.right > Math.min(bar.right, screen) + 1) {
      problems.push(`the tab "${tab.innerText}" is cut off (${edge.left}..${edge.right})`);
    }
    for (const label of tab.querySelectorAll("p, span")) {
      if (label.scrollWidth > label.clientWidth + 1) {
        problems.push(`the tab "${tab.innerText}" has its label cut short`);
      }
    }
  }
  return problems;
}
"""


@pytest.fixture
def phone(browser: Any, sample_app: SampleApp) -> Iterator[Any]:
    page = new_page(browser, sample_app, **PHONE)
    yield page
    page.context.close()


def problems_on(page: Any, url: str | None = None) -> list[str]:
    if url is not None:
        page.goto(url)
    settle(page)
    found: list[str] = page.evaluate(LAYOUT_PROBLEMS)
    return found


def test_the_learner_pages_fit_a_phone(phone: Any, sample_app: SampleApp) -> None:
    module = sample_app.made.module
    scenario = next(s for s in module.steps if isinstance(s, Scenario))
    quiz = next(s for s in module.steps if isinstance(s, Quiz))
    sign_in(phone, LEARNER[0])
    found = {
        "Home": problems_on(phone),
        "a scenario": problems_on(phone, f"/player?module={module.id}&step={scenario.id}"),
        "a knowledge check": problems_on(phone, f"/player?module={module.id}&step={quiz.id}"),
        "My progress": problems_on(phone, "/progress"),
    }
    main = phone.get_by_test_id("stMain")
    assert main.get_by_text("My progress").first.is_visible()  # the page is there, not an error
    assert {page: problems for page, problems in found.items() if problems} == {}


def test_every_cohort_tab_fits_a_phone(phone: Any, sample_app: SampleApp) -> None:
    sign_in(phone, FACILITATOR[0])
    phone.goto(f"/cohorts?cohort={sample_app.made.cohort_id}")
    settle(phone)
    main = phone.get_by_test_id("stMain")
    found = {}
    for label in TABS:
        tab = main.get_by_role("tab", name=label)
        assert tab.is_visible(), f"no {label} tab"
        tab.click()  # no scrolling first: a tab the bar hid would fail the check below
        main.get_by_role("tabpanel", name=label).wait_for()
        found[label] = problems_on(phone)
    assert {tab: problems for tab, problems in found.items() if problems} == {}


def test_the_check_sees_a_page_too_wide_and_a_tab_cut_off(phone: Any) -> None:
    """The check above can fail: a wide table and a long tab bar put into the page are found."""
    phone.goto("/privacy")
    settle(phone)
    found = phone.evaluate(
        """(check) => {
          const main = document.querySelector("[data-testid='stMainBlockContainer']");
          const wide = document.createElement("p");
          wide.style.cssText = "width: 900px; white-space: nowrap";
          wide.textContent = "A row of figures far wider than a phone";
          const bar = document.createElement("div");
          bar.setAttribute("role", "tablist");
          bar.style.cssText = "display: flex; overflow-x: auto; width: 100%";
          bar.innerHTML = ["Dashboard", "Debrief", "People", "Assignments", "Export and reminders"]
            .map((name) => `<button role="tab" style="flex: none"><p>${name}</p></button>`)
            .join("");
          main.append(wide, bar);
          return eval(check)();
        }""",
        LAYOUT_PROBLEMS,
    )
    assert any("scrolls sideways" in problem for problem in found), found
    assert any("runs off the screen" in problem for problem in found), found
    assert any('the tab "Export and reminders" is cut off' in problem for problem in found), found
