"""Links that survive sign-in, in real Chromium: a signed-out visit to a members' page goes to
sign-in and, after it, to that page with its query; a hostile `next` is ignored; sign-out is
one click from the sidebar.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import pytest

from modules.course.validation import validate_directory

from .conftest import ROOT, wait_for_app

pytestmark = pytest.mark.e2e

LEARNER = ("lena.link@example.org", "Lena Link", "lena link password 2026")
FACILITATOR = ("felix.link@example.org", "Felix Link", "felix link password 2026")


def create_account(database: Path, person: tuple[str, str, str], *roles: str) -> None:
    email, name, password = person
    command = [sys.executable, "-m", "progress", "create-user", email, "--name", name]
    for role in roles:
        command += ["--role", role]
    done = subprocess.run(
        command,
        cwd=ROOT,
        env={**os.environ, "ALLY_DATABASE_URL": f"sqlite:///{database}"},
        input=password + "\n",
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0 or "already" in done.stderr, done.stderr


@pytest.fixture(scope="module")
def accounts(app_server: str, app_database: Path) -> None:
    create_account(app_database, LEARNER, "learner")
    create_account(app_database, FACILITATOR, "facilitator", "learner")


def fill_sign_in(page: Any, person: tuple[str, str, str]) -> None:
    email, _, password = person
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def address(page: Any) -> str:
    """The page's path and query, as `next` names it."""
    parts = urlsplit(page.url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def main(page: Any) -> Any:
    return page.get_by_test_id("stMain")


def player_link() -> tuple[str, str]:
    content = validate_directory(ROOT / "content").content
    assert content is not None
    module = content.listed_modules[1]
    step = module.steps[1]
    return f"/player?module={module.id}&step={step.id}", module.title


def deep_link_then_sign_in(page: Any, target: str, person: tuple[str, str, str]) -> None:
    page.goto(target)
    page.wait_for_url("**/auth/login?next=**")
    assert address(page) == f"/auth/login?next={quote(target, safe='')}"
    assert not page.get_by_text("Page not found").count()
    fill_sign_in(page, person)
    page.wait_for_url(lambda url: address_of(url) == target)
    wait_for_app(page)


def address_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def test_a_module_link_comes_back_to_the_module_after_sign_in(
    browser_page: Any, accounts: None
) -> None:
    page = browser_page
    target, title = player_link()
    deep_link_then_sign_in(page, target, LEARNER)
    assert address(page) == target
    main(page).get_by_text(title).first.wait_for()
    assert not page.get_by_text("Page not found").count()
    assert not main(page).get_by_text("Please sign in").count()


def test_my_progress_comes_back_after_sign_in(browser_page: Any, accounts: None) -> None:
    page = browser_page
    deep_link_then_sign_in(page, "/progress", LEARNER)
    main(page).get_by_role("heading", name="My progress").wait_for()


def test_a_facilitator_comes_back_to_the_cohorts_after_sign_in(
    browser_page: Any, accounts: None
) -> None:
    page = browser_page
    deep_link_then_sign_in(page, "/cohorts", FACILITATOR)
    main(page).get_by_role("heading", name="Cohorts").first.wait_for()
    assert not main(page).get_by_text("Only facilitators").count()


@pytest.mark.parametrize("hostile", ["//evil.example", "https://evil.example", "/\\evil.example"])
def test_a_hostile_next_is_ignored(browser_page: Any, accounts: None, hostile: str) -> None:
    page = browser_page
    page.goto(f"/auth/login?next={quote(hostile, safe='')}")
    assert 'name="next"' not in page.content()
    fill_sign_in(page, LEARNER)
    page.wait_for_url(lambda url: urlsplit(url).path == "/")
    wait_for_app(page)
    assert urlsplit(page.url).hostname == "127.0.0.1"
    page.get_by_test_id("stSidebar").get_by_text(f"Signed in as {LEARNER[1]}").wait_for()


def test_sign_out_is_one_click_from_the_sidebar(browser_page: Any, accounts: None) -> None:
    page = browser_page
    deep_link_then_sign_in(page, "/progress", LEARNER)
    page.get_by_test_id("stSidebar").get_by_role("button", name="Sign out").click()
    page.wait_for_url(lambda url: urlsplit(url).path == "/")
    wait_for_app(page)
    main(page).get_by_role("link", name="Sign in").wait_for()
    assert not page.get_by_text("Signed in as").count()
    page.goto("/progress")  # the session is over: the page asks for sign-in again
    page.wait_for_url("**/auth/login?next=%2Fprogress")


def test_signed_out_in_another_tab_the_page_offers_sign_in_back_to_it(
    browser_page: Any, accounts: None
) -> None:
    """No page load here: the open tab's next click finds the session gone."""
    page = browser_page
    deep_link_then_sign_in(page, "/progress", LEARNER)
    other = page.context.new_page()
    other.goto("/")
    wait_for_app(other)
    other.get_by_test_id("stSidebar").get_by_role("button", name="Sign out").click()
    other.wait_for_url(lambda url: urlsplit(url).path == "/")
    other.close()
    page.get_by_test_id("stSidebarNav").get_by_text("My progress", exact=True).click()
    wait_for_app(page)
    assert not page.get_by_text("Page not found").count()
    link = main(page).get_by_role("link", name="Sign in")
    link.wait_for()
    assert link.get_attribute("href") == "/auth/login?next=%2Fprogress"
    link.click()
    fill_sign_in(page, LEARNER)
    page.wait_for_url(lambda url: address_of(url) == "/progress")
