"""Sign in first: a signed-out browser that opens a members' page is sent to sign-in, and back.

Streamlit would answer a link such as /player?module=... with its own page, which for someone
signed out cannot show the module. This middleware answers the page load itself: without a
valid session it redirects to /auth/login?next=<the page and its query>, and sign-in then
follows `next` (modules/web/next_path.py). Only page loads of the addresses it is given are
looked at (one indexed session lookup each); Streamlit's own routes, assets and websocket pass
untouched, and inside the app each page's guard still decides what it shows.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection

from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import RedirectResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from modules.services import accounts
from modules.services.accounts import SESSION_COOKIE
from modules.services.errors import StorageUnavailable
from modules.services.runtime import Runtime, runtime
from modules.web.next_path import page_target, sign_in_path

log = logging.getLogger(__name__)


class SignInFirst:
    def __init__(
        self,
        app: ASGIApp,
        paths: Collection[str],
        source: Callable[[], Runtime] = runtime,
    ) -> None:
        self.app = app
        self.paths = frozenset(path.rstrip("/").lower() for path in paths)
        self.source = source

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        if path.rstrip("/").lower() not in self.paths or await self._signed_in(scope):
            await self.app(scope, receive, send)
            return
        query = scope.get("query_string", b"").decode("latin-1")
        target = sign_in_path(page_target(path, query))
        response = RedirectResponse(target, status_code=303, headers={"Cache-Control": "no-store"})
        await response(scope, receive, send)

    async def _signed_in(self, scope: Scope) -> bool:
        token = Request(scope).cookies.get(SESSION_COOKIE)
        if not token:
            return False
        try:
            actor = await run_in_threadpool(accounts.actor_for_session, self.source(), token)
        except StorageUnavailable as error:  # the page itself says the database is down
            log.warning("sign-in check skipped, database unavailable: %r", error.__cause__)
            return True
        return actor is not None


def sign_in_first(paths: Collection[str]) -> Middleware:
    """The middleware for app.py, guarding `paths` (modules/ui/sitemap.members_only_paths)."""
    return Middleware(SignInFirst, paths=paths)
