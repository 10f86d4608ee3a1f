"""Navigation script: the pages each person may see, by role."""

import streamlit as st

from modules.ui.identity import current_actor
from modules.ui.render import site_link

st.set_page_config(page_title="Leading as an Ally", page_icon=":material/diversity_3:")

actor = current_actor()
if actor is None:
    pages: list[st.Page] | dict[str, list[st.Page]] = [
        st.Page("pages/landing.py", title="Welcome", icon=":material/login:", default=True),
        st.Page(
            "pages/privacy.py",
            title="What facilitators can see",
            url_path="privacy",
            icon=":material/visibility:",
        ),
        st.Page("pages/join.py", title="Join a cohort", url_path="join", visibility="hidden"),
    ]
else:
    course = [
        st.Page("pages/home.py", title="Home", icon=":material/home:", default=True),
        st.Page("pages/player.py", title="Module", url_path="player", visibility="hidden"),
        st.Page(
            "pages/progress.py",
            title="My progress",
            url_path="progress",
            icon=":material/insights:",
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
    pages = {"Course": course}
    if actor.is_facilitator:
        pages["Facilitate"] = [
            st.Page(
                "pages/cohorts.py", title="Cohorts", url_path="cohorts", icon=":material/groups:"
            ),
            st.Page(
                "pages/content_health.py",
                title="Course content",
                url_path="content",
                icon=":material/fact_check:",
            ),
        ]
    if actor.is_admin:
        pages["Administer"] = [
            st.Page(
                "pages/admin.py",
                title="People",
                url_path="people",
                icon=":material/manage_accounts:",
            ),
        ]
    with st.sidebar:
        st.caption(f"Signed in as **{actor.display_name}**")
        site_link("Sign out", "/auth/logout")

st.navigation(pages).run()
