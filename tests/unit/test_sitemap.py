"""The sitemap: every page registered for every visitor, listed only for those who may open it,
and the addresses that need sign-in (which the sign-in middleware guards)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from modules.services.actors import ADMIN, FACILITATOR, LEARNER, Actor
from modules.ui import sitemap, state

UI = Path(__file__).resolve().parents[2] / "modules" / "ui"
LEARNER_ACTOR = Actor(1, "Lee", frozenset({LEARNER}))
FACILITATOR_ACTOR = Actor(2, "Fay", frozenset({FACILITATOR, LEARNER}))
ADMIN_ACTOR = Actor(3, "Ada", frozenset({ADMIN}))


def listed(actor: Actor | None) -> set[str]:
    return {e.place.path for e in sitemap.navigation(actor) if e.listed}


def registered(actor: Actor | None) -> set[str]:
    return {e.place.path for e in sitemap.navigation(actor)}


def test_every_page_script_exists_and_every_address_is_one_page() -> None:
    for place in sitemap.PLACES:
        assert (UI / place.script).is_file(), place.script
    addresses = [p.url_path for p in sitemap.PLACES if p.url_path]
    assert len(addresses) == len(set(addresses))


@pytest.mark.parametrize("actor", [None, LEARNER_ACTOR, FACILITATOR_ACTOR, ADMIN_ACTOR])
def test_every_address_is_registered_for_every_visitor(actor: Actor | None) -> None:
    """So a link to any page shows that page's guard, never Streamlit's "Page not found"."""
    assert registered(actor) == {p.path for p in sitemap.PLACES}
    (default,) = [e for e in sitemap.navigation(actor) if e.default]
    assert default.place.script == ("pages/landing.py" if actor is None else "pages/home.py")


@pytest.mark.parametrize(
    ("actor", "in_menu", "not_in_menu"),
    [
        (None, {"/", "/privacy"}, {"/player", "/progress", "/cohorts", "/people", "/join"}),
        (
            LEARNER_ACTOR,
            {"/", "/progress", "/join"},
            {"/player", "/cohorts", "/content", "/people"},
        ),
        (FACILITATOR_ACTOR, {"/cohorts", "/content"}, {"/player", "/people"}),
        (ADMIN_ACTOR, {"/cohorts", "/content", "/people"}, {"/player"}),
    ],
)
def test_the_menu_lists_what_the_visitor_may_open(
    actor: Actor | None, in_menu: set[str], not_in_menu: set[str]
) -> None:
    assert in_menu <= listed(actor)
    assert not (not_in_menu & listed(actor))


def test_the_members_only_addresses_are_those_a_signed_out_visitor_may_not_open() -> None:
    paths = sitemap.members_only_paths()
    assert {"/player", "/progress", "/cohorts", "/content", "/people"} <= paths
    assert not ({"/", "/privacy", "/join"} & paths)
    signed_out = {p.path for p in sitemap.PLACES if p.url_path and sitemap.admits(p.opens, None)}
    assert paths == {p.path for p in sitemap.PLACES if p.url_path} - signed_out


@dataclass
class FakePage:
    """What modules.ui.state.tab_page reads of a st.Page: its address ("" for the default)."""

    url_path: str


@pytest.mark.parametrize("actor", [None, LEARNER_ACTOR, ADMIN_ACTOR])
def test_a_tabs_page_links_get_its_own_page_objects(
    actor: Actor | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Given a path, st.page_link resolves it on disk on every call; the tab's page object is
    found by its address instead, the visitor's own home page included."""
    entries = tuple(sitemap.navigation(actor))
    pages = [FakePage("" if e.default else e.place.url_path) for e in entries]
    session: dict[str, object] = {}
    monkeypatch.setattr(state.st, "session_state", session)
    assert state.tab_page("pages/player.py") == "pages/player.py"  # nothing kept yet: the path
    session[state.TAB_PAGES] = (entries, pages)
    for entry, page in zip(entries, pages, strict=True):
        assert state.tab_page(entry.place.script) is page
    others = {p.script for p in sitemap.PLACES} - {e.place.script for e in entries}
    for script in others | {"pages/missing.py"}:  # not this visitor's: the path, as before
        assert state.tab_page(script) == script
