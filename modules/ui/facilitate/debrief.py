"""The debrief view of one module: how the cohort's first instincts spread, never who chose what."""

from __future__ import annotations

import re
from datetime import tzinfo

import streamlit as st

from modules.cohorts.debrief import Debrief, DecisionSpread, basis_note
from modules.cohorts.records import Basis
from modules.course.citations import Bibliography
from modules.ui.facilitate.common import CohortTab
from modules.ui.render import content, markdown, plain

QUALITY = {"best": "Strong move", "okay": "Partly effective", "poor": "Backfired"}


def render(tab: CohortTab) -> None:
    modules = tab.content.listed_modules
    module_id = st.selectbox(
        "Module", [m.id for m in modules], format_func=tab.module_title, key="debrief-module"
    )
    if module_id is None:
        return
    debrief = tab.reports.debrief(tab.actor, tab.cohort.id, module_id)
    st.caption(
        "Each learner's first finished attempt only: their first instinct. Answers are added"
        f" as learners finish, and the figures change only once {debrief.threshold:d} or more"
        " learners have been added since they last changed; anything based on fewer than"
        f" {debrief.threshold:d} learners is not shown. So nobody can be picked out, not even by"
        " comparing two views. Reflections are private and never appear here."
    )
    zone = tab.service.settings_of(tab.cohort).zone
    if debrief.facilitator_notes:
        with st.expander("Facilitator notes and debrief questions", expanded=True):
            notes = re.sub(r"^#{1,3} ", "#### ", debrief.facilitator_notes, flags=re.MULTILINE)
            markdown(notes, tab.bibliography)
    decisions = [d for s in debrief.scenarios for d in s.decisions]
    if decisions and all(d.choices.value is None for d in decisions) and not tab.cohort.is_sample:
        st.info(
            f"Nothing to show yet: each figure appears once {debrief.threshold:d} learners have"
            " finished what it counts. To see what this view will look like, ask an"
            " administrator for a sample cohort: `python -m progress demo --owner <your email>`.",
            icon=":material/hourglass_empty:",
        )
    for scenario in debrief.scenarios:
        title = content(scenario.title or scenario.step_id, tab.bibliography)
        st.subheader(f"Scenario: {title}")
        _basis(scenario.basis, debrief, zone)
        withheld = [d.choices.value is None for d in scenario.decisions]
        if withheld and all(withheld):  # one notice for the scenario, not one per decision
            st.caption(plain(scenario.decisions[0].choices.notice))
            continue
        for number, decision in enumerate(scenario.decisions, start=1):
            _decision(number, decision, tab.bibliography)
    _misconceptions(debrief, zone)
    _quizzes(debrief, zone)
    _commitments(debrief, zone)


def _basis(basis: Basis, debrief: Debrief, zone: tzinfo) -> None:
    st.caption(plain(basis_note(basis, debrief.threshold, zone)))


def _decision(number: int, decision: DecisionSpread, sources: Bibliography) -> None:
    with st.container(border=True):
        st.markdown(f"**Decision {number:d}**")
        st.caption(content(decision.text.split("\n")[0][:240], sources))
        shares = decision.choices.value
        if shares is None:
            st.caption(plain(decision.choices.notice))
            return
        st.dataframe(
            [
                {
                    "Option": c.text,
                    "How it plays out": QUALITY[c.quality],
                    "Share": round(100 * c.share),
                    "Learners": c.learners,
                }
                for c in shares
            ],
            hide_index=True,
            width="stretch",
            column_config={
                "Share": st.column_config.ProgressColumn(format="%d%%", min_value=0, max_value=100)
            },
        )


def _misconceptions(debrief: Debrief, zone: tzinfo) -> None:
    st.subheader("Beliefs behind the choices")
    _basis(debrief.misconceptions_basis, debrief, zone)
    counts = debrief.misconceptions.value
    if counts is None:
        st.caption(plain(debrief.misconceptions.notice))
    elif not counts:
        st.caption("No first choice reflected one of the course's common beliefs.")
    else:
        st.dataframe(
            [
                {"Belief": c.name, "What it is": c.description, "First choices": c.times}
                for c in counts
            ],
            hide_index=True,
            width="stretch",
        )


def _quizzes(debrief: Debrief, zone: tzinfo) -> None:
    for quiz in debrief.quizzes:
        st.subheader("Knowledge check, hardest first")
        _basis(quiz.basis, debrief, zone)
        questions = quiz.questions.value
        if questions is None:
            st.caption(plain(quiz.questions.notice))
            continue
        st.dataframe(
            [
                {"Question": q.text, "Right on the first try": round(100 * q.share_right)}
                for q in questions
            ],
            hide_index=True,
            width="stretch",
            column_config={
                "Right on the first try": st.column_config.ProgressColumn(
                    format="%d%%", min_value=0, max_value=100
                )
            },
        )


def _commitments(debrief: Debrief, zone: tzinfo) -> None:
    st.subheader("If-then plans: how the first check-in went")
    _basis(debrief.commitments_basis, debrief, zone)
    outcomes = debrief.commitments.value
    if outcomes is None:
        st.caption(plain(debrief.commitments.notice))
        return
    columns = st.columns(len(outcomes) or 1)
    for column, outcome in zip(columns, outcomes, strict=False):
        column.metric(plain(outcome.label), outcome.commitments)
