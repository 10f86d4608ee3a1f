"""The module player: one step at a time, each written as it happens and resumed on reload."""

import streamlit as st

from modules.course.completion import Phase
from modules.course.models import Commitment, Lesson, Quiz, Reflection, Scenario, Survey
from modules.services.errors import ServiceError
from modules.ui.context import signed_in_page
from modules.ui.render import references
from modules.ui.steps import commitment, lesson, quiz, reflection, scenario, survey
from modules.ui.steps.common import StepContext, go_to

page = signed_in_page()
params = st.query_params
module_id = params.get("module", "")
preview = params.get("preview") == "1"

try:
    module = page.learning.module(module_id)
    step_id = params.get("step") or module.steps[0].id
    step = page.learning.open_step(page.actor, module.id, step_id, preview)
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
done = page.learning.record(page.actor, preview).completed(module.id)
index = module.steps.index(step)
st.caption(f"{module.title} · step {index + 1} of {len(module.steps)}")
st.progress(len(done & {s.id for s in module.steps}) / len(module.steps))
with st.sidebar:
    st.markdown(f"**{module.title}**")
    for number, item in enumerate(module.steps, start=1):
        mark = ":material/check_circle:" if item.id in done else ":material/radio_button_unchecked:"
        if st.button(
            f"{number}. {item.title or item.TYPE.title()}",
            icon=mark,
            key=f"go-{item.id}",
            type="tertiary",
            disabled=item is step,
        ):
            go_to(module.id, item.id, preview)

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
