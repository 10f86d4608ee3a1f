"""A lesson: read it, then move on (which completes it)."""

import streamlit as st

from modules.course.models import Lesson
from modules.ui.steps.common import StepContext, go_to


def render(ctx: StepContext, step: Lesson) -> None:
    ctx.text(step.body)
    following = ctx.next_step
    label = "Continue" if following else "Finish the module"
    if st.button(label, type="primary", icon=":material/arrow_forward:", key="lesson-done"):
        ctx.page.learning.complete_lesson(ctx.page.actor, ctx.module.id, step.id, ctx.preview)
        if following is None:
            st.switch_page("pages/home.py")
        go_to(ctx.module.id, following.id, ctx.preview)
