"""The /auth routes end to end over HTTP: forms, cookies, CSRF, redirects, throttling, links."""

from __future__ import annotations

import asyncio
import ipaddress
from datetime import timedelta
from pathlib import Path

import httpx2
import pytest
from starlette.testclient import TestClient

from modules.services import accounts
from modules.services.accounts import SESSION_COOKIE
from modules.services.actors import Actor
from modules.services.runtime import Runtime, runtime
from modules.web import lifespan
from modules.web.pages import FIRST_ACCOUNT_NOTICE
from progress import auth_repo
from progress.account_repo import create_user
from progress.database import utcnow
from progress.passwords import hash_password

from .conftest import PASSWORD, form_token, make_client, post_form

FORM_PATHS = ["/auth/login", "/auth/signup", "/auth/logout", "/auth/reset"]


def sign_up(client: TestClient, email: str = "ann@example.org", name: str = "Ann") -> object:
    data = {"email": email, "name": name, "password": PASSWORD}
    return post_form(client, "/auth/signup", data)


def set_cookie_header(response: object, name: str) -> str:
    headers = response.headers.get_list("set-cookie")  # type: ignore[attr-defined]
    found = [h for h in headers if h.startswith(f"{name}=")]
    assert found, headers
    return found[0]


def test_the_sign_in_form_asks_for_email_and_password_and_carries_a_csrf_field(
    client: TestClient,
) -> None:
    page = client.get("/auth/login")
    assert page.status_code == 200
    for expected in (
        'name="email"',
        'autocomplete="username"',
        'name="password"',
        'autocomplete="current-password"',
        'name="csrf_token"',
        'action="/auth/login"',
        'name="viewport"',
        '<label for="email">',
        "#0f6e6e",
    ):
        assert expected in page.text
    assert "HttpOnly" in set_cookie_header(page, "ally_csrf")
    assert page.headers["referrer-policy"] == "no-referrer"


def test_the_first_account_is_told_and_becomes_administrator_and_facilitator(
    client: TestClient, rt: Runtime
) -> None:
    assert FIRST_ACCOUNT_NOTICE in client.get("/auth/signup").text
    response = sign_up(client)
    assert response.status_code == 303 and response.headers["location"] == "/"
    actor = accounts.actor_for_session(rt, client.cookies[SESSION_COOKIE])
    assert actor is not None and actor.roles == {"admin", "facilitator", "learner"}
    with make_client(rt) as other:
        assert FIRST_ACCOUNT_NOTICE not in other.get("/auth/signup").text
        sign_up(other, "bob@example.org", "Bob")
        second = accounts.actor_for_session(rt, other.cookies[SESSION_COOKIE])
        assert second is not None and second.roles == {"learner"}


@pytest.mark.parametrize(
    ("base_url", "headers", "secure"),
    [
        ("http://testserver", {}, False),
        ("https://testserver", {}, True),
        ("http://testserver", {"x-forwarded-proto": "https"}, True),
    ],
)
def test_the_session_cookie_is_httponly_lax_site_wide_and_secure_over_https(
    rt: Runtime, base_url: str, headers: dict[str, str], secure: bool
) -> None:
    with make_client(rt, base_url) as client:
        token = form_token(client, "/auth/signup")
        data = {"csrf_token": token, "email": "a@example.org", "name": "A", "password": PASSWORD}
        response = client.post("/auth/signup", data=data, headers=headers)
    cookie = set_cookie_header(response, SESSION_COOKIE)
    attributes = {part.strip().split("=")[0].lower(): part for part in cookie.split(";")}
    assert "httponly" in attributes and "max-age" in attributes
    assert attributes["samesite"].strip().lower() == "samesite=lax"
    assert attributes["path"].strip() == "Path=/"
    assert ("secure" in attributes) is secure


def test_sign_in_sets_a_new_session_and_sign_out_ends_it(client: TestClient, rt: Runtime) -> None:
    sign_up(client)
    client.cookies.clear()
    response = post_form(client, "/auth/login", {"email": "ANN@example.org", "password": PASSWORD})
    assert response.status_code == 303 and response.headers["location"] == "/"
    session_token = client.cookies[SESSION_COOKIE]
    assert accounts.actor_for_session(rt, session_token) is not None
    assert 'action="/auth/logout"' in client.get("/auth/logout").text
    response = post_form(client, "/auth/logout", {})
    assert response.status_code == 303 and response.headers["location"] == "/"
    deleted = set_cookie_header(response, SESSION_COOKIE)
    assert "Max-Age=0" in deleted or 'ally_session=""' in deleted
    assert accounts.actor_for_session(rt, session_token) is None


@pytest.mark.parametrize(
    ("next_path", "location"),
    [
        ("/player?module=speaking-up&step=2", "/player?module=speaking-up&step=2"),
        ("/progress", "/progress"),
        ("//evil.com", "/"),
        ("https://evil.com", "/"),
        ("/\\evil.com", "/"),
        ("/\t/evil.com", "/"),
        ("evil.com", "/"),
        ("javascript:alert(1)", "/"),
        ("", "/"),
    ],
)
def test_only_a_path_on_this_site_is_followed_after_sign_in(
    client: TestClient, next_path: str, location: str
) -> None:
    sign_up(client)
    data = {"email": "ann@example.org", "password": PASSWORD, "next": next_path}
    response = post_form(client, "/auth/login", data)
    assert response.status_code == 303
    assert response.headers["location"] == location


def test_the_next_path_from_the_address_is_kept_in_the_form(client: TestClient) -> None:
    assert 'name="next" value="/progress"' in client.get("/auth/login?next=/progress").text
    assert 'name="next"' not in client.get("/auth/login?next=//evil.com").text
    assert 'name="next" value="/join?code=K7' in client.get("/auth/signup?next=/join?code=K7").text
    assert 'name="next"' not in client.get("/auth/signup?next=https://evil.com").text


@pytest.mark.parametrize(
    ("next_path", "location"), [("/join?code=K7PQ2M", "/join?code=K7PQ2M"), ("//evil.com", "/")]
)
def test_sign_up_follows_only_a_path_on_this_site(
    client: TestClient, next_path: str, location: str
) -> None:
    data = {"email": "ann@example.org", "name": "Ann", "password": PASSWORD, "next": next_path}
    response = post_form(client, "/auth/signup", data)
    assert response.status_code == 303
    assert response.headers["location"] == location


@pytest.mark.parametrize("email", ["ann@example.org", "nobody@example.org"])
def test_a_failed_sign_in_shows_the_form_again_with_one_message_for_both_cases(
    client: TestClient, rt: Runtime, email: str
) -> None:
    sign_up(client)
    client.cookies.clear()
    response = post_form(client, "/auth/login", {"email": email, "password": "wrong password!"})
    assert response.status_code == 400
    assert accounts.WRONG_CREDENTIALS in response.text
    assert f'value="{email}"' in response.text and 'role="alert"' in response.text
    assert SESSION_COOKIE not in client.cookies
    with rt.sessions.begin() as session:
        assert auth_repo.sign_in_counters(session, email, "testclient").failures == 1


def add_failures(
    rt: Runtime, email: str, count: int, ago: timedelta, client: str = "testclient"
) -> None:
    """`count` failures of `email` from `client`, the last one `ago`."""
    at = utcnow() - ago
    with rt.sessions.begin() as session:
        auth_repo.lock_sign_in_counters(session, email, client, now=at)
        auth_repo.save_sign_in_counters(
            session, email, client, auth_repo.SignInCounters(count, at, at)
        )


def test_after_five_failures_sign_in_is_slowed_down_even_with_the_right_password(
    client: TestClient, rt: Runtime
) -> None:
    sign_up(client)
    add_failures(rt, "ann@example.org", 5, timedelta(seconds=2))
    response = post_form(client, "/auth/login", {"email": "ann@example.org", "password": PASSWORD})
    assert response.status_code == 429
    assert "Wait 2" in response.text and "seconds, then try again" in response.text
    assert 1 <= int(response.headers["retry-after"]) <= 30


def test_after_ten_failures_the_address_is_refused_saying_when_to_try_again(
    client: TestClient, rt: Runtime
) -> None:
    add_failures(rt, "nobody@example.org", 9, timedelta(minutes=1))
    data = {"email": "nobody@example.org", "password": "wrong password!"}
    response = post_form(client, "/auth/login", data)
    assert response.status_code == 429
    assert "Try again in 15 minutes" in response.text and "UTC" in response.text
    assert 14 * 60 <= int(response.headers["retry-after"]) <= 15 * 60


PROXY, STRANGER, OWNER_ADDRESS = "10.0.0.2", "203.0.113.66", "198.51.100.7"
BEHIND_NGINX = [(ipaddress.ip_network("10.0.0.0/8"),)]


def sign_in_via(client: TestClient, password: str, forwarded_for: str) -> httpx2.Response:
    """POST the sign-in form for ann@example.org with an X-Forwarded-For header."""
    data = {"csrf_token": form_token(client, "/auth/login")}
    data |= {"email": "ann@example.org", "password": password}
    response = client.post("/auth/login", data=data, headers={"X-Forwarded-For": forwarded_for})
    client.cookies.delete(SESSION_COOKIE)
    return response


@pytest.mark.parametrize(
    ("trusted_proxies", "counted_as"), [((), PROXY), (BEHIND_NGINX[0], STRANGER)]
)
def test_a_failure_counts_against_the_forwarded_client_only_behind_a_trusted_proxy(
    rt: Runtime, counted_as: str
) -> None:
    with make_client(rt, peer=PROXY) as client:
        response = sign_in_via(client, "wrong password!", f"192.0.2.99, {STRANGER}")
    assert response.status_code == 400
    with rt.sessions.begin() as session:
        assert auth_repo.sign_in_counters(session, "ann@example.org", counted_as).failures == 1
        assert auth_repo.sign_in_counters(session, "ann@example.org", "192.0.2.99").failures == 0


def test_without_trusted_proxies_x_forwarded_for_cannot_escape_a_lock(rt: Runtime) -> None:
    add_failures(rt, "ann@example.org", 10, timedelta(minutes=1), client=PROXY)
    with make_client(rt, peer=PROXY) as client:
        sign_up(client)
        assert sign_in_via(client, PASSWORD, OWNER_ADDRESS).status_code == 429


@pytest.mark.parametrize("trusted_proxies", BEHIND_NGINX)
def test_behind_a_trusted_proxy_a_locked_out_stranger_does_not_lock_out_the_owner(
    rt: Runtime,
) -> None:
    add_failures(rt, "ann@example.org", 10, timedelta(minutes=1), client=STRANGER)
    with make_client(rt, peer=PROXY) as client:
        sign_up(client)
        assert sign_in_via(client, PASSWORD, STRANGER).status_code == 429
        assert sign_in_via(client, PASSWORD, f"{OWNER_ADDRESS}, {STRANGER}").status_code == 429
        assert sign_in_via(client, PASSWORD, OWNER_ADDRESS).status_code == 303


@pytest.mark.parametrize("path", FORM_PATHS)
@pytest.mark.parametrize("case", ["missing", "wrong", "no cookie", "forged"])
def test_a_post_without_a_matching_signed_csrf_token_is_refused(
    client: TestClient, rt: Runtime, path: str, case: str
) -> None:
    sign_up(client)
    token = form_token(client, "/auth/login")
    forged = "nonce." + "0" * 64
    data = {"email": "ann@example.org", "password": PASSWORD, "name": "X", "token": "t"}
    if case == "wrong":
        data["csrf_token"] = token[:-1] + ("0" if token[-1] != "0" else "1")
    elif case == "no cookie":
        data["csrf_token"] = token
        client.cookies.delete("ally_csrf", path="/auth")
    elif case == "forged":
        client.cookies.set("ally_csrf", forged, path="/auth")
        data["csrf_token"] = forged
    session_before = client.cookies[SESSION_COOKIE]
    response = client.post(path, data=data)
    assert response.status_code == 403
    assert "This form could not be accepted" in response.text
    assert accounts.actor_for_session(rt, session_before) is not None  # no sign-out either


def test_a_refused_form_can_be_sent_again_after_reopening_it(client: TestClient) -> None:
    sign_up(client)
    client.cookies.clear()
    refused = client.post("/auth/login", data={"email": "ann@example.org", "password": PASSWORD})
    assert refused.status_code == 403
    response = post_form(client, "/auth/login", {"email": "ann@example.org", "password": PASSWORD})
    assert response.status_code == 303


def test_user_text_is_escaped_in_the_page(client: TestClient) -> None:
    data = {"email": '"><script>x</script>', "name": "<b>Bo</b>", "password": PASSWORD}
    response = post_form(client, "/auth/signup", data)
    assert response.status_code == 400
    assert "<script>" not in response.text and "<b>Bo</b>" not in response.text
    assert "&lt;b&gt;Bo&lt;/b&gt;" in response.text


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"email": "ann@example.org", "name": "Ann", "password": "short"}, "at least 12"),
        ({"email": "not-an-address", "name": "Ann", "password": PASSWORD}, "not an email"),
        ({"email": "ann@example.org", "name": "  ", "password": PASSWORD}, "Enter the name"),
    ],
)
def test_sign_up_explains_what_to_fix(
    client: TestClient, data: dict[str, str], message: str
) -> None:
    response = post_form(client, "/auth/signup", data)
    assert response.status_code == 400 and message in response.text
    assert SESSION_COOKIE not in client.cookies


def test_an_address_in_use_cannot_sign_up_again(client: TestClient) -> None:
    sign_up(client)
    response = sign_up(client, "Ann@Example.org", "Another Ann")
    assert response.status_code == 400 and "exists already" in response.text


@pytest.mark.parametrize("allow_signup", [False])
def test_closed_sign_up_shows_a_clear_page_and_creates_nobody(
    client: TestClient, rt: Runtime
) -> None:
    page = client.get("/auth/signup")
    assert page.status_code == 403 and "Sign-up is closed" in page.text
    assert "create-user" in page.text  # nobody has an account yet: how to make the first
    token = form_token(client, "/auth/login")
    data = {"csrf_token": token, "email": "a@example.org", "name": "A", "password": PASSWORD}
    assert client.post("/auth/signup", data=data).status_code == 403
    assert accounts.signup_state(rt).first_account


@pytest.mark.parametrize("allow_signup", [False])
def test_an_invitation_works_while_sign_up_is_closed(client: TestClient, rt: Runtime) -> None:
    admin = make_admin(rt)
    link = accounts.invite(rt, admin, "new@example.org", "New <Person>", ["facilitator"])
    page = client.get(link.path)
    assert page.status_code == 200 and "Welcome, <bdi>New &lt;Person&gt;</bdi>" in page.text
    response = post_form(
        client, "/auth/reset", {"token": link.token, "password": PASSWORD}, form_path=link.path
    )
    assert response.status_code == 303 and response.headers["location"] == "/"
    actor = accounts.actor_for_session(rt, client.cookies[SESSION_COOKIE])
    assert actor is not None and actor.roles == {"facilitator"}
    client.cookies.clear()
    signed_in = post_form(client, "/auth/login", {"email": "new@example.org", "password": PASSWORD})
    assert signed_in.status_code == 303


def test_a_reset_link_sets_a_new_password_once(client: TestClient, rt: Runtime) -> None:
    admin = make_admin(rt)
    learner = accounts.sign_up(rt, "lee@example.org", "Lee", PASSWORD)  # signed in elsewhere
    link = accounts.create_reset_link(rt, admin, learner.actor.user_id)
    new_password = "a different long password"
    data = {"token": link.token, "password": new_password}
    assert "Choose a new password" in client.get(link.path).text
    assert post_form(client, "/auth/reset", data, form_path=link.path).status_code == 303
    assert accounts.actor_for_session(rt, learner.token) is None  # signed out elsewhere
    again = post_form(client, "/auth/reset", data, form_path="/auth/login")
    assert again.status_code == 400 and "used already" in again.text
    assert client.get(link.path).status_code == 400
    client.cookies.clear()
    old = {"email": "lee@example.org", "password": PASSWORD}
    assert post_form(client, "/auth/login", old).status_code == 400
    new = {"email": "lee@example.org", "password": new_password}
    assert post_form(client, "/auth/login", new).status_code == 303


def test_a_short_new_password_keeps_the_link_usable(client: TestClient, rt: Runtime) -> None:
    admin = make_admin(rt)
    link = accounts.create_reset_link(rt, admin, admin.user_id)
    data = {"token": link.token, "password": "short"}
    response = post_form(client, "/auth/reset", data, form_path=link.path)
    assert response.status_code == 400 and "at least 12" in response.text
    assert accounts.reset_link_person(rt, link.token) is not None


@pytest.mark.parametrize("token", ["", "made-up", "x" * 300])
def test_an_unknown_reset_link_says_it_cannot_be_used(client: TestClient, token: str) -> None:
    page = client.get(f"/auth/reset?token={token}")
    assert page.status_code == 400 and "This link cannot be used" in page.text


def make_admin(rt: Runtime) -> Actor:
    """The first account (so an administrator), made even while sign-up is closed."""
    with rt.sessions.begin() as session:
        user = create_user(session, "admin@example.org", "Ada Admin", hash_password(PASSWORD))
    return Actor(user.id, user.display_name, user.roles)


def test_starting_the_app_forgets_expired_sessions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'start.db'}"
    monkeypatch.setenv("ALLY_DATABASE_URL", url)
    rt = runtime()
    with rt.sessions.begin() as session:
        user = create_user(session, "old@example.org", "Old", None)
        auth_repo.start_auth_session(
            session, user.id, timedelta(days=1), utcnow() - timedelta(days=2)
        )

    async def start() -> None:
        async with lifespan(None):
            pass

    asyncio.run(start())
    with rt.sessions.begin() as session:
        assert auth_repo.delete_expired_auth_sessions(session) == 0
