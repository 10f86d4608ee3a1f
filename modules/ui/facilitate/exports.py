"""The progress export and ready-to-copy reminders for overdue learners."""

from __future__ import annotations

import re

import streamlit as st

from modules.ui.facilitate.common import CohortTab
from modules.ui.render import plain


def render(tab: CohortTab) -> None:
    st.subheader("Export progress")
    st.caption(
        "One row per learner and module: status, dates, best knowledge-check score, and the"
        " day he completed the course if he holds a certificate."
        " Scenario choices and scores are never exported."
    )
    slug = re.sub(r"[^a-z0-9]+", "-", tab.cohort.name.lower()).strip("-") or "cohort"
    st.download_button(
        "Download progress (CSV)",
        tab.reports.export_csv(tab.actor, tab.cohort.id),
        file_name=f"{slug}-progress.csv",
        mime="text/csv",
        icon=":material/download:",
    )
    st.subheader("Reminders")
    due = tab.reports.reminders(tab.actor, tab.cohort.id)
    if not due:
        st.caption("Nobody is overdue. People drop off this list as soon as they finish.")
        return
    st.caption(
        f"{len(due)} learner(s) have an assigned module past its due date. Copy a message"
        " into your email."
    )
    for reminder in due:
        with st.expander(f"{plain(reminder.name)} · {len(reminder.modules)} overdue"):
            st.markdown(f"To: {plain(reminder.email)}")
            st.code(reminder.message, language=None, wrap_lines=True)
