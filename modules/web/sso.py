"""The single sign-on routes: /auth/sso/start, /auth/sso/callback and /auth/sso/reauth.

They end in the same database session cookie as a password sign-in (routes._signed_in). The
flow's state is in the database and, bound to this browser, in a short-lived cookie.
"""

from __future__ import annotations

import logging
from functools import partial

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from modules.services import single_sign_on as sso
from modules.services.accounts import SESSION_COOKIE
from modules.services.runtime import Runtime
from modules.web import html, pages
from modules.web.next_path import safe_next_path, sign_in_path
from modules.web.routes import SECURITY_HEADERS, RuntimeSource, _signed_in, is_https

log = logging.getLogger(__name__)

STATE_COOKIE = "ally_sso"
STATE_COOKIE_PATH = "/auth/sso"


class SsoViews:
    def __init__(self, source: RuntimeSource) -> None:
        self._source = source

    async def start(self, request: Request) -> Response:
        rt = self._source()
        next_path = safe_next_path(request.query_params.get("next")) or "/"
        try:
            started = await run_in_threadpool(sso.start, rt, next_path)
        except sso.SsoProblem as problem:
            return _problem(rt, problem, next_path)
        return _to_provider(request, started)

    async def reauth(self, request: Request) -> Response:
        """A fresh sign-in at the provider for the person signed in here (see single_sign_on)."""
        rt = self._source()
        next_path = safe_next_path(request.query_params.get("next")) or "/"
        token = request.cookies.get(SESSION_COOKIE)
        if not token:  # signed out: sign in first, then come back here
            back = sso.reauth_path(next_path)
            return RedirectResponse(sign_in_path(back), 303, headers=SECURITY_HEADERS)
        try:
            started = await run_in_threadpool(
                partial(sso.start, session_token=token), rt, next_path
            )
        except sso.SsoProblem as problem:
            return _problem(rt, problem, next_path)
        return _to_provider(request, started)

    async def callback(self, request: Request) -> Response:
        rt = self._source()
        query = request.query_params
        finish = partial(
            sso.finish,
            state=query.get("state", ""),
            cookie_state=request.cookies.get(STATE_COOKIE),
            code=query.get("code", ""),
            error=query.get("error", ""),
            session_token=request.cookies.get(SESSION_COOKIE),
        )
        try:
            finished = await run_in_threadpool(finish, rt)
        except sso.SsoProblem as problem:
            # The state cookie stays: a forged answer must not spoil the real one on its way.
            return _problem(rt, problem, "/")
        target = safe_next_path(finished.next_path) or "/"
        response: Response
        if finished.signed_in is None:
            response = RedirectResponse(target, 303, headers=SECURITY_HEADERS)
        else:
            response = _signed_in(request, finished.signed_in, target)
        _forget_state(request, response)
        return response


def sso_routes(source: RuntimeSource) -> list[BaseRoute]:
    views = SsoViews(source)
    return [
        Route(sso.START_PATH, views.start, methods=["GET"]),
        Route(sso.CALLBACK_PATH, views.callback, methods=["GET"]),
        Route(sso.REAUTH_PATH, views.reauth, methods=["GET"]),
    ]


def _to_provider(request: Request, started: sso.Started) -> Response:
    response = RedirectResponse(started.url, 303, headers=SECURITY_HEADERS)
    response.set_cookie(
        STATE_COOKIE,
        started.state,
        max_age=int(sso.LOGIN_LIFETIME.total_seconds()),
        path=STATE_COOKIE_PATH,
        secure=is_https(request),
        httponly=True,
        # Lax: sent when the provider redirects the browser back here (a top-level GET).
        samesite="lax",
    )
    return response


def _forget_state(request: Request, response: Response) -> None:
    response.delete_cookie(
        STATE_COOKIE, path=STATE_COOKIE_PATH, secure=is_https(request), httponly=True
    )


def _problem(rt: Runtime, problem: sso.SsoProblem, next_path: str) -> Response:
    log.info("single sign-on refused: %s", type(problem).__name__)
    offer = pages.sso_offer(rt.settings, next_path)
    again = html.link(offer.start_path, "Start again", "button") if offer else ""
    others = []
    if rt.settings.passwords:
        others.append(html.link(sign_in_path(next_path), "Sign in with your password"))
    others.append(html.link("/", "Go to the course's home page"))
    body = html.problem(str(problem)) + again + html.links(*others)
    headers = {**SECURITY_HEADERS, **({"Retry-After": "60"} if problem.status == 503 else {})}
    return HTMLResponse(html.document(problem.title, body), problem.status, headers=headers)
