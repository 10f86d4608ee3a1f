"""The progress export (CSV, safe to open in Excel), offered under the dashboard's table."""

from __future__ import annotations

import re

import streamlit as st

from modules.ui.facilitate.common import CohortTab


def render(tab: CohortTab) -> None:
    """The download button under the dashboard, made from the board this run built."""
    if tab.cohort.is_sample:
        st.caption("A sample cohort has no export: its learners are made up.")
        return
    slug = re.sub(r"[^a-z0-9]+", "-", tab.cohort.name.lower()).strip("-") or "cohort"
    st.download_button(
        "Download progress (CSV)",
        tab.reports.export_csv(tab.actor, tab.cohort.id, tab.board),
        file_name=f"{slug}-progress.csv",
        mime="text/csv",
        icon=":material/download:",
        help="One row per learner and module: status, dates, best knowledge-check score, and the"
        " day he completed the course if he holds a certificate."
        " Scenario choices and scores are never exported.",
    )
