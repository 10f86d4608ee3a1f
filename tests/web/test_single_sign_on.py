"""Single sign-on over HTTP against a real OpenID provider on loopback (oidc-provider-mock):
the happy path, and every refusal (wrong state, replays, unverified email, provider down)
with its clear page, checked in the database afterwards.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy import func, select
from starlette.testclient import TestClient

from modules.services import accounts
from modules.services import single_sign_on as sso
from modules.services.accounts import SESSION_COOKIE
from modules.services.runtime import Runtime
from modules.settings import OidcSettings
from progress.account_repo import create_user, find_user_by_email
from progress.passwords import hash_password
from progress.tables import AuthSessionRow, SsoIdentityRow, UserRow
from tests.sso_provider import SKIP_REASON, Provider, provider_executable, query_of
from tests.sso_provider import running_provider as start_provider

from .conftest import PASSWORD, make_client, post_form

ORGANISATION = "Mercy Hospital"
BASE = "http://testserver"
NEXT = "/player?module=gender-humility"


@pytest.fixture(scope="module")
def provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Provider]:
    if provider_executable() is None:
        pytest.skip(SKIP_REASON)
    with start_provider(tmp_path_factory.mktemp("oidc")) as running:
        yield running


@pytest.fixture(scope="module")
def oidc(provider: Provider) -> OidcSettings:
    client_id, secret = provider.register_client(BASE + sso.CALLBACK_PATH)
    return OidcSettings(provider.issuer, client_id, secret, ORGANISATION)


@pytest.fixture
def sso_rt(rt: Runtime, oidc: OidcSettings) -> Runtime:
    settings = dataclasses.replace(rt.settings, oidc=oidc, public_url=BASE)
    return dataclasses.replace(rt, settings=settings)


@pytest.fixture
def browser(sso_rt: Runtime) -> Iterator[TestClient]:
    with make_client(sso_rt) as client:
        yield client


def start(client: TestClient, next_path: str = NEXT, path: str = sso.START_PATH) -> str:
    """Press "Sign in with ...": the provider's authorization URL the browser is sent to."""
    response = client.get(f"{path}?next={quote(next_path, safe='')}")
    assert response.status_code == 303, response.text
    return str(response.headers["location"])


def sign_in_at_provider(client: TestClient, provider: Provider, subject: str) -> str:
    """The whole round trip up to the provider sending the browser back: the callback URL."""
    return provider.authorize(start(client), subject)


def count(rt: Runtime, row: type) -> int:
    with rt.transaction() as session:
        return session.scalar(select(func.count()).select_from(row)) or 0


def add_account(rt: Runtime, email: str, password: str | None = PASSWORD) -> int:
    with rt.transaction() as session:
        hashed = hash_password(password) if password else None
        return create_user(session, email, email.split("@")[0], hashed).id


def title(response: object) -> str:
    found = re.search(r"<h1>([^<]*)</h1>", response.text)  # type: ignore[attr-defined]
    assert found, response.text  # type: ignore[attr-defined]
    return found.group(1)


def test_the_sign_in_page_offers_the_organisation_and_keeps_next(browser: TestClient) -> None:
    page = browser.get("/auth/login?next=/progress")
    assert f">Sign in with {ORGANISATION}</a>" in page.text
    assert 'href="/auth/sso/start?next=%2Fprogress"' in page.text
    assert 'name="password"' in page.text  # passwords still work beside it


def test_without_single_sign_on_the_page_offers_none(client: TestClient) -> None:
    assert "Sign in with" not in client.get("/auth/login").text
    assert client.get(sso.START_PATH).status_code == 404


def test_a_new_person_becomes_a_learner_and_lands_where_he_was_going(
    browser: TestClient, sso_rt: Runtime, provider: Provider
) -> None:
    add_account(sso_rt, "first@hospital.example")  # the first account is the administrator
    provider.set_user("ann", email="Ann@Hospital.example", email_verified=True, name="Ann Oidc")
    callback = sign_in_at_provider(browser, provider, "ann")
    assert callback.startswith(BASE + sso.CALLBACK_PATH)
    response = browser.get(callback)
    assert response.status_code == 303 and response.headers["location"] == NEXT
    actor = accounts.actor_for_session(sso_rt, browser.cookies[SESSION_COOKIE])
    assert actor is not None and actor.display_name == "Ann Oidc"
    assert actor.roles == {"learner"}
    with sso_rt.transaction() as session:
        person = find_user_by_email(session, "ann@hospital.example")
        identity = session.get(SsoIdentityRow, (provider.issuer, "ann"))
    assert person is not None and person.id == actor.user_id and not person.has_password
    assert identity is not None and identity.user_id == person.id


def test_an_existing_account_is_found_by_verified_email_and_then_by_subject(
    browser: TestClient, sso_rt: Runtime, provider: Provider
) -> None:
    bob = add_account(sso_rt, "bob@hospital.example")
    provider.set_user("bob-1", email="BOB@hospital.example", email_verified=True, name="Bob")
    assert browser.get(sign_in_at_provider(browser, provider, "bob-1")).status_code == 303
    first = accounts.actor_for_session(sso_rt, browser.cookies[SESSION_COOKIE])
    assert first is not None and first.user_id == bob
    # His address changes at the provider: the linked subject still signs him in.
    provider.set_user("bob-1", email="robert@hospital.example", email_verified=True)
    browser.cookies.clear()
    assert browser.get(sign_in_at_provider(browser, provider, "bob-1")).status_code == 303
    second = accounts.actor_for_session(sso_rt, browser.cookies[SESSION_COOKIE])
    assert second is not None and second.user_id == bob
    assert count(sso_rt, UserRow) == 1
    # Password sign-in keeps working for him.
    browser.cookies.clear()
    data = {"email": "bob@hospital.example", "password": PASSWORD}
    assert post_form(browser, "/auth/login", data).status_code == 303


@pytest.mark.parametrize(
    "claims",
    [
        {"email": "carl@hospital.example", "email_verified": False},
        {"email": "carl@hospital.example"},  # the provider says nothing about it
        {"email_verified": True},  # no address at all
    ],
)
def test_an_unverified_email_is_refused_and_nothing_is_created_or_linked(
    browser: TestClient, sso_rt: Runtime, provider: Provider, claims: dict[str, object]
) -> None:
    add_account(sso_rt, "carl@hospital.example")  # his account must not be taken over
    subject = f"carl-{len(claims)}-{claims.get('email_verified')}"
    provider.set_user(subject, **claims)
    response = browser.get(sign_in_at_provider(browser, provider, subject))
    assert response.status_code == 403
    assert title(response) == "Your email address is not confirmed"
    assert "did not confirm your email address" in response.text
    assert SESSION_COOKIE not in browser.cookies
    assert count(sso_rt, UserRow) == 1 and count(sso_rt, SsoIdentityRow) == 0
    assert count(sso_rt, AuthSessionRow) == 0


def test_an_address_no_person_can_have_is_refused(
    browser: TestClient, sso_rt: Runtime, provider: Provider
) -> None:
    with sso_rt.transaction() as session:  # a sample cohort's made-up learner
        create_user(session, "made-up-1@sample.invalid", "Made-up", None, synthetic=True)
    provider.set_user("fake", email="made-up-1@sample.invalid", email_verified=True)
    response = browser.get(sign_in_at_provider(browser, provider, "fake"))
    assert response.status_code == 400 and "cannot use" in response.text
    assert count(sso_rt, SsoIdentityRow) == 0 and count(sso_rt, AuthSessionRow) == 0


def test_a_wrong_state_is_refused_and_the_real_answer_still_works(
    browser: TestClient, sso_rt: Runtime, provider: Provider
) -> None:
    provider.set_user("dan", email="dan@hospital.example", email_verified=True)
    callback = sign_in_at_provider(browser, provider, "dan")
    answer = query_of(callback)
    forged = f"{BASE}{sso.CALLBACK_PATH}?code={answer['code']}&state=forged-state"
    response = browser.get(forged)
    assert response.status_code == 400
    assert "does not belong to the sign-in started in this browser" in response.text
    assert SESSION_COOKIE not in browser.cookies
    with make_client(sso_rt) as other_browser:  # the right state, but not its browser
        refused = other_browser.get(callback)
        assert refused.status_code == 400 and "not started in this browser" in refused.text
        assert SESSION_COOKIE not in other_browser.cookies
    assert count(sso_rt, AuthSessionRow) == 0
    assert browser.get(callback).status_code == 303  # nothing spoiled the real one


def test_a_replayed_answer_is_refused(
    browser: TestClient, sso_rt: Runtime, provider: Provider
) -> None:
    provider.set_user("eve", email="eve@hospital.example", email_verified=True)
    callback = provider.authorize(start(browser), "eve")
    state_cookie = browser.cookies["ally_sso"]
    assert browser.get(callback).status_code == 303
    sessions = count(sso_rt, AuthSessionRow)
    back = browser.get(callback)  # the browser's Back button: its state cookie was spent
    assert back.status_code == 400 and "was used already" in back.text
    browser.cookies.set("ally_sso", state_cookie, path="/auth/sso")  # the very same answer again
    replay = browser.get(callback)
    assert replay.status_code == 400 and "was finished already" in replay.text
    assert title(replay) == "This sign-in cannot be finished"
    assert count(sso_rt, AuthSessionRow) == sessions


def test_a_code_used_once_is_refused_by_the_provider_in_a_new_sign_in(
    browser: TestClient, sso_rt: Runtime, provider: Provider
) -> None:
    provider.set_user("fay", email="fay@hospital.example", email_verified=True)
    used = query_of(sign_in_at_provider(browser, provider, "fay"))
    first = browser.get(f"{BASE}{sso.CALLBACK_PATH}?code={used['code']}&state={used['state']}")
    assert first.status_code == 303
    fresh = query_of(provider.authorize(start(browser), "fay"))
    replayed = f"{BASE}{sso.CALLBACK_PATH}?code={used['code']}&state={fresh['state']}"
    sessions = count(sso_rt, AuthSessionRow)
    response = browser.get(replayed)
    assert response.status_code == 400
    assert "could not be verified, or was used already" in response.text
    assert count(sso_rt, AuthSessionRow) == sessions


def test_a_person_who_cancels_at_the_provider_is_told(browser: TestClient) -> None:
    state = query_of(start(browser))["state"]
    response = browser.get(f"{sso.CALLBACK_PATH}?error=access_denied&state={state}")
    assert response.status_code == 400
    assert f"{ORGANISATION} did not sign you in (access_denied)" in response.text
    assert "Start again" in response.text and SESSION_COOKIE not in browser.cookies


@pytest.mark.parametrize("next_path", ["//evil.com", "https://evil.com", "/\t/evil.com"])
def test_only_a_path_on_this_site_is_followed_after_single_sign_on(
    browser: TestClient, provider: Provider, next_path: str
) -> None:
    provider.set_user("gus", email="gus@hospital.example", email_verified=True)
    callback = provider.authorize(start(browser, next_path), "gus")
    response = browser.get(callback)
    assert response.status_code == 303 and response.headers["location"] == "/"


def test_an_issuer_that_is_down_gives_a_clear_page(rt: Runtime, tmp_path: Path) -> None:
    from tests.sso_provider import free_port

    down = OidcSettings(f"http://127.0.0.1:{free_port()}", "client", "secret", ORGANISATION)
    settings = dataclasses.replace(rt.settings, oidc=down, public_url=BASE)
    with make_client(dataclasses.replace(rt, settings=settings)) as client:
        response = client.get(f"{sso.START_PATH}?next=/progress")
    assert response.status_code == 503 and response.headers["retry-after"] == "60"
    assert f"{ORGANISATION}&#x27;s sign-in service is not answering" in response.text
    assert 'href="/auth/login?next=%2Fprogress">Sign in with your password' in response.text


def test_an_issuer_that_goes_down_during_the_sign_in_gives_the_same_page(
    rt: Runtime, tmp_path: Path
) -> None:
    if provider_executable() is None:
        pytest.skip(SKIP_REASON)
    with start_provider(tmp_path) as short_lived:
        client_id, secret = short_lived.register_client(BASE + sso.CALLBACK_PATH)
        short_lived.set_user("hal", email="hal@hospital.example", email_verified=True)
        oidc = OidcSettings(short_lived.issuer, client_id, secret, ORGANISATION)
        settings = dataclasses.replace(rt.settings, oidc=oidc, public_url=BASE)
        down_rt = dataclasses.replace(rt, settings=settings)
        client = make_client(down_rt)
        callback = sign_in_at_provider(client, short_lived, "hal")
    response = client.get(callback)  # the provider has stopped before the code exchange
    assert response.status_code == 503 and "not answering just now" in response.text
    assert count(down_rt, AuthSessionRow) == 0


@pytest.fixture
def only_rt(sso_rt: Runtime) -> Runtime:
    assert sso_rt.settings.oidc is not None
    oidc = dataclasses.replace(sso_rt.settings.oidc, only=True)
    return dataclasses.replace(sso_rt, settings=dataclasses.replace(sso_rt.settings, oidc=oidc))


def test_single_sign_on_can_be_the_only_way_in(only_rt: Runtime) -> None:
    add_account(only_rt, "ida@hospital.example")
    with make_client(only_rt) as client:
        page = client.get("/auth/login?next=/progress")
        assert f">Sign in with {ORGANISATION}</a>" in page.text
        assert 'name="password"' not in page.text and "/auth/signup" not in page.text
        signup = client.get("/auth/signup?next=/progress")
        assert signup.status_code == 303
        assert signup.headers["location"] == "/auth/login?next=%2Fprogress"
        reset = client.get("/auth/reset?token=anything")
        assert reset.status_code == 403 and "Passwords are not used here" in reset.text
        # A password posted anyway (an old form, a script) does not sign in.
        data = {"email": "ida@hospital.example", "password": PASSWORD}
        refused = post_form(client, "/auth/login", data, form_path="/auth/logout")
        assert refused.status_code == 400 and SESSION_COOKIE not in client.cookies
        assert "Passwords are not used here" in refused.text
    with pytest.raises(accounts.PasswordsOff):
        accounts.sign_in(only_rt, "ida@hospital.example", PASSWORD)
    with pytest.raises(accounts.SignUpClosed):
        accounts.sign_up(only_rt, "new@hospital.example", "New", PASSWORD)


def test_a_fresh_sign_in_is_recorded_on_the_session_for_account_deletion(
    browser: TestClient, sso_rt: Runtime, provider: Provider
) -> None:
    provider.set_user("jim", email="jim@hospital.example", email_verified=True)
    browser.get(sign_in_at_provider(browser, provider, "jim"))
    actor = accounts.actor_for_session(sso_rt, browser.cookies[SESSION_COOKIE])
    assert actor is not None and sso.is_single_sign_on_account(sso_rt, actor)
    assert not sso.signed_in_freshly(sso_rt, actor)  # signing in is not a fresh sign-in
    url = start(browser, "/account?delete=1", sso.REAUTH_PATH)
    assert query_of(url)["prompt"] == "login" and query_of(url)["max_age"] == "0"
    response = browser.get(provider.authorize(url, "jim"))
    assert response.status_code == 303 and response.headers["location"] == "/account?delete=1"
    assert sso.signed_in_freshly(sso_rt, actor)
    assert not sso.signed_in_freshly(sso_rt, dataclasses.replace(actor, session_hash="other"))


def test_a_fresh_sign_in_as_someone_else_is_refused(
    browser: TestClient, sso_rt: Runtime, provider: Provider
) -> None:
    provider.set_user("kim", email="kim@hospital.example", email_verified=True)
    provider.set_user("lee", email="lee@hospital.example", email_verified=True)
    browser.get(sign_in_at_provider(browser, provider, "kim"))
    browser.get(sign_in_at_provider(browser, provider, "lee"))  # lee's account exists now
    browser.get(sign_in_at_provider(browser, provider, "kim"))
    actor = accounts.actor_for_session(sso_rt, browser.cookies[SESSION_COOKIE])
    assert actor is not None
    response = browser.get(provider.authorize(start(browser, "/", sso.REAUTH_PATH), "lee"))
    assert response.status_code == 403 and "as someone else" in response.text
    assert not sso.signed_in_freshly(sso_rt, actor)


def test_a_fresh_sign_in_while_signed_out_goes_to_sign_in_first(browser: TestClient) -> None:
    response = browser.get(f"{sso.REAUTH_PATH}?next=/account")
    assert response.status_code == 303
    expected = "/auth/login?next=" + quote(f"{sso.REAUTH_PATH}?next=%2Faccount", safe="")
    assert response.headers["location"] == expected
