"""A branching scenario: one node at a time; at the ending, the path, the score, the coaching."""

from __future__ import annotations

import streamlit as st

from modules.course.models import Decision, Ending, Scenario
from modules.services.errors import ServiceError
from modules.services.practice import ScenarioView
from modules.ui.render import plain
from modules.ui.steps.common import StepContext, next_button

QUALITY_LABEL = {"best": "Strong move", "okay": "Partly effective", "poor": "Backfired"}
ENDING_LABEL = {"best": "the best outcome", "okay": "a partial outcome", "poor": "a poor outcome"}
QUALITY_ICON = {
    "best": ":material/check_circle:",
    "okay": ":material/adjust:",
    "poor": ":material/cancel:",
}


_PROBLEM = "ally_scenario_problem"


def render(ctx: StepContext, step: Scenario) -> None:
    page = ctx.page
    problem = st.session_state.pop(_PROBLEM, None)
    if problem:
        st.warning(plain(problem))
    view = page.practice.scenario_view(page.actor, ctx.module.id, step.id, ctx.preview)
    if view.restarted:
        st.info("This scenario was updated since your last visit, so it starts again from the top.")
    if view.state.path:  # the situation stays at hand without pushing the story down
        with st.expander("The situation"):
            ctx.text(step.intro)
    else:
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
    form = f"decide-{view.attempt_id}-{view.position}"
    with st.form(key=form):
        st.radio(
            "Your choice",
            list(labels),
            index=None,
            format_func=labels.__getitem__,
            key=f"{form}-choice",
            label_visibility="collapsed",
        )
        st.form_submit_button(
            "Choose", type="primary", on_click=_choose, args=(ctx, step, view, form)
        )


def _choose(ctx: StepContext, step: Scenario, view: ScenarioView, form: str) -> None:
    """Runs before the page does, so the page shows the consequence in the same run."""
    picked = st.session_state.get(f"{form}-choice")
    if picked is None:
        st.session_state[_PROBLEM] = "Pick one of the options first."
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
        st.session_state[_PROBLEM] = str(error)


def _ending(ctx: StepContext, step: Scenario, view: ScenarioView, ending: Ending) -> None:
    st.subheader(f"How it ends: {ENDING_LABEL[ending.ending]}")
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
            f"{number:d}. {ctx.label(taken.choice.text)}  \n"
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
