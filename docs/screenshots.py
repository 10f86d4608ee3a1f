"""The README's pictures, taken from the running app: `python docs/screenshots.py`.

On a fresh SQLite file in a temporary folder: a facilitator (the first account), the sample
cohort `python -m progress demo --owner` makes for him, and two learners played through the
services: one partway (Home, a scenario's ending), one who finished the course (My progress).
Then `streamlit run app.py` and Chromium take docs/img/home.png, scenario-ending.png,
my-progress.png, dashboard.png and debrief.png. Run it again after a change to the pages.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from modules.course.completion import Phase  # noqa: E402
from modules.course.models import CourseContent, Scenario  # noqa: E402
from modules.services import accounts  # noqa: E402
from modules.services.actors import Actor  # noqa: E402
from modules.services.learning import LearningService  # noqa: E402
from modules.services.runtime import Runtime  # noqa: E402
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, serve_app, skip_reason  # noqa: E402
from tests.e2e.sample_cohort import (  # noqa: E402
    PASSWORD,
    course,
    finish_the_module,
    rate_before_and_after,
    runtime_for,
    settle,
    sign_in,
)

PICTURES = ROOT / "docs" / "img"
FACILITATOR = ("nadia.okafor@example.org", "Dr. Nadia Okafor")
PARTWAY = ("daniel.reyes@example.org", "Dr. Daniel Reyes")  # two modules done, on the third
FINISHED = ("marcus.lee@example.org", "Dr. Marcus Lee")  # the whole course, both phases
WIDTH = 1280


def main() -> int:
    reason = skip_reason()
    if reason:
        print(reason, file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory(prefix="ally-screenshots-") as folder:
        database = Path(folder) / "ally.db"
        content = course()
        rt = runtime_for(database)
        accounts.sign_up(rt, *FACILITATOR, PASSWORD)  # the first account: facilitator too
        cohort_id = sample_cohort(database, FACILITATOR[0])
        play_partway(rt, content)
        play_everything(rt, content)
        with serve_app(database) as base_url:
            take_pictures(base_url, content, cohort_id)
    for picture in sorted(PICTURES.glob("*.png")):
        print(f"{picture.relative_to(ROOT)}: {picture.stat().st_size // 1024} KiB")
    return 0


def sample_cohort(database: Path, owner: str) -> int:
    """`python -m progress demo --owner`, as a facilitator would run it; the cohort's id."""
    done = subprocess.run(
        [sys.executable, "-m", "progress", "demo", "--owner", owner],
        cwd=ROOT,
        env={**os.environ, "ALLY_DATABASE_URL": f"sqlite:///{database}"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    found = re.search(r"\(cohort (\d+)\)", done.stdout)
    if done.returncode != 0 or found is None:
        raise SystemExit(f"python -m progress demo failed:\n{done.stdout}{done.stderr}")
    return int(found.group(1))


def learner(rt: Runtime, email: str, name: str) -> tuple[Actor, LearningService]:
    actor = accounts.sign_up(rt, email, name, PASSWORD).actor
    return actor, LearningService(rt.uow, course())


def play_partway(rt: Runtime, content: CourseContent) -> None:
    actor, learning = learner(rt, *PARTWAY)
    rate_before_and_after(learning, content, actor, 1, phases=(Phase.BEFORE,))
    first, second, third = content.listed_modules[:3]
    for number, module in enumerate((first, second)):
        finish_the_module(learning, actor, module, number)
    learning.open_step(actor, third.id, third.steps[0].id)


def play_everything(rt: Runtime, content: CourseContent) -> None:
    actor, learning = learner(rt, *FINISHED)
    for number, module in enumerate(content.listed_modules):
        finish_the_module(learning, actor, module, number)
    rate_before_and_after(learning, content, actor, 0)


def take_pictures(base_url: str, content: CourseContent, cohort_id: int) -> None:
    from playwright.sync_api import sync_playwright

    PICTURES.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            learner_pictures(browser, base_url, content)
            facilitator_pictures(browser, base_url, cohort_id)
        finally:
            browser.close()


def learner_pictures(browser: Any, base_url: str, content: CourseContent) -> None:
    page = signed_in(browser, base_url, PARTWAY[0], height=900)
    picture(page, "home")
    module = content.listed_modules[1]
    scenario = next(s for s in module.steps if isinstance(s, Scenario))
    page.goto(f"/player?module={module.id}&step={scenario.id}")
    settle(page)
    ending = page.get_by_test_id("stMain").get_by_text("How it ends").first
    ending.scroll_into_view_if_needed()
    picture(page, "scenario-ending")
    page = signed_in(browser, base_url, FINISHED[0], height=1000)
    page.goto("/progress")
    settle(page)
    to_top(page.get_by_test_id("stMain").get_by_role("heading", name="Self-assessment").first)
    picture(page, "my-progress")


def facilitator_pictures(browser: Any, base_url: str, cohort_id: int) -> None:
    page = signed_in(browser, base_url, FACILITATOR[0], height=1100)
    page.goto(f"/cohorts?cohort={cohort_id}")
    settle(page)
    main = page.get_by_test_id("stMain")
    to_top(main.get_by_role("tablist"))
    picture(page, "dashboard")
    main.get_by_role("tab", name="Debrief").click()
    debrief = main.get_by_role("tabpanel", name="Debrief")
    debrief.wait_for()
    settle(page)
    to_top(debrief.get_by_role("heading", name="Scenario:").first)
    picture(page, "debrief")


def to_top(element: Any) -> None:
    """Scroll the page so that `element` is at the top of the window."""
    element.evaluate("(element) => element.scrollIntoView({block: 'start'})")


def signed_in(browser: Any, base_url: str, email: str, height: int) -> Any:
    context = browser.new_context(
        base_url=base_url, viewport={"width": WIDTH, "height": height}, device_scale_factor=1
    )
    context.set_default_timeout(60_000)
    page = context.new_page()
    sign_in(page, email)
    return page


def picture(page: Any, name: str) -> None:
    settle(page)
    page.wait_for_timeout(500)  # charts finish their transition
    page.screenshot(path=str(PICTURES / f"{name}.png"))


if __name__ == "__main__":
    sys.exit(main())
