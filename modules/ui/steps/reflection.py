"""A private reflection: only the learner can read it."""

import streamlit as st

from modules.course import readability
from modules.course.models import Reflection
from modules.services.errors import ServiceError
from modules.ui.steps.common import StepContext, keep_draft, next_button, show_error

PRIVACY = (
    ":material/lock: Only you can read what you write here. Facilitators and administrators"
    " never see it, not even in a summary."
)


def render(ctx: StepContext, step: Reflection) -> None:
    ctx.text(step.prompt)
    st.caption(PRIVACY)
    key = f"reflection-{ctx.module.id}-{step.id}-{int(ctx.preview)}"
    try:
        record = ctx.page.learning.record(ctx.page.actor, ctx.preview)
    except ServiceError as error:  # the database is down: keep the box and what is typed in it
        show_error(error)
        record = None
    if record is not None:
        saved = next(
            (
                r.text
                for r in record.reflections
                if r.step.module_id == ctx.module.id and r.step.step_id == step.id
            ),
            None,
        )
        keep_draft(key, saved)
    with st.form(key=f"reflect-{step.id}"):
        # The box is keyed, never given `value=`: what the learner typed is the widget's own
        # state, so a save, a rerun or a failed save can never put an older text back.
        text = st.text_area("Your reflection", key=key, height=200, max_chars=10_000)
        submitted = st.form_submit_button("Save my reflection", type="primary")
    done = record is not None and step.id in record.completed(ctx.module.id)
    if submitted:
        try:
            done = ctx.page.learning.save_reflection(
                ctx.page.actor, ctx.module.id, step.id, text, ctx.preview
            )
        except ServiceError as error:
            show_error(error)
            return
        words = len(readability.words(text))
        if done:
            st.success("Saved.", icon=":material/check:")
        else:
            st.info(
                f"Saved. Write at least {step.min_words:d} words to complete this step "
                f"(you have {words})."
            )
    if done:
        next_button(ctx)
