"""The module player: one step at a time, each written as it happens and resumed on reload."""

import streamlit as st

from modules.course.completion import Phase
from modules.course.models import Commitment, Lesson, Quiz, Reflection, Scenario, Survey
from modules.services.errors import ServiceError
from modules.ui.context import signed_in_page
from modules.ui.render import references
from modules.ui.steps import commitment, lesson, quiz, reflection, scenario, survey
from modules.ui.steps.common import StepContext

page = signed_in_page()
params = st.query_params
module_id = params.get("module", "")
preview = params.get("preview") == "1"

try:
    module = page.learning.module(module_id)
    step_id = params.get("step") or module.steps[0].id
    opened = (module.id, step_id, preview)
    if st.session_state.get("ally_opened") != opened:  # write the position once per visit
        step = page.learning.open_step(page.actor, module.id, step_id, preview)
        st.session_state["ally_opened"] = opened
    else:
        step = page.learning.step(module.id, step_id)
except ServiceError as error:
    st.error(str(error))
    if st.button("Back to the course", type="primary"):
        st.switch_page("pages/home.py")
    st.stop()

if preview:
    st.info(
        "Preview: what you do here is kept apart and never counts in progress or reports.",
        icon=":material/visibility:",
    )
done = page.learning.completed_steps(page.actor, module.id, preview)
index = module.steps.index(step)
st.caption(f"{module.title} · step {index + 1} of {len(module.steps)}")
st.progress(len(done & {s.id for s in module.steps}) / len(module.steps))
with st.sidebar:
    st.markdown(f"**{module.title}**")
    for number, item in enumerate(module.steps, start=1):
        query = {"module": module.id, "step": item.id} | ({"preview": "1"} if preview else {})
        st.page_link(
            "pages/player.py",
            label=f"{number}. {item.title or item.TYPE.title()}",
            icon=":material/check_circle:" if item.id in done else ":material/circle:",
            query_params=query,
            disabled=item is step,
        )

st.header(step.title or step.TYPE.title())
ctx = StepContext(page, module, step, preview)
if isinstance(step, Lesson):
    lesson.render(ctx, step)
elif isinstance(step, Scenario):
    scenario.render(ctx, step)
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
        if st.button("Back to the course", type="primary"):
            st.switch_page("pages/home.py")
references(page.bibliography)
