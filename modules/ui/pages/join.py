"""Join a cohort with a code (or through an invite link that carries it)."""

from urllib.parse import urlencode

import streamlit as st

from modules.services.cohorts import CohortService
from modules.services.errors import ServiceError
from modules.services.runtime import runtime
from modules.ui.identity import current_actor
from modules.ui.render import plain, site_link
from modules.ui.state import current_content
from modules.web.next_path import page_target, sign_in_path

st.title("Join a cohort")
code = st.query_params.get("code", "")
actor = current_actor()
if actor is None:
    st.write("Sign in, or create an account, to join your group.")
    back = page_target("/join", urlencode({"code": code}) if code else "")
    left, right = st.columns(2)
    with left:
        site_link("Sign in", sign_in_path(back), primary=True)
    with right:
        site_link("Create an account", sign_in_path(back, "/auth/signup"))
    st.stop()
content = current_content().content
if content is None:
    st.error("The course is being updated. Please try again later.")
    st.stop()
with st.form("join"):
    typed = st.text_input("Join code from your facilitator", value=code, max_chars=40)
    if st.form_submit_button("Join", type="primary"):
        try:
            cohort = CohortService(runtime(), content).join(actor, typed)
        except ServiceError as error:
            st.error(plain(str(error)))
        else:
            st.success(
                f"You joined {plain(cohort.name)}. Your assignments show on Home.",
                icon=":material/group:",
            )
            st.query_params.clear()
