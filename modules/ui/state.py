"""Process-wide state for the pages: the course content, validated once per edit, and the
navigation's page objects."""

from __future__ import annotations

import copy
from pathlib import Path

import streamlit as st

from modules.course.validation import Validation, validate_directory
from modules.services.runtime import runtime
from modules.ui.sitemap import Entry


def content_dir() -> Path:
    return runtime().settings.content_dir


Fingerprint = tuple[tuple[str, int, int], ...]


def _fingerprint(root: Path) -> Fingerprint:
    files = sorted(root.glob("*.yaml")) + sorted(root.glob("modules/*.y*ml"))
    stats = ((str(p), p.stat()) for p in files)
    return tuple((name, found.st_mtime_ns, found.st_size) for name, found in stats)


@st.cache_resource(max_entries=4, show_spinner="Loading the course...")
def _validated(root: str, fingerprint: Fingerprint) -> Validation:
    return validate_directory(Path(root))


# The last course handed out per folder, with its fingerprint: every page run asks, and
# comparing the fingerprint costs less than st.cache_resource's hashing of it.
_last: dict[str, tuple[Fingerprint, Validation]] = {}


def current_content() -> Validation:
    """The course as validated now; an author's saved edit shows on the next rerun."""
    root = str(content_dir())
    fingerprint = _fingerprint(Path(root))
    last = _last.get(root)
    if last is not None and last[0] == fingerprint:
        return last[1]
    found = _validated(root, fingerprint)
    _last[root] = (fingerprint, found)
    return found


# This browser tab's entries and page objects, kept by the navigation script (modules/ui/main.py).
TAB_PAGES = "ally_pages"


def tab_page(script: str) -> st.Page | str:
    """This tab's registered page for `script` (say "pages/player.py"), for st.page_link.

    Given a path, st.page_link resolves it on the disk on every call (os.path.realpath, some
    eight lstat calls), and the player draws up to ten links a run; given the page object, it
    reads the page's address and hash. Before the navigation script has kept the tab's pages,
    the path itself.
    """
    kept: tuple[tuple[Entry, ...], list[st.Page]] | None = st.session_state.get(TAB_PAGES)
    if kept is not None:
        entries, pages = kept
        by_address = {page.url_path: page for page in pages}
        for entry in entries:
            if entry.place.script == script and entry.place.url_path in by_address:
                return by_address[entry.place.url_path]
    return script


# One page object per sitemap entry in the process: making one resolves its script's path.
_pages: dict[Entry, st.Page] = {}


def page_of(entry: Entry) -> st.Page:
    """A page object of the caller's own for `entry`, copied from the process's one.

    A copy, not the shared object: st.navigation marks the page it returns for the one run
    that may call it, and two tabs' runs would race on a shared mark.
    """
    made = _pages.get(entry)
    if made is None:
        made = _pages[entry] = st.Page(
            entry.place.script,
            title=entry.place.title,
            url_path=entry.place.url_path or None,
            icon=entry.place.icon,
            default=entry.default,
            visibility="visible" if entry.listed else "hidden",
        )
    return copy.copy(made)
