"""In real Chromium: five successive saves of a reflection in one visit all stick, and a
sign-out in one tab takes effect in the other on its next click.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Any

import pytest

from .conftest import wait_for_app

pytestmark = pytest.mark.e2e

MODULE = "admitting-mistakes"
PASSWORD = "nothing lost password 2026"
VERSIONS = [
    "I talked over the charge nurse at handoff.",
    "I talked over the charge nurse at handoff, twice this week.",
    "I talked over the charge nurse at handoff, twice this week, and did not notice it.",
    "I talked over the charge nurse at handoff twice this week. A resident told me afterwards.",
    "I talked over the charge nurse at handoff twice this week.\nA resident told me; I thanked"
    " him, and I asked her what she had wanted to say. Next week I will ask her first.",
]


def sign_up(page: Any, email: str, name: str) -> None:
    page.goto("/auth/signup")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Your name").fill(name)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url("**/")
    wait_for_app(page)


def reflection_step() -> str:
    from modules.course.models import Reflection
    from modules.course.validation import validate_directory

    content = validate_directory(Path(__file__).resolve().parents[2] / "content").content
    assert content is not None
    return next(s.id for s in content.modules[MODULE].steps if isinstance(s, Reflection))


def stored(database: Path, email: str) -> list[str]:
    with sqlite3.connect(database) as connection:
        rows = connection.execute(
            "SELECT r.text FROM reflections r JOIN users u ON u.id = r.user_id"
            " WHERE u.email = ? AND NOT r.is_preview",
            (email,),
        ).fetchall()
    return [text for (text,) in rows]


def stored_within(database: Path, email: str, wanted: str, timeout_s: float = 10) -> list[str]:
    """The stored reflections once they are [wanted], or as they are when time runs out."""
    deadline = time.monotonic() + timeout_s
    found = stored(database, email)
    while found != [wanted] and time.monotonic() < deadline:
        time.sleep(0.1)
        found = stored(database, email)
    return found


def test_five_saves_in_one_visit_all_stick(browser_page: Any, app_database: Path) -> None:
    from playwright.sync_api import expect

    page = browser_page
    sign_up(page, "five.saves@example.org", "Five Saves")
    page.goto(f"/player?module={MODULE}&step={reflection_step()}")
    wait_for_app(page)
    main = page.get_by_test_id("stMain")
    box = main.get_by_label("Your reflection")
    for version in VERSIONS:
        box.fill(version)
        main.get_by_role("button", name="Save my reflection").click()
        wait_for_app(page)
        assert stored_within(app_database, "five.saves@example.org", version) == [version]
        assert box.input_value() == version
    page.reload()
    wait_for_app(page)
    expect(main.get_by_label("Your reflection")).to_have_value(VERSIONS[-1])


def test_signing_out_in_one_tab_ends_the_other_on_its_next_click(browser_page: Any) -> None:
    first = browser_page
    sign_up(first, "two.tabs@example.org", "Two Tabs")
    second = first.context.new_page()  # the same browser: the same session cookie
    second.goto("/progress")
    wait_for_app(second)
    second.get_by_test_id("stMain").get_by_text("My progress").first.wait_for()
    first.goto("/auth/logout")
    first.get_by_role("button", name="Sign out").click()
    first.wait_for_url("**/")
    second.get_by_test_id("stSidebar").get_by_text("Home").first.click()
    wait_for_app(second)
    second.get_by_role("link", name="Sign in").first.wait_for()
    assert second.get_by_text("Signed in as").count() == 0
