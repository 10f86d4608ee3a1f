"""Cohorts (facilitators and administrators): dashboard, debrief, people, assignments, settings."""

import streamlit as st

from modules.services.actors import FACILITATOR
from modules.services.cohort_reports import CohortReports
from modules.services.cohorts import CohortService
from modules.services.errors import ServiceError
from modules.services.runtime import runtime
from modules.ui.context import guard
from modules.ui.facilitate import assignments, dashboard, debrief, people, settings
from modules.ui.facilitate.common import CohortTab
from modules.ui.render import option, plain
from modules.ui.state import current_content

st.set_page_config(layout="wide")  # the dashboard's module columns need the width
actor = guard(FACILITATOR)
content = current_content().content
if content is None:
    st.error("The course has errors, so cohorts cannot be shown. See Course content.")
    st.stop()
service = CohortService(runtime(), content)
st.title("Cohorts")

show_archived = st.toggle("Show archived cohorts", key="show-archived")
try:
    mine = service.mine(actor, include_archived=show_archived)
except ServiceError as error:  # roles taken away since this session's Actor was read
    st.error(plain(str(error)))
    st.stop()
with st.expander("Create a cohort", expanded=not mine, icon=":material/add:"):
    with st.form("create-cohort", clear_on_submit=True):
        name = st.text_input("Name", placeholder="Department of Medicine chiefs, spring 2027")
        zone = st.selectbox("Time zone", settings.zones())
        if st.form_submit_button("Create", type="primary"):
            try:
                made = service.create(actor, name, zone)
            except ServiceError as error:
                st.error(plain(str(error)))
            else:
                st.query_params["cohort"] = str(made.id)
                st.rerun()
if not mine:
    st.info("You have no cohorts yet. Create one, then share its join code or import a roster.")
    st.stop()

labels = {
    c.id: option(c.name)
    + (" (archived)" if c.archived_at else "")
    + (" (sample)" if c.is_sample and "sample" not in c.name.lower() else "")
    for c in mine
}
wanted = st.query_params.get("cohort", "")
chosen = int(wanted) if wanted.isdigit() and int(wanted) in labels else mine[0].id
cohort_id = st.selectbox(
    "Cohort", list(labels), index=list(labels).index(chosen), format_func=labels.__getitem__
)
st.query_params["cohort"] = str(cohort_id)
try:
    tab = CohortTab(actor, service.get(actor, cohort_id), service, CohortReports(service), content)
    if tab.cohort.is_sample:
        st.info(
            "**A sample cohort of made-up learners**, so you can see the dashboard, the debrief"
            " and the before-and-after chart filled in. Nobody can join it and it has no export."
            " An administrator removes it with `python -m progress demo --remove`.",
            icon=":material/science:",
        )
    # The labels of modules.ui.facilitate.TABS (tests hold the two together), as literals: the
    # one-renderer test vouches for literal text only.
    views = st.tabs(["Dashboard", "Debrief", "People", "Assignments", "Settings"])
    for view, part in zip(views, (dashboard, debrief, people, assignments, settings), strict=True):
        with view:
            part.render(tab)
except ServiceError as error:
    st.error(plain(str(error)))
