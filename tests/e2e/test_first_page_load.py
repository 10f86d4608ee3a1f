"""The first page a fresh server serves is the app, menu and all, whatever its address.

Streamlit 1.67 took modules/ui/pages/ for a version-1 multipage app until a session of the
process had called st.navigation: a link to /progress opened just after a restart ran that
file alone, with the folder's file names as the menu and no sign-out (app.py turns that off).
This needs a server of its own: the shared one has served other pages already.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from .conftest import DESKTOP, serve_app, skip_reason, wait_for_app
from .test_links_browser import create_account, deep_link_then_sign_in

pytestmark = pytest.mark.e2e

LEARNER = ("fresh.start@example.org", "Fresh Start", "fresh start password 2026")


@pytest.fixture(scope="module")
def fresh_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    reason = skip_reason()
    if reason:
        pytest.skip(reason)
    folder = tmp_path_factory.mktemp("fresh-server")
    database = folder / "ally.db"
    create_account(database, LEARNER, "learner")
    with serve_app(database) as base_url:  # a process no other test has used
        yield base_url


@pytest.fixture
def fresh_page(browser: Any, fresh_server: str) -> Iterator[Any]:
    context = browser.new_context(base_url=fresh_server, viewport=DESKTOP)
    context.set_default_timeout(30_000)
    yield context.new_page()
    context.close()


def test_a_link_to_my_progress_right_after_a_start_shows_the_app_menu(fresh_page: Any) -> None:
    page = fresh_page
    deep_link_then_sign_in(page, "/progress", LEARNER)
    wait_for_app(page)
    menu = page.get_by_test_id("stSidebarNav")
    menu.get_by_text("My progress", exact=True).wait_for()
    assert not menu.get_by_text("landing", exact=True).count()  # a file name, not a page
    sidebar = page.get_by_test_id("stSidebar")
    sidebar.get_by_text(f"Signed in as {LEARNER[1]}").wait_for()
    assert sidebar.get_by_role("button", name="Sign out").count() == 1
