"""Single sign-on in real Chromium against a real OpenID provider on loopback (oidc-provider-mock):
a signed-out link to a page, "Sign in with <organisation>", the provider's own page, and back on
that page signed in; then the refusals a person can meet, each on a clear page."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from modules.services.single_sign_on import CALLBACK_PATH
from tests.sso_provider import SKIP_REASON, Provider, provider_executable, query_of
from tests.sso_provider import running_provider as start_provider

from .conftest import DESKTOP, free_port, serve_app, skip_reason, wait_for_app

pytestmark = pytest.mark.e2e

ORGANISATION = "Mercy Hospital"
SCREENSHOTS = Path("/tmp")


@pytest.fixture(scope="module")
def provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Provider]:
    if skip_reason():
        pytest.skip(skip_reason())
    if provider_executable() is None:
        pytest.skip(SKIP_REASON)
    with start_provider(tmp_path_factory.mktemp("oidc")) as running:
        yield running


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("sso-app") / "ally.db"


@pytest.fixture(scope="module")
def sso_server(provider: Provider, database: Path) -> Iterator[str]:
    """The app with single sign-on at the provider, its client registered for this URL."""
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    client_id, secret = provider.register_client(base_url + CALLBACK_PATH)
    settings = {
        "ALLY_PUBLIC_URL": base_url,
        "ALLY_OIDC_ISSUER": provider.issuer,
        "ALLY_OIDC_CLIENT_ID": client_id,
        "ALLY_OIDC_CLIENT_SECRET": secret,
        "ALLY_OIDC_ORGANISATION": ORGANISATION,
    }
    with serve_app(database, port, **settings) as url:
        yield url


@pytest.fixture
def page(browser: Any, sso_server: str) -> Iterator[Any]:
    context = browser.new_context(base_url=sso_server, viewport=DESKTOP)
    context.set_default_timeout(20_000)
    yield context.new_page()
    context.close()


def sessions(database: Path) -> int:
    with sqlite3.connect(database) as connection:
        return int(connection.execute("SELECT count(*) FROM auth_sessions").fetchone()[0])


def signed_in_names(database: Path) -> list[str]:
    query = (
        "SELECT DISTINCT users.display_name FROM auth_sessions "
        "JOIN users ON users.id = auth_sessions.user_id ORDER BY 1"
    )
    with sqlite3.connect(database) as connection:
        return [name for (name,) in connection.execute(query)]


def on_my_progress(page: Any) -> None:
    """The members' page itself (a signed-out load of it is sent to the sign-in page)."""
    wait_for_app(page)
    page.get_by_role("heading", name="My progress", exact=True).wait_for()
    assert "/auth/login" not in page.url


def to_provider(page: Any, provider: Provider, target: str = "/progress?tab=latest") -> None:
    """A signed-out link to `target`, then "Sign in with <organisation>" on the sign-in page."""
    page.goto(target)
    page.wait_for_url("**/auth/login?next=*")
    page.get_by_role("link", name=f"Sign in with {ORGANISATION}").click()
    page.wait_for_url(f"{provider.issuer}/oauth2/authorize?*")


def authorize_in_page(page: Any, subject: str) -> None:
    """What the person does on the provider's own page."""
    page.locator("input[name=sub]").fill(subject)
    page.get_by_role("button", name="Authorize").click()


def test_a_link_signed_out_comes_back_signed_in_through_the_provider(
    page: Any, provider: Provider, database: Path
) -> None:
    provider.set_user("ann", email="ann@mercy.example", email_verified=True, name="Ann Oidc")
    callbacks: list[str] = []
    page.on("request", lambda r: callbacks.append(r.url) if CALLBACK_PATH in r.url else None)
    to_provider(page, provider)
    assert page.url.startswith(provider.issuer)
    authorize_in_page(page, "ann")
    page.wait_for_url("**/progress?tab=latest")
    on_my_progress(page)
    assert signed_in_names(database) == ["Ann Oidc"]
    page.reload()  # the session cookie, not the page's memory, keeps him signed in
    on_my_progress(page)
    assert page.url.endswith("/progress?tab=latest")

    # The provider's answer, opened again (from the history, or by someone who copied it).
    before = sessions(database)
    assert len(callbacks) == 1
    page.goto(callbacks[0])
    page.get_by_role("heading", name="This sign-in cannot be finished").wait_for()
    page.get_by_role("alert").get_by_text("was used already").wait_for()
    assert sessions(database) == before
    page.screenshot(path=str(SCREENSHOTS / "sso-replayed.png"))


def test_an_unverified_email_is_refused_on_a_clear_page(
    page: Any, provider: Provider, database: Path
) -> None:
    provider.set_user("bob", email="bob@mercy.example", name="Bob Unverified")
    before = sessions(database)
    to_provider(page, provider)
    authorize_in_page(page, "bob")
    page.get_by_role("heading", name="Your email address is not confirmed").wait_for()
    page.get_by_role("alert").get_by_text("did not confirm your email address").wait_for()
    page.get_by_role("link", name="Start again").wait_for()
    page.get_by_role("link", name="Sign in with your password").wait_for()
    page.screenshot(path=str(SCREENSHOTS / "sso-unverified.png"), full_page=True)
    assert sessions(database) == before
    page.goto("/")
    wait_for_app(page)
    assert not page.get_by_text("Signed in as").count()


def test_a_wrong_state_is_refused_and_the_real_answer_still_signs_in(
    page: Any, provider: Provider, database: Path
) -> None:
    provider.set_user("dan", email="dan@mercy.example", email_verified=True, name="Dan Oidc")
    to_provider(page, provider, "/progress")
    callback = provider.authorize(page.url, "dan")  # the provider's answer, held back
    code = query_of(callback)["code"]
    page.goto(f"{CALLBACK_PATH}?code={code}&state=not-the-state-this-browser-holds")
    page.get_by_role("heading", name="This sign-in cannot be finished").wait_for()
    page.get_by_text("does not belong to the sign-in started in this browser").wait_for()
    page.screenshot(path=str(SCREENSHOTS / "sso-wrong-state.png"))
    before = sessions(database)
    page.goto(callback)
    page.wait_for_url("**/progress")
    on_my_progress(page)
    assert sessions(database) == before + 1
    assert "Dan Oidc" in signed_in_names(database)
