"""A branching scenario: one node at a time; at the ending, the path, the score, the coaching."""

from __future__ import annotations

import streamlit as st

from modules.course.models import Decision, Ending, Scenario
from modules.services.errors import ServiceError
from modules.services.practice import ScenarioView
from modules.ui.steps.common import StepContext, next_button, show_error

QUALITY_LABEL = {"best": "Strong move", "okay": "Partly effective", "poor": "Backfired"}
QUALITY_ICON = {
    "best": ":material/check_circle:",
    "okay": ":material/adjust:",
    "poor": ":material/cancel:",
}


def render(ctx: StepContext, step: Scenario) -> None:
    page = ctx.page
    view = page.practice.scenario_view(page.actor, ctx.module.id, step.id, ctx.preview)
    if view.restarted:
        st.info("This scenario was updated since your last visit, so it starts again from the top.")
    with st.container(border=True):
        ctx.text(step.intro)
    if view.state.feedback:
        with st.container(border=True):
            st.caption("What happens")
            ctx.text(view.state.feedback)
    node = view.state.node
    if isinstance(node, Decision):
        _decision(ctx, step, view, node)
    elif isinstance(node, Ending):
        _ending(ctx, step, view, node)


def _decision(ctx: StepContext, step: Scenario, view: ScenarioView, node: Decision) -> None:
    ctx.text(node.text)
    labels = {c.id: ctx.label(c.text) for c in view.choices}
    with st.form(key=f"decide-{view.attempt_id}-{view.position}"):
        picked = st.radio(
            "What do you do?", list(labels), index=None, format_func=labels.__getitem__
        )
        chosen = st.form_submit_button("Choose", type="primary")
    if not chosen:
        return
    if picked is None:
        st.warning("Pick one of the options first.")
        return
    try:
        ctx.page.practice.choose(
            ctx.page.actor,
            ctx.module.id,
            step.id,
            view.attempt_id,
            view.position,
            picked,
            ctx.preview,
        )
    except ServiceError as error:
        show_error(error)
        return
    st.rerun()


def _ending(ctx: StepContext, step: Scenario, view: ScenarioView, ending: Ending) -> None:
    ctx.text(ending.text)
    score = view.state.score or 0.0
    st.subheader("How it went")
    columns = st.columns(2)
    columns[0].metric("Score for this attempt", f"{score:.0%}")
    if view.earlier_scores:
        columns[1].metric("Best earlier attempt", f"{max(view.earlier_scores):.0%}")
    st.caption("The path you took")
    for number, taken in enumerate(view.state.path, start=1):
        quality = taken.choice.quality
        st.markdown(
            f"{number}. {ctx.label(taken.choice.text)}  \n"
            f"{QUALITY_ICON[quality]} *{QUALITY_LABEL[quality]}*"
        )
    if ending.coaching:
        with st.container(border=True):
            st.caption("Coaching")
            ctx.text(ending.coaching)
    left, right = st.columns(2)
    with left:
        if st.button("Play it again", icon=":material/replay:", key="replay"):
            ctx.page.practice.replay(ctx.page.actor, ctx.module.id, step.id, ctx.preview)
            st.rerun()
    with right:
        next_button(ctx)
