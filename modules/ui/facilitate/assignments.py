"""Assignments: modules (or the whole course) with a due date in the cohort's time zone, and the
reminders for learners who are behind on them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import streamlit as st

from modules.services.errors import ServiceError
from modules.ui.facilitate import reminders
from modules.ui.facilitate.common import CohortTab
from modules.ui.render import option, plain

# A due date may lie in the past (a cohort that started before it used the app), not further.
EARLIEST_DUE = timedelta(days=365)


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
    _assign(tab)
    if current:
        _unassign(tab, [a.module_id for a in current])
    reminders.render(tab)


def _assign(tab: CohortTab) -> None:
    modules = tab.content.course.modules
    today = tab.service.settings_of(tab.cohort).local_date(datetime.now(UTC))
    # A new key after each assignment: the form starts empty again instead of offering the
    # modules just assigned; after an error it keeps what was chosen.
    done = st.session_state.setdefault("assignments-made", 0)
    with st.form(f"assign-{done:d}"):
        st.markdown("**Assign with a due date**")
        whole = st.checkbox("The whole course")
        chosen = st.multiselect("Or these modules", modules, format_func=tab.module_title)
        due = st.date_input(
            "Due by the end of",
            value=today + timedelta(days=14),
            min_value=today - EARLIEST_DUE,
            format="MM/DD/YYYY",
        )
        st.caption(f"Dates are in the cohort's time zone ({plain(tab.cohort.time_zone)}).")
        if st.form_submit_button("Assign", type="primary"):
            try:
                tab.service.assign(tab.actor, tab.cohort.id, modules if whole else chosen, due)
            except ServiceError as error:
                st.error(plain(str(error)))
            else:
                st.session_state["assignments-made"] = done + 1
                st.rerun()


def _unassign(tab: CohortTab, assigned: list[str]) -> None:
    with st.form("unassign"):
        module_id = st.selectbox(
            "Remove an assignment", assigned, index=None, format_func=tab.module_title
        )
        if st.form_submit_button("Remove") and module_id:
            tab.service.unassign(tab.actor, tab.cohort.id, module_id)
            st.rerun()
