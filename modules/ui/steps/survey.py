"""The self-assessment: how often, for each behavior; taken before and after the course."""

from __future__ import annotations

import streamlit as st

from modules.course.completion import Phase
from modules.course.models import Survey
from modules.services.errors import ServiceError
from modules.ui.steps.common import StepContext, show_error


def render(ctx: StepContext, step: Survey, phase: Phase) -> bool:
    """Show the form; True once it was saved complete."""
    page = ctx.page
    earlier = page.learning.self_assessment_answers(page.actor)[phase]
    scale = list(range(1, len(step.scale) + 1))
    answers: dict[str, int] = {}
    with st.form(key=f"survey-{phase.value}"):
        for item in step.items:
            value = st.radio(
                ctx.label(item.text),
                scale,
                index=earlier[item.id] - 1 if item.id in earlier else None,
                format_func=lambda v: ctx.label(step.scale[v - 1]),
                horizontal=True,
                key=f"survey-{phase.value}-{item.id}",
            )
            if value is not None:
                answers[item.id] = value
        submitted = st.form_submit_button("Save my answers", type="primary")
    if not submitted:
        return False
    missing = len(step.items) - len(answers)
    try:
        page.learning.save_self_assessment(page.actor, phase, answers, ctx.preview)
    except ServiceError as error:
        show_error(error)
        return False
    if missing:
        st.warning(f"Saved. {missing:d} statement(s) still need an answer.")
        return False
    return True
