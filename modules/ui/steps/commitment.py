"""An if-then plan with a target date; the app asks how it went from that date."""

from __future__ import annotations

import re

import streamlit as st

from modules.course.models import Commitment
from modules.services.errors import ServiceError
from modules.ui.steps.common import StepContext, keep_draft, next_button, show_error

_PLAN = re.compile(r"^\s*When (?P<cue>.+?), I will (?P<action>.+?)\.?\s*$", re.IGNORECASE)


def render(ctx: StepContext, step: Commitment) -> None:
    ctx.text(step.prompt)
    st.caption(
        "Plans written as *When ..., I will ...* are carried out more often than plain goals."
    )
    page = ctx.page
    try:
        record = page.learning.standing(page.actor, ctx.preview)
    except ServiceError as error:  # the database is down: keep the boxes and what is in them
        show_error(error)
        record = None
    saved = next(
        (
            c
            for c in (record.commitments if record else ())
            if c.step.module_id == ctx.module.id and c.step.step_id == step.id
        ),
        None,
    )
    suffix = f"{ctx.module.id}-{step.id}-{int(ctx.preview)}"
    cue_key, action_key, date_key = f"cue-{suffix}", f"action-{suffix}", f"target-{suffix}"
    keep_draft(cue_key, saved.cue if saved else None)
    keep_draft(action_key, saved.action if saved else None)
    if date_key not in st.session_state:
        st.session_state[date_key] = (
            saved.target_date
            if saved
            else page.learning.default_target_date(ctx.module.id, step.id)
        )
    if step.suggestions:
        suggestion = st.selectbox(
            "Start from a suggestion (optional)",
            step.suggestions,
            index=None,
            placeholder="Choose a suggestion to edit",
        )
        match = _PLAN.match(suggestion or "")
        if match and st.button("Use this suggestion", icon=":material/edit_note:"):
            st.session_state[cue_key] = match["cue"]
            st.session_state[action_key] = match["action"]
    with st.form(key=f"plan-{step.id}"):
        cue = st.text_input("When ...", key=cue_key, placeholder="the weekly staffing huddle ends")
        action = st.text_input(
            "I will ...", key=action_key, placeholder="ask who has not spoken yet what they think"
        )
        target = st.date_input(
            "Target date",
            key=date_key,
            min_value=min(page.learning.today(), st.session_state[date_key]),
            format="MM/DD/YYYY",
        )
        submitted = st.form_submit_button("Save my plan", type="primary")
    if submitted:
        try:
            page.learning.save_commitment(
                page.actor, ctx.module.id, step.id, cue, action, target, ctx.preview
            )
        except ServiceError as error:
            show_error(error)
            return
        st.success(
            f"Saved. On {target:%B %-d} the app will ask you how it went.",
            icon=":material/event_available:",
        )
    if saved is not None or submitted:
        next_button(ctx)
