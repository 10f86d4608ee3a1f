"""Welcome for a signed-out visitor: what the course is, and the ways in."""

import streamlit as st

from modules.course.citations import Bibliography
from modules.course.duration import course_minutes
from modules.ui.render import content as rendered
from modules.ui.render import markdown, references, site_link
from modules.ui.state import current_content

content = current_content().content
if content is None:
    st.title("Leading as an Ally")
    st.warning("The course cannot be shown just now. You can still sign in.")
else:
    course = content.course
    bibliography = Bibliography(course.sources)
    st.title(rendered(course.title, bibliography))
    markdown(course.summary, bibliography)
    modules = content.listed_modules
    st.caption(
        f"{len(modules)} module{'' if len(modules) == 1 else 's'} · about"
        f" {course_minutes(content):d} minutes in all · in short sittings, on a laptop or a phone"
    )
    with st.container(border=True):
        st.markdown(
            "**How it works.** Each module is a short lesson, a branching scenario set in a "
            "hospital, a quick check of what you learned, a private reflection and a plan for "
            "what you will do next. Your place is saved as you go, so you can stop anywhere "
            "and continue later on another device."
        )
    references(bibliography)

sign_in, sign_up = st.columns(2)
with sign_in:
    site_link("Sign in", "/auth/login", primary=True)
with sign_up:
    site_link("Create an account", "/auth/signup")
