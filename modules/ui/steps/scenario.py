"""A branching scenario: one node at a time; at the ending, the path, the score, the coaching.

Each option is its own full-width button: one click decides. The scenario is a fragment, so a
choice reruns only it (not the page, its sidebar or its step list); the service call inside it
checks the session, as every unit of work does. The first ending reruns the whole page, which
then shows the step as done; a replay's ending does not need to. After a choice, focus moves to
"What happens".
"""

from __future__ import annotations

import streamlit as st

from modules.course.models import Decision, Ending, Scenario
from modules.services.errors import ServiceError, SignedOut
from modules.services.practice import ScenarioView
from modules.ui.render import focus_on, plain, site_link
from modules.ui.steps.common import StepContext, next_button, show_error

QUALITY_LABEL = {"best": "Strong move", "okay": "Partly effective", "poor": "Backfired"}
ENDING_LABEL = {"best": "the best outcome", "okay": "a partial outcome", "poor": "a poor outcome"}
QUALITY_ICON = {
    "best": ":material/check_circle:",
    "okay": ":material/adjust:",
    "poor": ":material/cancel:",
}
CONSEQUENCE = "ally-consequence"
DECISION = "ally-decision"

_PROBLEM = "ally_scenario_problem"
_SIGNED_OUT = "ally_scenario_signed_out"
_ENDED = "ally_scenario_ended"


def render(ctx: StepContext, step: Scenario, opened: ScenarioView | None = None) -> None:
    """Draw the scenario; `opened`: the view the page's opening of the step read, if it did.

    Called on the page's whole runs only: a view handed over here is the fragment's for this
    run alone, never for a later rerun of the fragment by itself.
    """
    if opened is None:
        st.session_state.pop(_opened_key(ctx, step), None)
    else:
        st.session_state[_opened_key(ctx, step)] = opened
    _scenario(ctx, step)


def _view_key(ctx: StepContext, step: Scenario) -> str:
    return f"ally_scenario_view_{ctx.module.id}_{step.id}_{int(ctx.preview)}"


def _opened_key(ctx: StepContext, step: Scenario) -> str:
    return f"ally_scenario_opened_{ctx.module.id}_{step.id}_{int(ctx.preview)}"


@st.fragment
def _scenario(ctx: StepContext, step: Scenario) -> None:
    # A choice's callback, or the page's opening of the step, leaves the view its unit of
    # work returned: no second read. Each is taken once, whatever this run shows.
    chosen: ScenarioView | None = st.session_state.pop(_view_key(ctx, step), None)
    opened: ScenarioView | None = st.session_state.pop(_opened_key(ctx, step), None)
    signed_out = st.session_state.pop(_SIGNED_OUT, None)
    if signed_out:
        _sign_in_again(signed_out)
        return
    problem = st.session_state.pop(_PROBLEM, None)
    if problem:
        st.warning(plain(problem))
    if chosen is not None and st.session_state.pop(_ENDED, False):
        st.session_state[_view_key(ctx, step)] = chosen
        st.rerun()  # the whole page: its progress and step list now show the step done
    try:
        view = (
            chosen
            or opened
            or ctx.page.practice.scenario_view(ctx.page.actor, ctx.module.id, step.id, ctx.preview)
        )
    except SignedOut as error:
        _sign_in_again(str(error))
        return
    except ServiceError as error:
        show_error(error)
        return
    _show(ctx, step, view, just_chosen=chosen is not None)


def _sign_in_again(message: str) -> None:
    st.warning(plain(message), icon=":material/logout:")
    site_link("Sign in", "/auth/login", primary=True)


def _show(ctx: StepContext, step: Scenario, view: ScenarioView, *, just_chosen: bool) -> None:
    if view.restarted:
        st.info("This scenario was updated since your last visit, so it starts again from the top.")
    if view.state.path:  # the situation stays at hand without pushing the story down
        with st.expander("The situation"):
            ctx.text(step.intro)
    else:
        with st.container(border=True):
            ctx.text(step.intro)
    if view.state.feedback:
        with st.container(border=True, key=CONSEQUENCE):  # one element: each is a message
            st.markdown(f"**What happens**\n\n{ctx.label(view.state.feedback)}")
    node = view.state.node
    if isinstance(node, Decision):
        _decision(ctx, step, view, node)
    elif isinstance(node, Ending):
        _ending(ctx, step, view, node)
    if just_chosen and view.state.feedback:
        turn = f"{view.attempt_id}-{view.position}"
        focus_on(CONSEQUENCE, "What happens", turn, hold=DECISION)


def _decision(ctx: StepContext, step: Scenario, view: ScenarioView, node: Decision) -> None:
    st.markdown(f"{ctx.label(node.text)}\n\n**What do you do?**")
    # Keys name the attempt and position: a second click on a button already answered (a
    # double click, a stale tab) finds no widget on the next decision, and the service
    # records one choice per position whatever arrives.
    with st.container(key=DECISION):
        for choice in view.choices:
            st.button(
                ctx.label(choice.text),
                key=f"choose-{view.attempt_id}-{view.position}-{choice.id}",
                on_click=_choose,
                args=(ctx, step, view, choice.id),
                width="stretch",
            )


def _choose(ctx: StepContext, step: Scenario, view: ScenarioView, choice_id: str) -> None:
    """Runs before the fragment does, so the fragment shows the consequence in the same run."""
    try:
        chosen = ctx.page.practice.choose(
            ctx.page.actor,
            ctx.module.id,
            step.id,
            view.attempt_id,
            view.position,
            choice_id,
            ctx.preview,
            shown=view,
        )
    except SignedOut as error:
        st.session_state[_SIGNED_OUT] = str(error)
        return
    except ServiceError as error:
        st.session_state[_PROBLEM] = str(error)
        return
    st.session_state[_view_key(ctx, step)] = chosen
    # An ending reruns the whole page only when the page does not show the step done yet.
    ended_now = chosen.state.ended and not view.state.ended
    st.session_state[_ENDED] = ended_now and not ctx.shown_done()


def _replay(ctx: StepContext, step: Scenario) -> None:
    try:
        replayed = ctx.page.practice.replay(ctx.page.actor, ctx.module.id, step.id, ctx.preview)
    except SignedOut as error:
        st.session_state[_SIGNED_OUT] = str(error)
        return
    except ServiceError as error:
        st.session_state[_PROBLEM] = str(error)
        return
    st.session_state[_view_key(ctx, step)] = replayed


def _ending(ctx: StepContext, step: Scenario, view: ScenarioView, ending: Ending) -> None:
    st.subheader(f"How it ends: {ENDING_LABEL[ending.ending]}")
    ctx.text(ending.text)
    score = view.state.score or 0.0
    st.subheader("How it went")
    # Rows are horizontal containers, one block each where st.columns makes three: every
    # element is a message to the browser, and each ending's rerun sends them.
    with st.container(horizontal=True):
        st.metric("Score for this attempt", f"{score:.0%}")
        if view.earlier_scores:
            st.metric("Best earlier attempt", f"{max(view.earlier_scores):.0%}")
    st.markdown("**The path you took**")
    for number, taken in enumerate(view.state.path, start=1):
        quality = taken.choice.quality
        st.markdown(
            f"{number:d}. {ctx.label(taken.choice.text)}  \n"
            f"{QUALITY_ICON[quality]} *{QUALITY_LABEL[quality]}*"
        )
    if ending.coaching:
        with st.container(border=True):
            st.markdown("**Coaching**")
            ctx.text(ending.coaching)
    with st.container(horizontal=True):
        st.button(
            "Play it again",
            icon=":material/replay:",
            key=f"replay-{view.attempt_id}",
            on_click=_replay,
            args=(ctx, step),
        )
        next_button(ctx)
