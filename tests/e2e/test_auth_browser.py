"""Accounts in real Chromium: sign up, stay signed in across a reload, sign out, sign in."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from .conftest import wait_for_app

pytestmark = pytest.mark.e2e

EMAIL = "ann.browser@example.org"
NAME = "Ann Browser"
PASSWORD = "a long browser password"
SCREENSHOTS = Path("/tmp")


def follow_link_button(page: Any, label: str) -> Any:
    """Click one of our site links: it stays in the same tab."""
    page.get_by_role("link", name=label).click()
    page.wait_for_load_state()
    assert len(page.context.pages) == 1, "the link opened another tab"
    return page


def signed_in_as(page: Any, name: str) -> None:
    wait_for_app(page)
    sidebar = page.get_by_test_id("stSidebar")
    sidebar.get_by_text(f"Signed in as {name}").wait_for()


def test_sign_up_reload_sign_out_and_sign_in_again(browser_page: Any) -> None:
    page = browser_page
    page.goto("/")
    wait_for_app(page)
    page.get_by_role("link", name="Create an account").wait_for()

    form = follow_link_button(page, "Create an account")
    assert form.url.endswith("/auth/signup")
    form.get_by_text("You are the first person here").wait_for()
    form.get_by_label("Email address").fill(EMAIL)
    form.get_by_label("Your name").fill(NAME)
    form.get_by_label("Password").fill(PASSWORD)
    form.get_by_role("button", name="Create account").click()
    form.wait_for_url("**/")
    signed_in_as(form, NAME)

    form.reload()
    signed_in_as(form, NAME)

    confirm = form  # one click in the sidebar, no confirmation page
    confirm.get_by_test_id("stSidebar").get_by_role("button", name="Sign out").click()
    confirm.wait_for_url("**/")
    wait_for_app(confirm)
    confirm.get_by_role("link", name="Sign in").wait_for()
    assert not confirm.get_by_text("Signed in as").count()

    login = follow_link_button(confirm, "Sign in")
    login.get_by_label("Email address").fill(EMAIL)
    login.get_by_label("Password").fill("not the password at all")
    login.get_by_role("button", name="Sign in").click()
    login.get_by_text("The email address or the password is not right.").wait_for()
    login.get_by_label("Password").fill(PASSWORD)
    login.get_by_role("button", name="Sign in").click()
    login.wait_for_url("**/")
    signed_in_as(login, NAME)


def test_a_forged_session_cookie_lands_on_the_welcome_page(browser_page: Any) -> None:
    page = browser_page
    page.goto("/auth/login")
    page.context.add_cookies(
        [{"name": "ally_session", "value": "forged", "url": page.url.split("/auth")[0]}]
    )
    page.goto("/")
    wait_for_app(page)
    page.get_by_role("link", name="Sign in").wait_for()
    assert not page.get_by_test_id("stException").count()


@pytest.mark.parametrize(
    ("name", "viewport"),
    [("phone", {"width": 390, "height": 844}), ("desktop", {"width": 1280, "height": 800})],
)
def test_the_sign_in_form_fits_the_screen(
    browser_page: Any, name: str, viewport: dict[str, int]
) -> None:
    page = browser_page
    page.set_viewport_size(viewport)
    page.goto("/auth/login?next=/progress")
    page.get_by_role("button", name="Sign in").click()  # empty: shows the error summary
    page.get_by_role("alert").wait_for()
    page.screenshot(path=str(SCREENSHOTS / f"ally-sign-in-{name}.png"), full_page=True)
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= viewport["width"]
