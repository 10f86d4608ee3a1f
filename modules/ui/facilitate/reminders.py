"""Ready-to-copy reminders for learners with an assigned module overdue or due soon."""

from __future__ import annotations

import streamlit as st

from modules.cohorts.reminders import Reminder
from modules.ui.facilitate.common import CohortTab
from modules.ui.render import plain


def render(tab: CohortTab) -> None:
    st.subheader("Reminders")
    days = tab.service.rt.settings.reminder_days
    soon = "due today" if days == 0 else f"due within {days:d} day{'s' * (days != 1)}"
    found = tab.reports.reminders(tab.actor, tab.cohort.id, tab.board)
    if not found:
        st.caption(
            plain(
                f"Nobody has an assigned module overdue or {soon}. People drop off this list"
                " as soon as they finish."
            )
        )
        return
    overdue = sum(bool(r.overdue) for r in found)
    parts = [f"{_learners(overdue)} an assigned module past its due date"] if overdue else []
    if len(found) > overdue:
        parts.append(f"{_learners(len(found) - overdue)} one {soon}")
    said = " and ".join(parts)
    st.caption(plain(f"{said}. Copy a message into your email: each links to the module."))
    for reminder in found:
        with st.expander(_title(reminder)):
            st.markdown(f"To: {plain(reminder.email)}")
            st.code(reminder.message, language=None, wrap_lines=True)


def _learners(count: int) -> str:
    return f"{count:d} learner has" if count == 1 else f"{count:d} learners have"


def _title(reminder: Reminder) -> str:
    parts = []
    if reminder.overdue:
        parts.append(f"{len(reminder.overdue):d} overdue")
    if reminder.due_soon:
        parts.append(f"{len(reminder.due_soon):d} due soon")
    return plain(f"{reminder.name} · {', '.join(parts)}")
