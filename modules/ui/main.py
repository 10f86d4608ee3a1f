"""Navigation script: the pages each person may see, by role."""

import logging

import streamlit as st

from modules.services.actors import Actor
from modules.services.errors import SignedOut, StorageUnavailable
from modules.services.runtime import runtime
from modules.ui import sitemap
from modules.ui.context import sign_in_here
from modules.ui.identity import resolve_actor
from modules.ui.render import plain, signed_in_as, site_link
from modules.ui.state import TAB_PAGES, page_of
from modules.web import csrf

st.set_page_config(page_title="Leading as an Ally", page_icon=":material/diversity_3:")


def pages_for(actor: Actor | None) -> list[st.Page]:
    """Every page of the sitemap; those this visitor may not open are registered hidden.

    One flat list, no section headings: Streamlit puts a section's heading and links in a
    <div> inside the menu's <ul>, which screen readers cannot announce as a list (axe-core's
    list and listitem rules, serious). A tab keeps its pages while its visitor's entries stay
    the same; a new tab copies the process's (modules.ui.state.page_of).
    """
    entries = tuple(sitemap.navigation(actor))
    kept = st.session_state.get(TAB_PAGES)
    if kept is not None and kept[0] == entries:  # this browser tab's pages, made once
        return list(kept[1])
    pages = {entry.place.url_path: page_of(entry) for entry in entries}
    made = list(pages.values())
    st.session_state[TAB_PAGES] = (entries, made)
    return made


def signed_in(actor: Actor) -> None:
    """Who is signed in, and one click to sign out: a POST whose token is bound to this
    browser's session."""
    if actor.session_hash is None:  # signed in by a test, not a cookie: the confirming page
        st.caption(f"Signed in as **{plain(actor.display_name)}**")
        site_link("Sign out", "/auth/logout")
        return
    token = csrf.for_session(csrf.signing_key(runtime()), actor.session_hash)
    signed_in_as(actor.display_name, "/auth/logout", {csrf.CSRF_FIELD: token})


try:
    actor = resolve_actor()
    navigation = st.navigation(pages_for(actor))
    if actor is not None:
        with st.sidebar:
            signed_in(actor)
    navigation.run()
except SignedOut as error:  # signed out in another tab, or the session ended: say so
    st.warning(plain(str(error)), icon=":material/logout:")
    site_link("Sign in", sign_in_here(), primary=True)
except StorageUnavailable as error:  # the database is down: say so, never a traceback
    logging.getLogger("ally").warning("database unavailable: %r", error.__cause__)
    st.error(plain(str(error)), icon=":material/cloud_off:")
