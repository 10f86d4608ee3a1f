"""Links that survive sign-in, over HTTP: a signed-out page load of a members' page goes to
sign-in with the page as `next`; the sidebar's one-click sign-out is a POST bound to the session.
"""

from __future__ import annotations

import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from modules.services import accounts
from modules.services.accounts import SESSION_COOKIE
from modules.services.errors import StorageUnavailable
from modules.services.runtime import Runtime
from modules.ui.sitemap import members_only_paths
from modules.web import auth_routes, csrf
from modules.web.sign_in_first import SignInFirst

from .conftest import PASSWORD, post_form


async def streamlit_page(request: Request) -> PlainTextResponse:
    """Stands in for Streamlit's answer to a page load."""
    return PlainTextResponse(f"page {request.url.path}")


def app_client(rt: Runtime, source: object = None) -> TestClient:
    app = Starlette(
        routes=[
            *auth_routes(lambda: rt),
            Route("/{path:path}", streamlit_page, methods=["GET", "POST"]),
        ],
        middleware=[
            Middleware(SignInFirst, paths=members_only_paths(), source=source or (lambda: rt))
        ],
    )
    return TestClient(app, follow_redirects=False)


def signed_in(client: TestClient, email: str = "ann@example.org") -> str:
    data = {"email": email, "name": "Ann", "password": PASSWORD}
    response = post_form(client, "/auth/signup", data)
    assert response.status_code == 303  # type: ignore[attr-defined]
    return client.cookies[SESSION_COOKIE]


@pytest.mark.parametrize(
    ("address", "location"),
    [
        ("/player?module=m&step=2", "/auth/login?next=%2Fplayer%3Fmodule%3Dm%26step%3D2"),
        ("/progress", "/auth/login?next=%2Fprogress"),
        ("/cohorts?cohort=3", "/auth/login?next=%2Fcohorts%3Fcohort%3D3"),
        ("/Content/", "/auth/login?next=%2FContent%2F"),
        ("/people", "/auth/login?next=%2Fpeople"),
    ],
)  # fmt: skip
def test_a_signed_out_page_load_goes_to_sign_in_with_the_page_as_next(
    rt: Runtime, address: str, location: str
) -> None:
    with app_client(rt) as client:
        response = client.get(address)
    assert response.status_code == 303
    assert response.headers["location"] == location


@pytest.mark.parametrize(
    "address", ["/", "/privacy", "/join?code=AB12", "/_stcore/health", "/static/app.js", "/nope"]
)
def test_public_pages_and_streamlit_routes_pass_untouched(rt: Runtime, address: str) -> None:
    with app_client(rt) as client:
        response = client.get(address)
    assert response.status_code == 200
    assert response.text == f"page {address.split('?')[0]}"


def test_a_forged_or_ended_session_is_signed_out(rt: Runtime) -> None:
    with app_client(rt) as client:
        token = signed_in(client)
        assert client.get("/progress").text == "page /progress"
        accounts.sign_out(rt, token)
        assert client.get("/progress").status_code == 303
        client.cookies.set(SESSION_COOKIE, "forged")
        assert client.get("/progress").status_code == 303


def test_a_post_is_not_redirected(rt: Runtime) -> None:
    with app_client(rt) as client:
        assert client.post("/progress").status_code == 200


def test_while_the_database_is_down_the_page_itself_answers(rt: Runtime) -> None:
    def down() -> Runtime:
        raise StorageUnavailable("down")

    with app_client(rt) as client:
        token = signed_in(client)
    with app_client(rt, source=down) as client:
        client.cookies.set(SESSION_COOKIE, token)
        assert client.get("/progress").text == "page /progress"


def test_the_sidebar_signs_out_in_one_post_bound_to_the_session(rt: Runtime) -> None:
    with app_client(rt) as client:
        token = signed_in(client)
        field = csrf.for_session(csrf.signing_key(rt), accounts.session_hash(token))
        response = client.post("/auth/logout", data={csrf.CSRF_FIELD: field})
        assert response.status_code == 303 and response.headers["location"] == "/"
    assert accounts.actor_for_session(rt, token) is None


@pytest.mark.parametrize("forged", ["", "0" * 64, "another session"])
def test_a_sign_out_token_of_another_session_or_none_is_refused(rt: Runtime, forged: str) -> None:
    with app_client(rt) as client:
        other = signed_in(client, "bob@example.org")
        client.cookies.clear()
        token = signed_in(client)
        key = csrf.signing_key(rt)
        field = (
            csrf.for_session(key, accounts.session_hash(other))
            if forged == "another session"
            else forged
        )
        response = client.post("/auth/logout", data={csrf.CSRF_FIELD: field})
        assert response.status_code == 403
        assert "could not be accepted" in response.text
    assert accounts.actor_for_session(rt, token) is not None
    assert accounts.actor_for_session(rt, other) is not None


def test_a_cross_site_sign_out_without_the_session_cookie_is_refused(rt: Runtime) -> None:
    with app_client(rt) as client:
        token = signed_in(client)
        field = csrf.for_session(csrf.signing_key(rt), accounts.session_hash(token))
        client.cookies.clear()  # SameSite=Lax: another site's POST carries no session cookie
        response = client.post("/auth/logout", data={csrf.CSRF_FIELD: field})
        assert response.status_code == 403
    assert accounts.actor_for_session(rt, token) is not None
