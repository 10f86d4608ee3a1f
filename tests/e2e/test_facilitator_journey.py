"""A facilitator's cohort in real Chromium: create it, share its code, a learner joins and
completes a module, and the facilitator sees it done on the dashboard and in the CSV export.
"""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from modules.course.models import Quiz, Reflection, Scenario
from modules.course.scenarios import best_path
from modules.course.validation import validate_directory

from .conftest import DESKTOP, ROOT, wait_for_app
from .test_learner_journey import (
    answer_quiz,
    choose,
    course_module,
    finish_lesson,
    main,
    open_step,
    sign_in,
)

pytestmark = pytest.mark.e2e

FACILITATOR = ("fran.facilitator@example.org", "Fran Facilitator", "facilitator password 2026")
LEARNER = ("june.joiner@example.org", "June Joiner", "joiner password 2026")
COHORT = "Browser cohort 2031"


def create_facilitator(database: Path) -> None:
    """An account with the facilitator role, made the way an operator would: the CLI."""
    email, name, password = FACILITATOR
    command = [sys.executable, "-m", "progress", "create-user", email, "--name", name]
    done = subprocess.run(
        [*command, "--role", "facilitator", "--role", "learner"],
        cwd=ROOT,
        env={**os.environ, "ALLY_DATABASE_URL": f"sqlite:///{database}"},
        input=password + "\n",
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "facilitator" in done.stdout


def sign_up(page: Any, email: str, name: str, password: str) -> None:
    page.goto("/auth/signup")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Your name").fill(name)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url("**/")
    wait_for_app(page)


def open_tab(page: Any, label: str) -> None:
    main(page).get_by_role("tab", name=label).click()
    main(page).get_by_role("tabpanel", name=label).wait_for()


def complete_the_module(page: Any) -> None:
    """Every step of the journey's module, the quickest way: best choices, right answers."""
    for step in course_module().steps:
        open_step(page, step.id)
        if isinstance(step, Scenario):
            for taken in best_path(step).steps:
                choose(page, taken.choice)
            main(page).get_by_text("How it ends: the best outcome").wait_for()
        elif isinstance(step, Quiz):
            answer_quiz(page, step, right=True)
            main(page).get_by_text("You passed this check").wait_for()
        elif isinstance(step, Reflection):
            words = " ".join(["What I heard on the ward changed how I schedule rounds."] * 5)
            main(page).get_by_label("Your reflection").fill(words)
            main(page).get_by_role("button", name="Save my reflection").click()
            wait_for_app(page)
            main(page).get_by_text("Saved.").wait_for()
        elif step.TYPE == "lesson":
            finish_lesson(page, course_module(), step)
        else:
            main(page).get_by_label("When ...").fill("the Friday handover ends")
            main(page).get_by_label("I will ...").fill("ask who was not heard")
            main(page).get_by_role("button", name="Save my plan").click()
            wait_for_app(page)
            main(page).get_by_text("the app will ask you how it went").wait_for()


def course_module_titles() -> list[str]:
    content = validate_directory(ROOT / "content").content
    assert content is not None
    return [m.title for m in content.listed_modules]


def dashboard_row(page: Any, learner: str) -> dict[str, str]:
    """The learner's row of the progress matrix, from the grid's accessible table."""
    grid = main(page).get_by_test_id("stDataFrame").first
    grid.locator("[role='gridcell']").filter(has_text=learner).wait_for(state="attached")
    headers = [h.strip() for h in grid.locator("[role='columnheader']").all_inner_texts()]
    for row in grid.locator("[role='row']").all():
        cells = [c.strip() for c in row.locator("[role='gridcell']").all_inner_texts()]
        if cells and cells[0] == learner:
            return dict(zip(headers, cells, strict=False))
    raise AssertionError(f"{learner} is not in the progress matrix")


def metric(page: Any, label: str) -> str:
    box = main(page).get_by_test_id("stMetric").filter(has_text=label)
    value: str = box.get_by_test_id("stMetricValue").inner_text()
    return value.strip()


def test_a_cohort_from_creation_to_export(
    browser: Any, browser_page: Any, app_server: str, app_database: Path
) -> None:
    facilitator = browser_page
    facilitator.goto("/")
    wait_for_app(facilitator)  # the server has opened (and migrated) its database
    create_facilitator(app_database)
    sign_in(facilitator, FACILITATOR[0], FACILITATOR[2])

    facilitator.goto("/cohorts")
    wait_for_app(facilitator)
    main(facilitator).get_by_text("You have no cohorts yet").wait_for()
    main(facilitator).get_by_label("Name").fill(COHORT)
    main(facilitator).get_by_role("button", name="Create").click()
    wait_for_app(facilitator)
    open_tab(facilitator, "People")
    code = metric(facilitator, "Join code")
    assert len(code) == 8 and code.isalnum(), code

    context = browser.new_context(base_url=app_server, viewport=DESKTOP)
    context.set_default_timeout(20_000)
    try:
        learner = context.new_page()
        sign_up(learner, *LEARNER)
        learner.goto("/join")
        wait_for_app(learner)
        main(learner).get_by_label("Join code from your facilitator").fill(code.lower())
        main(learner).get_by_role("button", name="Join").click()
        wait_for_app(learner)
        main(learner).get_by_text(f"You joined {COHORT}").wait_for()
        complete_the_module(learner)
    finally:
        context.close()

    facilitator.reload()
    wait_for_app(facilitator, 60_000)  # five tabs' figures, and the first table loads pandas
    main(facilitator).get_by_role("tab", name="Dashboard").wait_for()
    assert metric(facilitator, "Learners") == "1"
    row = dashboard_row(facilitator, LEARNER[1])
    column = str(course_module_titles().index(course_module().title) + 1)  # numbered columns
    assert row[column] == "✓ Done"
    modules = len(course_module_titles())
    assert metric(facilitator, "Modules completed") == f"{1 / modules:.0%}"

    with facilitator.expect_download() as download:  # the export is under the dashboard's table
        main(facilitator).get_by_role("button", name="Download progress (CSV)").click()
    data = Path(download.value.path()).read_bytes()
    assert download.value.suggested_filename == "browser-cohort-2031-progress.csv"
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    mine = {r["module"]: r for r in rows if r["email"] == LEARNER[0]}
    assert set(mine) == set(course_module_titles())
    done = mine[course_module().title]
    assert (done["learner"], done["status"]) == (LEARNER[1], "Completed")
    assert done["completed"] and done["best knowledge-check score (%)"] == "100"
    others = [r["status"] for title, r in mine.items() if title != course_module().title]
    assert others == ["Not started"] * (modules - 1)
