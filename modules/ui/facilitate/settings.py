"""A cohort's name, time zone and inactivity window; archiving."""

from __future__ import annotations

from zoneinfo import available_timezones

import streamlit as st

from modules.services.errors import ServiceError
from modules.ui.facilitate.common import CohortTab
from modules.ui.render import plain

US_ZONES = (
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Phoenix",
    "America/Los_Angeles",
    "America/Anchorage",
    "Pacific/Honolulu",
)


def zones() -> list[str]:
    others = sorted(z for z in available_timezones() if "/" in z and z not in US_ZONES)
    return [*US_ZONES, "UTC", *others]


def render(tab: CohortTab) -> None:
    cohort = tab.cohort
    options = zones()
    with st.form("cohort-settings"):
        name = st.text_input("Name", value=cohort.name, max_chars=120)
        zone = st.selectbox(
            "Time zone (due dates and reports use it)",
            options,
            index=options.index(cohort.time_zone) if cohort.time_zone in options else 0,
        )
        days = st.number_input(
            "Call a learner quiet after this many days without activity",
            min_value=1,
            max_value=365,
            value=cohort.inactive_after_days,
        )
        if st.form_submit_button("Save", type="primary"):
            try:
                tab.service.update(
                    tab.actor, cohort.id, name=name, time_zone=zone, inactive_after_days=int(days)
                )
            except ServiceError as error:
                st.error(plain(str(error)))
            else:
                st.rerun()
    archived = cohort.archived_at is not None
    label = "Restore this cohort" if archived else "Archive this cohort"
    st.caption("An archived cohort keeps its records; its join code stops working.")
    if st.button(label, key="archive"):
        tab.service.archive(tab.actor, cohort.id, archived=not archived)
        st.rerun()
