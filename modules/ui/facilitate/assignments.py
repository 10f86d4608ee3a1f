"""Assignments: modules (or the whole course) with a due date in the cohort's time zone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import streamlit as st

from modules.services.errors import ServiceError
from modules.ui.facilitate.common import CohortTab
from modules.ui.render import option, plain


def render(tab: CohortTab) -> None:
    current = tab.service.assignments(tab.actor, tab.cohort.id)
    st.subheader("Assigned")
    if current:
        st.dataframe(
            [
                {
                    "Module": tab.module_title(a.module_id),
                    "Due": f"{a.due_date:%A, %B %-d, %Y}",
                    # None once the facilitator who set it has deleted his account
                    "Assigned by": option(a.assigned_by_name or "a former facilitator"),
                }
                for a in current
            ],
            hide_index=True,
            width="stretch",
        )
    else:
        st.caption("Nothing assigned yet. Learners still see the whole course.")
    modules = tab.content.course.modules
    today = tab.service.settings_of(tab.cohort).local_date(datetime.now(UTC))
    with st.form("assign"):
        st.markdown("**Assign with a due date**")
        whole = st.checkbox("The whole course")
        chosen = st.multiselect("Or these modules", modules, format_func=tab.module_title)
        due = st.date_input(
            "Due by the end of",
            value=today + timedelta(days=14),
            min_value=today,
            format="MM/DD/YYYY",
        )
        st.caption(f"Dates are in the cohort's time zone ({plain(tab.cohort.time_zone)}).")
        if st.form_submit_button("Assign", type="primary"):
            try:
                tab.service.assign(tab.actor, tab.cohort.id, modules if whole else chosen, due)
            except ServiceError as error:
                st.error(plain(str(error)))
            else:
                st.rerun()
    if current:
        with st.form("unassign"):
            module_id = st.selectbox(
                "Remove an assignment",
                [a.module_id for a in current],
                index=None,
                format_func=tab.module_title,
            )
            if st.form_submit_button("Remove") and module_id:
                tab.service.unassign(tab.actor, tab.cohort.id, module_id)
                st.rerun()
