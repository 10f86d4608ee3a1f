"""Starlette routes for signing in and out, mounted beside Streamlit by `st.App` in app.py.

Streamlit scripts cannot set cookies; these routes can. The session cookie holds a random
token whose hash is in the database, so any replica can look it up.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from functools import partial
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.formparsers import MultiPartException
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from modules.services import accounts
from modules.services.accounts import SESSION_COOKIE, SESSION_LIFETIME, SignedIn
from modules.services.errors import DATABASE_DOWN
from modules.services.runtime import Runtime, runtime
from modules.services.xapi_sender import start_sender
from modules.web import csrf, pages
from modules.web.client import client_address
from modules.web.html import with_query
from modules.web.next_path import safe_next_path, sign_in_path
from modules.web.warm import freeze_what_is_loaded, warm_up
from progress.database import utcnow

log = logging.getLogger(__name__)

RuntimeSource = Callable[[], Runtime]
SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
}


def is_https(request: Request) -> bool:
    # A TLS-terminating proxy says so in X-Forwarded-Proto; trusting it can only add Secure.
    forwarded = request.headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
    return request.url.scheme == "https" or forwarded == "https"


class AuthViews:
    """The handlers; `source` gives the Runtime (tests pass one on a temporary database)."""

    def __init__(self, source: RuntimeSource) -> None:
        self._source = source

    async def login(self, request: Request) -> Response:
        rt, token = await self._prepare(request)
        if request.method == "GET":
            next_path = safe_next_path(request.query_params.get("next")) or ""
            sso = pages.sso_offer(rt.settings, next_path)
            return _page(request, pages.login(token, next_path=next_path, sso=sso), token)
        form = await _form(request)
        if form is None or not _csrf_ok(rt, request, form):
            return _refused(request, rt, "/auth/login")
        email, next_path = _text(form, "email"), safe_next_path(_text(form, "next")) or ""
        login_page = partial(pages.login, sso=pages.sso_offer(rt.settings, next_path))
        client = client_address(request, rt.settings.trusted_proxies)
        try:
            signed_in = await run_in_threadpool(
                partial(accounts.sign_in, client=client), rt, email, _text(form, "password")
            )
        except accounts.TooManyAttempts as error:
            seconds = max(1, int((error.retry_at - utcnow()).total_seconds()))
            html = login_page(token, email, next_path, str(error))
            return _page(request, html, token, 429, {"Retry-After": str(seconds)})
        except accounts.AccountProblem as error:
            return _page(request, login_page(token, email, next_path, str(error)), token, 400)
        return _signed_in(request, signed_in, next_path or "/")

    async def signup(self, request: Request) -> Response:
        rt, token = await self._prepare(request)
        if not rt.settings.passwords:  # single sign-on only: signing in there creates accounts
            back = safe_next_path(request.query_params.get("next"))
            return RedirectResponse(sign_in_path(back), 303, headers=SECURITY_HEADERS)
        state = await run_in_threadpool(accounts.signup_state, rt)
        if not state.open:
            return _page(request, pages.signup_closed(state.first_account), token, 403)
        if request.method == "GET":
            next_path = safe_next_path(request.query_params.get("next")) or ""
            html = pages.signup(token, state.first_account, next_path=next_path)
            return _page(request, html, token)
        form = await _form(request)
        if form is None or not _csrf_ok(rt, request, form):
            return _refused(request, rt, "/auth/signup")
        email, name = _text(form, "email"), _text(form, "name")
        next_path = safe_next_path(_text(form, "next")) or ""
        try:
            signed_in = await run_in_threadpool(
                accounts.sign_up, rt, email, name, _text(form, "password")
            )
        except accounts.SignUpClosed:
            return _page(request, pages.signup_closed(False), token, 403)
        except accounts.AccountProblem as error:
            html = pages.signup(token, state.first_account, email, name, str(error), next_path)
            return _page(request, html, token, 400)
        return _signed_in(request, signed_in, next_path or "/")

    async def logout(self, request: Request) -> Response:
        rt, token = await self._prepare(request)
        if request.method == "GET":
            return _page(request, pages.logout(token), token)
        form = await _form(request)
        session_token = request.cookies.get(SESSION_COOKIE)
        if form is None or not (
            _csrf_ok(rt, request, form) or _signed_out_from_the_app(rt, session_token, form)
        ):
            return _refused(request, rt, "/auth/logout")
        if session_token:
            await run_in_threadpool(accounts.sign_out, rt, session_token)
        response = RedirectResponse("/", status_code=303, headers=SECURITY_HEADERS)
        response.delete_cookie(
            SESSION_COOKIE, path="/", secure=is_https(request), httponly=True, samesite="lax"
        )
        return response

    async def reset(self, request: Request) -> Response:
        rt, token = await self._prepare(request)
        offer = pages.sso_offer(rt.settings, "")
        if offer is not None and offer.only:
            return _page(request, pages.passwords_off(offer), token, 403)
        if request.method == "GET":
            return await self._reset_form(request, rt, token, request.query_params.get("token"))
        form = await _form(request)
        link_token = _text(form, "token") if form is not None else ""
        if form is None or not _csrf_ok(rt, request, form):
            return _refused(request, rt, with_query("/auth/reset", "token", link_token))
        try:
            signed_in = await run_in_threadpool(
                accounts.reset_password, rt, link_token, _text(form, "password")
            )
        except accounts.LinkNotUsable as error:
            return _page(request, pages.link_unusable(str(error)), token, 400)
        except accounts.AccountProblem as error:
            return await self._reset_form(request, rt, token, link_token, str(error))
        return _signed_in(request, signed_in, "/")

    async def _reset_form(
        self,
        request: Request,
        rt: Runtime,
        token: str,
        link_token: str | None,
        problem: str | None = None,
    ) -> Response:
        person = await run_in_threadpool(accounts.reset_link_person, rt, link_token or "")
        if person is None:
            message = "This link has been used already, has expired or is not complete."
            return _page(request, pages.link_unusable(message), token, 400)
        html = pages.reset(token, link_token or "", person, problem)
        return _page(request, html, token, 400 if problem else 200)

    async def _prepare(self, request: Request) -> tuple[Runtime, str]:
        """The runtime and the CSRF token to put in this page's form (the cookie's, if valid)."""
        rt = self._source()
        key = await run_in_threadpool(csrf.signing_key, rt)
        current = request.cookies.get(csrf.CSRF_COOKIE)
        if current is not None and csrf.is_valid(key, current):
            return rt, current
        return rt, csrf.new_token(key)


async def database_down(request: Request, error: Exception) -> Response:
    """A clear page instead of a server error while the database cannot be reached."""
    log.error("database unavailable for %s: %s", request.url.path, error)
    html = pages.unavailable(DATABASE_DOWN)
    return HTMLResponse(html, 503, headers={**SECURITY_HEADERS, "Retry-After": "60"})


def auth_routes(source: RuntimeSource = runtime) -> list[BaseRoute]:
    # Imported here: the single sign-on routes build on this module's responses and cookies.
    from modules.web.sso import sso_routes

    views = AuthViews(source)
    both = ["GET", "POST"]
    return [
        Route("/auth/login", views.login, methods=both),
        Route("/auth/signup", views.signup, methods=both),
        Route("/auth/logout", views.logout, methods=both),
        Route("/auth/reset", views.reset, methods=both),
        *sso_routes(source),
    ]


@asynccontextmanager
async def lifespan(_app: Any) -> AsyncIterator[None]:
    """On start: migrate the database, forget expired sessions and old failures, and freeze
    what is loaded out of the garbage collector's way (modules/web/warm.py)."""
    await run_in_threadpool(warm_up)  # before the first browser: tables and charts ready
    try:
        await run_in_threadpool(lambda: accounts.clean_up(runtime()))
    except Exception:  # the app should still start; the pages will show the real error
        log.exception("clean-up of expired sign-in sessions failed")
    sender = None
    try:  # the process's xAPI sender, when an LRS is configured
        sender = await run_in_threadpool(lambda: start_sender(runtime()))
    except Exception:  # statements wait in the outbox for the next start
        log.exception("the xAPI sender could not start")
    freeze_what_is_loaded()
    yield
    if sender is not None:
        await run_in_threadpool(sender.stop)


async def _form(request: Request) -> FormData | None:
    try:
        return await request.form(max_files=0, max_fields=20)
    except (MultiPartException, UnicodeDecodeError):
        return None


def _text(form: FormData | None, name: str) -> str:
    value = form.get(name) if form is not None else None
    return value if isinstance(value, str) else ""


def _csrf_ok(rt: Runtime, request: Request, form: FormData) -> bool:
    key = csrf.signing_key(rt)  # cached after the first call (in _prepare)
    return csrf.accepts(key, request.cookies.get(csrf.CSRF_COOKIE), _text(form, csrf.CSRF_FIELD))


def _signed_out_from_the_app(rt: Runtime, session_token: str | None, form: FormData) -> bool:
    """The sidebar's one-click sign-out: its token is bound to this browser's session."""
    if not session_token:
        return False
    key = csrf.signing_key(rt)
    field = _text(form, csrf.CSRF_FIELD)
    return csrf.accepts_for_session(key, accounts.session_hash(session_token), field)


def _refused(request: Request, rt: Runtime, retry_path: str) -> Response:
    token = csrf.new_token(csrf.signing_key(rt))
    return _page(request, pages.csrf_refused(retry_path), token, 403)


def _page(
    request: Request,
    html: str,
    csrf_token: str,
    status: int = 200,
    extra_headers: dict[str, str] | None = None,
) -> Response:
    response = HTMLResponse(html, status, headers={**SECURITY_HEADERS, **(extra_headers or {})})
    if request.cookies.get(csrf.CSRF_COOKIE) != csrf_token:
        response.set_cookie(
            csrf.CSRF_COOKIE,
            csrf_token,
            path="/auth",
            secure=is_https(request),
            httponly=True,
            samesite="lax",
        )
    return response


def _signed_in(request: Request, signed_in: SignedIn, target: str) -> Response:
    response = RedirectResponse(target, status_code=303, headers=SECURITY_HEADERS)
    response.set_cookie(
        SESSION_COOKIE,
        signed_in.token,
        max_age=int(SESSION_LIFETIME.total_seconds()),
        path="/",
        secure=is_https(request),
        httponly=True,
        samesite="lax",
    )
    return response
