"""Every page of the app, who may open it and who sees it in the menu (no Streamlit here).

The navigation script builds its st.Page list from this table, and the sign-in middleware
(modules/web/sign_in_first.py) reads from it which addresses need a signed-in person. Every
page is registered for every visitor (hidden where he may not open it), so a link to it shows
that page's own guard ("sign in first", "only for facilitators") instead of Streamlit's
"Page not found".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from modules.services.actors import ADMIN, FACILITATOR, Actor

SIGNED_OUT = "signed-out"
ANYONE = "anyone"
MEMBER = "member"  # anyone signed in
NOBODY = "nobody"


@dataclass(frozen=True)
class Place:
    """A page: its script (relative to modules/ui/), its address, and its audiences."""

    script: str
    title: str
    url_path: str  # "" is the home address, "/"
    icon: str | None
    opens: str  # who may open it: SIGNED_OUT, ANYONE, MEMBER, FACILITATOR or ADMIN
    listed: str | None = None  # who sees it in the menu (None: as `opens`; NOBODY: no one)

    @property
    def path(self) -> str:
        return "/" + self.url_path


PLACES: tuple[Place, ...] = (
    Place("pages/landing.py", "Welcome", "", ":material/login:", SIGNED_OUT),
    Place("pages/home.py", "Home", "", ":material/home:", MEMBER),
    Place("pages/player.py", "Module", "player", None, MEMBER, listed=NOBODY),
    Place("pages/progress.py", "My progress", "progress", ":material/insights:", MEMBER),
    Place("pages/account.py", "My data and account", "account", ":material/badge:", MEMBER),
    Place(
        "pages/privacy.py", "What facilitators can see", "privacy", ":material/visibility:", ANYONE
    ),
    Place("pages/join.py", "Join a cohort", "join", ":material/group_add:", ANYONE, MEMBER),
    Place("pages/cohorts.py", "Cohorts", "cohorts", ":material/groups:", FACILITATOR),
    Place(
        "pages/content_health.py", "Course content", "content", ":material/fact_check:",
        FACILITATOR,
    ),
    Place("pages/admin.py", "People", "people", ":material/manage_accounts:", ADMIN),
)  # fmt: skip


def admits(audience: str, actor: Actor | None) -> bool:
    """Whether `actor` (None: signed out) belongs to `audience`."""
    if audience == ANYONE:
        return True
    if audience == SIGNED_OUT:
        return actor is None
    if actor is None or audience == NOBODY:
        return False
    return {MEMBER: True, FACILITATOR: actor.is_facilitator, ADMIN: actor.is_admin}[audience]


@dataclass(frozen=True)
class Entry:
    place: Place
    listed: bool
    default: bool


def navigation(actor: Actor | None, places: Sequence[Place] = PLACES) -> list[Entry]:
    """The pages to register for this visitor, in menu order.

    Of the two home pages (the welcome and Home) only the visitor's own is registered; every
    other page is, listed in the menu only for those who may open it.
    """
    return [
        Entry(place, admits(place.listed or place.opens, actor), default=not place.url_path)
        for place in places
        if place.url_path or admits(place.opens, actor)
    ]


def members_only_paths(places: Sequence[Place] = PLACES) -> frozenset[str]:
    """Addresses that need a signed-in person (a signed-out visit goes to sign-in first)."""
    return frozenset(p.path for p in places if p.url_path and p.opens not in (ANYONE, SIGNED_OUT))
