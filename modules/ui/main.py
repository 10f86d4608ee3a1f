"""Navigation script: the pages each person may see, by role."""

import logging

import streamlit as st

from modules.services.actors import Actor
from modules.services.errors import SignedOut, StorageUnavailable
from modules.ui.identity import resolve_actor
from modules.ui.render import plain, site_link

st.set_page_config(page_title="Leading as an Ally", page_icon=":material/diversity_3:")


def pages_for(actor: Actor | None) -> list[st.Page] | dict[str, list[st.Page]]:
    if actor is None:
        return signed_out_pages()
    pages = {"Course": course_pages()}
    if actor.is_facilitator:
        pages["Facilitate"] = facilitator_pages()
    if actor.is_admin:
        pages["Administer"] = [
            st.Page(
                "pages/admin.py",
                title="People",
                url_path="people",
                icon=":material/manage_accounts:",
            ),
        ]
    return pages


def signed_out_pages() -> list[st.Page]:
    return [
        st.Page("pages/landing.py", title="Welcome", icon=":material/login:", default=True),
        st.Page(
            "pages/privacy.py",
            title="What facilitators can see",
            url_path="privacy",
            icon=":material/visibility:",
        ),
        st.Page("pages/join.py", title="Join a cohort", url_path="join", visibility="hidden"),
    ]


def course_pages() -> list[st.Page]:
    return [
        st.Page("pages/home.py", title="Home", icon=":material/home:", default=True),
        st.Page("pages/player.py", title="Module", url_path="player", visibility="hidden"),
        st.Page(
            "pages/progress.py",
            title="My progress",
            url_path="progress",
            icon=":material/insights:",
        ),
        st.Page(
            "pages/account.py",
            title="My data and account",
            url_path="account",
            icon=":material/badge:",
        ),
        st.Page(
            "pages/privacy.py",
            title="What facilitators can see",
            url_path="privacy",
            icon=":material/visibility:",
        ),
        st.Page(
            "pages/join.py", title="Join a cohort", url_path="join", icon=":material/group_add:"
        ),
    ]


def facilitator_pages() -> list[st.Page]:
    return [
        st.Page("pages/cohorts.py", title="Cohorts", url_path="cohorts", icon=":material/groups:"),
        st.Page(
            "pages/content_health.py",
            title="Course content",
            url_path="content",
            icon=":material/fact_check:",
        ),
    ]


try:
    actor = resolve_actor()
    navigation = st.navigation(pages_for(actor))
    if actor is not None:
        with st.sidebar:
            st.caption(f"Signed in as **{plain(actor.display_name)}**")
            site_link("Sign out", "/auth/logout")
    navigation.run()
except SignedOut as error:  # signed out in another tab, or the session ended: say so
    st.warning(plain(str(error)), icon=":material/logout:")
    site_link("Sign in", "/auth/login", primary=True)
except StorageUnavailable as error:  # the database is down: say so, never a traceback
    logging.getLogger("ally").warning("database unavailable: %r", error.__cause__)
    st.error(plain(str(error)), icon=":material/cloud_off:")
