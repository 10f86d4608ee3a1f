"""What every signed-in page needs: the person, the course, the services, local times."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import streamlit as st

from modules.course.citations import Bibliography
from modules.course.models import CourseContent
from modules.services.actors import ADMIN, FACILITATOR, Actor
from modules.services.learning import LearningService
from modules.services.practice import Practice
from modules.services.runtime import runtime
from modules.services.xapi_outbox import ProgressReporter
from modules.ui.identity import current_actor
from modules.ui.render import site_link
from modules.ui.state import content_dir, current_content
from modules.web.next_path import page_target, sign_in_path


@dataclass(frozen=True)
class Page:
    actor: Actor
    content: CourseContent
    learning: LearningService
    practice: Practice
    bibliography: Bibliography


def build_page(actor: Actor, content: CourseContent) -> Page:
    rt = runtime()
    reporter = ProgressReporter.for_settings(rt.settings, content)
    learning = LearningService(rt.uow, content, reporter=reporter)
    return Page(actor, content, learning, Practice(learning), Bibliography(content.course.sources))


def guard(role: str | None = None) -> Actor:
    """The one page guard: the signed-in person, holding `role` when one is named.

    Stops the page with a message otherwise. It only decides what a page shows; the services
    check again (modules.services.authz), so a page that forgot it would still refuse.
    """
    actor = current_actor()
    if actor is None:
        st.warning("Please sign in to continue.")
        site_link("Sign in", sign_in_here(), primary=True)
        st.stop()
    allowed = {
        None: True,
        FACILITATOR: actor.is_facilitator,
        ADMIN: actor.is_admin,
    }
    if not allowed.get(role, False):
        st.error(NOT_FOR_YOU.get(role or "", "You cannot open this page."))
        st.stop()
    return actor


def sign_in_here() -> str:
    """The sign-in link that comes back to this page, with its query, afterwards."""
    url = st.context.url
    path = urlsplit(url).path if url else "/"
    return sign_in_path(page_target(path, urlencode(st.query_params.to_dict())))


NOT_FOR_YOU = {
    FACILITATOR: "Only facilitators and administrators can open this page.",
    ADMIN: "Only administrators can open this page.",
}


def signed_in_page() -> Page:
    """The signed-in person and the course; stops the page with a message otherwise."""
    actor = guard()
    content = current_content().content
    if content is None:
        st.error("The course is being updated and cannot be shown right now. Please try later.")
        if actor.is_facilitator:
            st.caption("Facilitators: this command lists what to fix.")
            # Unhighlighted: Streamlit's token colours are fixed, some 2.8:1 on the code's grey.
            st.code(f"python -m modules validate {content_dir()}", language=None)
        st.stop()
    return build_page(actor, content)


def local_time(moment: datetime) -> str:
    """A stored UTC time in the browser's time zone."""
    try:
        zone = ZoneInfo(st.context.timezone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    return moment.astimezone(zone).strftime("%b %-d, %Y, %-I:%M %p")
