"""The module player: one step at a time, each written as it happens and resumed on reload."""

import streamlit as st

from modules.course.completion import Phase, module_complete
from modules.course.models import Commitment, Lesson, Module, Quiz, Reflection, Scenario, Survey
from modules.services.errors import ServiceError, StorageUnavailable
from modules.services.practice import ScenarioView
from modules.ui.context import signed_in_page
from modules.ui.render import content, plain, progress_bar, references
from modules.ui.state import tab_page
from modules.ui.steps import commitment, lesson, quiz, reflection, scenario, survey
from modules.ui.steps.common import StepContext, show_error


def back_to_the_course() -> None:
    st.page_link(tab_page("pages/home.py"), label="Back to the course", icon=":material/home:")


page = signed_in_page()
params = st.query_params
module_id = params.get("module", "")
preview = params.get("preview") == "1"

try:
    module = page.learning.module(module_id)
    step_id = params.get("step") or module.steps[0].id
    step = page.learning.step(module.id, step_id)
except ServiceError as error:
    st.error(plain(str(error)))
    back_to_the_course()
    st.stop()

opened = (module.id, step.id, preview)
# The steps done as this visit opened them: the first run of a visit completes nothing, so
# it shows these; a later run (a save, a check) reads them again after the step has run.
done_at_open: set[str] | None = None
scenario_at_open: ScenarioView | None = None  # a scenario's view, read in the same unit of work
if st.session_state.get("ally_opened") != opened:  # write the position once per visit
    try:
        if isinstance(step, Scenario):
            opening = page.practice.open_scenario(page.actor, module.id, step.id, preview)
            done_at_open, scenario_at_open = opening
        else:
            done_at_open = page.learning.open_step(page.actor, module.id, step.id, preview)
        st.session_state["ally_opened"] = opened
    except StorageUnavailable as error:  # show the step anyway: nothing typed is lost
        show_error(error)
    except ServiceError as error:
        st.error(plain(str(error)))
        back_to_the_course()
        st.stop()

if preview:
    st.info(
        "Preview: what you do here is kept apart and never counts in progress or reports.",
        icon=":material/visibility:",
    )
# Filled after the step has run, so that a save that completes it shows in this same run. The
# step list goes straight into the sidebar then (after the signed-in box): no placeholder, as
# nothing else draws there, so a run sends one message fewer.
header = st.container()


def completed_steps() -> set[str] | None:
    try:
        return page.learning.completed_steps(page.actor, module.id, preview)
    except StorageUnavailable:
        return None


# What the previous run of this page showed as done (one read a run, made after the step):
# "just completed" is the difference between the two.
ctx = StepContext(page, module, step, preview)
shown_key = ctx.shown_done_key
before: set[str] | None = st.session_state.get(shown_key)
st.header(content(step.title or step.TYPE.title(), page.bibliography))
if isinstance(step, Lesson):
    lesson.render(ctx, step)
elif isinstance(step, Scenario):
    scenario.render(ctx, step, scenario_at_open)
elif isinstance(step, Quiz):
    quiz.render(ctx, step)
elif isinstance(step, Reflection):
    reflection.render(ctx, step)
elif isinstance(step, Commitment):
    commitment.render(ctx, step)
elif isinstance(step, Survey):
    asked = params.get("phase")
    phases = {p.value: p for p in Phase}
    phase = phases.get(asked or "") or page.learning.overview(page.actor).self_assessment_due
    if survey.render(ctx, step, phase or Phase.AFTER):
        st.success("Thank you. Your answers are saved.")
    back_to_the_course()


def show_progress(module: Module, done: set[str]) -> None:
    index = module.steps.index(step)
    with header:
        count = len(done & {s.id for s in module.steps})
        progress_bar(
            count / len(module.steps),
            f"{count} of {len(module.steps)} steps done",
            caption=f"{module.title} · step {index + 1:d} of {len(module.steps)}",
        )
    with st.sidebar:
        st.markdown(f"**{content(module.title, page.bibliography)}**")
        for number, item in enumerate(module.steps, start=1):
            label = f"{number:d}. {content(item.title or item.TYPE.title(), page.bibliography)}"
            icon = ":material/check_circle:" if item.id in done else ":material/circle:"
            if item is step:  # text, not a disabled link: Streamlit greys those to 2.3:1
                st.markdown(f"{icon} **{label}** (this step)")
                continue
            query = {"module": module.id, "step": item.id} | ({"preview": "1"} if preview else {})
            st.page_link(tab_page("pages/player.py"), label=label, icon=icon, query_params=query)


after = done_at_open if done_at_open is not None else completed_steps()
if after is not None:
    st.session_state[shown_key] = after
show_progress(module, after or set())
listed = module.id in page.content.course.modules
if after is not None and listed and module_complete(module, after):
    just_now = before is not None and not module_complete(module, before)
    with st.container(border=True):
        st.success(
            "You completed this module." if just_now else "This module is complete.",
            icon=":material/task_alt:",
        )
        overview = page.learning.overview(page.actor)
        upcoming = next((m.module for m in overview.modules if not m.complete), None)
        if upcoming is not None:
            st.page_link(
                tab_page("pages/player.py"),
                label=f"Next: {content(upcoming.title, page.bibliography)}",
                icon=":material/arrow_forward:",
                query_params={"module": upcoming.id, "step": upcoming.steps[0].id},
            )
        elif overview.self_assessment_due is Phase.AFTER and page.content.self_assessment:
            sa = page.content.self_assessment
            st.page_link(
                tab_page("pages/player.py"),
                label=f"Last step of the course: {content(sa.title, page.bibliography)}",
                icon=":material/checklist:",
                query_params={"module": sa.id, "step": sa.steps[0].id, "phase": "after"},
            )
        back_to_the_course()
references(page.bibliography)
