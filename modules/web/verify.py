"""GET /verify/<code>: a plain page saying whether a certificate is valid, and nothing else.

Beside the /auth routes (app.py mounts both). A valid code shows what the certificate itself
says (name, course, date, minutes), so that an edited copy is caught; a forged, revoked or
deleted learner's code gets one and the same answer. Lookups are throttled per client address.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import partial

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from modules.course.certificate import normalize_code, spaced
from modules.services import certificates
from modules.services.certificates import TooManyLookups, Verification
from modules.services.runtime import runtime
from modules.web import html
from modules.web.client import client_address
from modules.web.routes import SECURITY_HEADERS, RuntimeSource
from progress.database import utcnow

NOT_VALID = (
    "This code does not belong to a valid certificate of this course. Check that it was typed"
    " as printed; a certificate can also have been withdrawn."
)


class VerifyViews:
    """The handlers; `clock` says what time a lookup is counted at (tests pass a fixed one)."""

    def __init__(self, source: RuntimeSource, clock: Callable[[], datetime] = utcnow) -> None:
        self._source = source
        self._clock = clock

    async def check(self, request: Request) -> Response:
        rt = self._source()
        code = str(request.path_params.get("code", ""))
        client = client_address(request, rt.settings.trusted_proxies)
        try:
            lookup = partial(certificates.verify, rt, code, client, self._clock())
            answer = await run_in_threadpool(lookup)
        except TooManyLookups as busy:
            body = html.problem(str(busy))
            headers = {**SECURITY_HEADERS, "Retry-After": str(busy.seconds)}
            return HTMLResponse(html.document("Please wait", body), 429, headers=headers)
        return HTMLResponse(_answer(answer), 200 if answer.valid else 404, SECURITY_HEADERS)

    async def form(self, request: Request) -> Response:
        """GET /verify?code=...: where the form below sends a typed code."""
        typed = request.query_params.get("code")
        if typed is not None:
            code = normalize_code(typed)
            target = f"/verify/{spaced(code)}" if code else "/verify/not-a-code"
            return RedirectResponse(target, status_code=303, headers=SECURITY_HEADERS)
        return HTMLResponse(
            html.document("Check a certificate", _code_form()), 200, SECURITY_HEADERS
        )


def _answer(answer: Verification) -> str:
    if not answer.valid:
        return html.document("Not a valid certificate", html.problem(NOT_VALID) + _code_form())
    body = (
        html.notice("This certificate is valid.")
        + html.paragraph(html.Name(answer.holder_name), " completed the course")
        + html.paragraph(html.Name(answer.course_title))
        + html.paragraph(f"on {answer.completed_on}, about {answer.minutes} minutes of study.")
        + html.paragraph("Compare these with the certificate you were shown.")
    )
    return html.document("Valid certificate", body)


def _code_form() -> str:
    # Fixed markup, no person's text in it; html.form is for POST forms with a CSRF token.
    return (
        '<form method="get" action="/verify"><div class="field">'
        '<label for="code">Verification code</label>'
        '<p class="hint" id="code-hint">16 letters and digits, as printed on the certificate.'
        '</p><input id="code" name="code" type="text" autocomplete="off" required'
        ' aria-describedby="code-hint" maxlength="64" spellcheck="false"></div>'
        '<button type="submit">Check</button></form>'
    )


def verify_routes(
    source: RuntimeSource = runtime, clock: Callable[[], datetime] = utcnow
) -> list[BaseRoute]:
    views = VerifyViews(source, clock)
    return [
        Route("/verify", views.form, methods=["GET"]),
        Route("/verify/{code}", views.check, methods=["GET"]),
    ]
