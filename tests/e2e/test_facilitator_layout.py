"""The Cohorts page in Chromium, on the sample cohort of `python -m progress demo`: on a
390x844 phone every tab's label is whole and nothing scrolls sideways; at 1280 wide the page
uses the wide layout and the dashboard's eight module columns fit without scrolling."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from modules.cohorts.sample import LEARNERS
from modules.services import accounts
from modules.services.runtime import runtime
from modules.settings import load_settings
from modules.ui.facilitate import TABS
from tests.e2e.conftest import ROOT, serve_app, wait_for_app

EMAIL, NAME, PASSWORD = "fiona@example.org", "Fiona Facilitator", "sample cohort password 2026"
SLOW_MS = 60_000  # the machine running the suite may be busy


@dataclass(frozen=True)
class Served:
    base_url: str
    cohort_id: int


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, browser: Any) -> Iterator[Served]:
    database = tmp_path_factory.mktemp("layout") / "ally.db"
    url = f"sqlite:///{database}"
    rt = runtime(load_settings({"ALLY_DATABASE_URL": url}, cwd=ROOT))
    accounts.sign_up(rt, EMAIL, NAME, PASSWORD)
    made = subprocess.run(  # the command a facilitator's administrator runs
        [sys.executable, "-m", "progress", "demo", "--owner", EMAIL],
        cwd=ROOT,
        env={**os.environ, "ALLY_DATABASE_URL": url},
        capture_output=True,
        text=True,
        check=True,
    )
    cohort_id = int(made.stdout.split("(cohort ")[1].split(")")[0])
    with serve_app(database) as base_url:
        yield Served(base_url, cohort_id)


def cohorts_page(browser: Any, served: Served, width: int, height: int) -> Any:
    context = browser.new_context(
        base_url=served.base_url, viewport={"width": width, "height": height}
    )
    context.set_default_timeout(SLOW_MS)
    page = context.new_page()
    page.goto("/auth/login")
    page.get_by_label("Email address").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/")
    page.goto(f"/cohorts?cohort={served.cohort_id}")
    wait_for_app(page, SLOW_MS)
    page.get_by_test_id("stDataFrame").first.wait_for()
    return page


def sideways(page: Any) -> dict[str, int]:
    widths: dict[str, int] = page.evaluate(
        "() => ({scroll: document.documentElement.scrollWidth, inner: window.innerWidth})"
    )
    return widths


def test_on_a_phone_every_cohort_tab_is_whole_and_nothing_scrolls_sideways(
    browser: Any, served: Served
) -> None:
    page = cohorts_page(browser, served, 390, 844)
    try:
        main = page.get_by_test_id("stMain")
        tabs = main.get_by_role("tab")
        assert tabs.all_inner_texts() == list(TABS)
        for label in TABS:
            tab = main.get_by_role("tab", name=label)
            box = tab.bounding_box()
            assert box is not None
            assert 0 <= box["x"] and box["x"] + box["width"] <= 390, (label, box)
            whole = tab.evaluate("t => t.scrollWidth <= t.clientWidth")
            assert whole, f"the tab label {label!r} is cut off"
            tab.click()
            main.get_by_role("tabpanel", name=label).wait_for()
            wait_for_app(page, SLOW_MS)
            widths = sideways(page)
            assert widths["scroll"] <= widths["inner"], (label, widths)
        main.get_by_role("tab", name="Settings").click()
        main.get_by_role("button", name="Save").wait_for()  # Settings is reachable
        assert main.get_by_role("button", name="Save").is_visible()
    finally:
        page.context.close()


def test_at_1280_the_dashboard_is_wide_and_its_module_columns_fit(
    browser: Any, served: Served
) -> None:
    page = cohorts_page(browser, served, 1280, 800)
    try:
        content = page.get_by_test_id("stMainBlockContainer").bounding_box()
        assert content is not None and content["width"] > 900  # not the 700 px column
        grid = page.get_by_test_id("stDataFrame").first
        name = sorted(learner.name for learner in LEARNERS)[0]
        grid.locator("[role='gridcell']").filter(has_text=name).first.wait_for(state="attached")
        headers = [h.strip() for h in grid.locator("[role='columnheader']").all_inner_texts()]
        assert headers[:2] == ["Learner", "Last active"] and headers[2:] == [
            str(n) for n in range(1, 9)
        ]
        scroller = grid.locator(".dvn-scroller").first
        fits = scroller.evaluate("s => s.scrollWidth <= s.clientWidth")
        assert fits, "the progress matrix scrolls sideways"
        widths = sideways(page)
        assert widths["scroll"] <= widths["inner"]
    finally:
        page.context.close()
