"""The cohort dashboard: who is where, who is overdue or quiet, and how the cohort changed."""

from __future__ import annotations

from datetime import tzinfo
from typing import Any

import streamlit as st

from modules.cohorts.cohort import as_utc
from modules.cohorts.dashboard import Dashboard, LearnerRow, Status
from modules.cohorts.debrief import basis_note
from modules.ui.facilitate import exports
from modules.ui.facilitate.common import CohortTab
from modules.ui.render import option, plain

CELL = {Status.COMPLETED: "✓ Done", Status.IN_PROGRESS: "… Started", Status.NOT_STARTED: "–"}
LATE = {Status.IN_PROGRESS: "… Late", Status.NOT_STARTED: "– Late"}  # past due, not finished
# The module columns are numbered (the title is the header's tooltip and in the legend) and
# narrow, so that eight modules fit a 1280 px screen without scrolling sideways.
MODULE_COLUMN_WIDTH = 72


def render(tab: CohortTab) -> None:
    board = tab.board
    totals = board.totals
    if not totals.learners:
        st.info(
            "Nobody has joined yet. Share the join code or import a roster on the People tab.",
            icon=":material/group_add:",
        )
        return
    columns = st.columns(4)
    columns[0].metric("Learners", totals.learners)
    columns[1].metric("Modules completed", f"{totals.completion_share:.0%}")
    columns[2].metric("Overdue", totals.overdue_learners)
    quiet = f"Quiet for {tab.cohort.inactive_after_days:d}+ days"
    columns[3].metric(quiet, totals.inactive_learners)
    st.subheader("Progress by module")
    st.caption(
        f"Status only. Today is {board.today:%A, %B %-d} in {plain(tab.cohort.time_zone)}, the"
        " cohort's time zone; dates here use it."
    )
    legend = " · ".join(f"{n:d} {c.title}" for n, c in enumerate(board.modules, start=1))
    st.caption(
        plain(
            "✓ finished, … started, – not started; Late: past its due date and not finished."
            f" Modules: {legend}"
        )
    )
    zone = tab.service.settings_of(tab.cohort).zone
    st.dataframe(
        _matrix(board, zone),
        hide_index=True,
        width="stretch",
        column_config=_matrix_columns(board),
    )
    exports.render(tab)
    _completions(board)
    _needs_attention(board, zone)
    _self_assessment(board, zone)


def _matrix(board: Dashboard, zone: tzinfo) -> list[dict[str, str]]:
    rows = []
    for learner in board.learners:
        row = {"Learner": learner.name, "Last active": _when(learner, zone)}
        for number, cell in enumerate(learner.cells, start=1):
            row[str(number)] = LATE[cell.status] if cell.overdue else CELL[cell.status]
        rows.append(row)
    return rows


def _matrix_columns(board: Dashboard) -> dict[str, Any]:
    columns: dict[str, Any] = {
        "Learner": st.column_config.TextColumn(width=160, pinned=True),
        "Last active": st.column_config.TextColumn(width=80),
    }
    for number, column in enumerate(board.modules, start=1):
        due = f", due {column.due_date:%b %-d}" if column.due_date else ""
        columns[str(number)] = st.column_config.TextColumn(
            f"{number:d}", width=MODULE_COLUMN_WIDTH, help=option(column.title) + due
        )
    return columns


def _when(learner: LearnerRow, zone: tzinfo) -> str:
    moment = learner.last_activity
    return f"{as_utc(moment).astimezone(zone):%b %-d}" if moment else "never"


def _completions(board: Dashboard) -> None:
    if not board.completions:
        return
    st.subheader("Completions over time")
    # Bars, not st.line_chart: its hover-point layer is an SVG group with no name (axe
    # svg-img-alt, serious); vega/vega-lite#7970, and streamlit/streamlit#8563 for chart alt text.
    st.bar_chart(
        [
            {"Week starting": w.starts.isoformat(), "Modules completed": w.cumulative}
            for w in board.completions
        ],
        x="Week starting",
        y="Modules completed",
        height=220,
    )


def _needs_attention(board: Dashboard, zone: tzinfo) -> None:
    overdue = [learner for learner in board.learners if learner.overdue]
    quiet = [learner for learner in board.learners if learner.inactive]
    if not overdue and not quiet:
        return
    st.subheader("Needs attention")
    st.caption("Ready-to-copy reminders, with a link to each module, are on the Assignments tab.")
    left, right = st.columns(2)
    with left:
        st.caption("Overdue")
        for learner in overdue:
            st.markdown(f"- {plain(learner.name)} ({len(learner.overdue)} module(s))")
    with right:
        st.caption("No activity lately")
        for learner in quiet:
            st.markdown(f"- {plain(learner.name)}, last active {_when(learner, zone)}")


def _self_assessment(board: Dashboard, zone: tzinfo) -> None:
    if not board.self_assessment:
        return
    if board.retrospective and _looking_back(board, zone):
        return
    st.subheader("Self-assessment: before and after")
    if board.retrospective:
        st.caption(
            f"Ratings of before the course given at the end, looking back, are shown once"
            f" {board.threshold:d} or more learners have given them."
        )
    shown = [s for s in board.self_assessment if s.means.value is not None]
    if not shown:
        st.caption(
            f"Shown once {board.threshold:d} or more learners have answered before and"
            " after the course."
        )
        return
    st.caption(plain(basis_note(board.self_assessment_basis, board.threshold, zone)))
    chart = [
        {"Statement": s.text, "Phase": phase, "Mean (1 = Never, 5 = Always)": value}
        for s in shown
        if s.means.value is not None
        for phase, value in (("Before", s.means.value.before), ("After", s.means.value.after))
    ]
    st.bar_chart(
        chart,
        x="Statement",
        y="Mean (1 = Never, 5 = Always)",
        color="Phase",
        stack=False,
        horizontal=True,
        height=40 * len(shown) + 80,
    )
    hidden = len(board.self_assessment) - len(shown)
    if hidden:
        st.caption(
            f"{hidden} statement(s) hidden: fewer than {board.threshold:d} learners answered"
            " them before and after."
        )


def _looking_back(board: Dashboard, zone: tzinfo) -> bool:
    """The three means per statement, once a figure of before, then and after is shown."""
    shown = [
        (s.text, s.looking_back.value)
        for s in board.self_assessment
        if s.looking_back is not None and s.looking_back.value is not None
    ]
    if not shown:
        return False
    st.subheader("Self-assessment: before, looking back, and after")
    st.caption(plain(basis_note(board.retrospective_basis, board.threshold, zone)))
    st.caption(
        "Looking back: at the end, learners rated how often they did each thing before the"
        " course, as they see it now. Looking back and after are rated with the same"
        " understanding of each behavior, so the change between them is the fairer measure."
    )
    chart = [
        {"Statement": text, "Rating": rating, "Mean (1 = Never, 5 = Always)": value}
        for text, means in shown
        for rating, value in (
            ("Before", means.before),
            ("Looking back", means.then),
            ("After", means.after),
        )
    ]
    st.bar_chart(
        chart,
        x="Statement",
        y="Mean (1 = Never, 5 = Always)",
        color="Rating",
        stack=False,
        horizontal=True,
        height=60 * len(shown) + 80,
    )
    hidden = len(board.self_assessment) - len(shown)
    if hidden:
        st.caption(
            f"{hidden} statement(s) hidden: fewer than {board.threshold:d} learners rated"
            " them before, looking back and after."
        )
    return True
