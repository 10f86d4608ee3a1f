"""The self-assessment: how often, for each behavior; taken before and after the course.

A retrospective survey's after phase asks two ratings per statement: how often now, and,
looking back, how often before the course (the "then" rating).
"""

from __future__ import annotations

import streamlit as st

from modules.course.completion import Phase, asks_looking_back
from modules.course.models import Survey, SurveyItem
from modules.services.errors import ServiceError
from modules.ui.render import plain
from modules.ui.steps.common import StepContext, show_error


def render(ctx: StepContext, step: Survey, phase: Phase) -> bool:
    """Show the form; True once it was saved complete."""
    page = ctx.page
    record = page.learning.standing(page.actor)
    earlier = page.learning.self_assessment_answers_of(record)[phase]
    earlier_then = page.learning.looking_back_of(record)
    looking_back = asks_looking_back(step, phase)
    if looking_back:
        st.caption(
            "Rate each statement twice: how often you do it now, and how often you did it"
            " before the course, as you see it now, looking back."
        )
    answers: dict[str, int] = {}
    then: dict[str, int] = {}
    with st.form(key=f"survey-{phase.value}"):
        for number, item in enumerate(step.items, start=1):
            if looking_back:
                now, before = _both(ctx, step, item, number, earlier, earlier_then)
                if before is not None:
                    then[item.id] = before
            else:
                now = st.radio(
                    ctx.label(item.text),
                    _scale(step),
                    index=_index(earlier.get(item.id)),
                    format_func=lambda v: ctx.label(step.scale[v - 1]),
                    horizontal=True,
                    key=f"survey-{phase.value}-{item.id}",
                )
            if now is not None:
                answers[item.id] = now
        submitted = st.form_submit_button("Save my answers", type="primary")
    if not submitted:
        return False
    asked = len(step.items) * (2 if looking_back else 1)
    missing = asked - len(answers) - len(then)
    try:
        page.learning.save_self_assessment(
            page.actor, phase, answers, ctx.preview, looking_back=then if looking_back else None
        )
    except ServiceError as error:
        show_error(error)
        return False
    if missing:
        st.warning(f"Saved. {missing:d} rating(s) still need an answer.")
        return False
    return True


def _both(
    ctx: StepContext,
    step: Survey,
    item: SurveyItem,
    number: int,
    earlier: dict[str, int],
    earlier_then: dict[str, int],
) -> tuple[int | None, int | None]:
    """The after phase of a retrospective survey: how often now, and before, looking back."""
    st.markdown(f"**{number:d}.** {ctx.label(item.text)}")
    now: int | None = st.radio(
        plain(f"{number:d}. Now"),  # escaped: "1." would start a markdown list
        _scale(step),
        index=_index(earlier.get(item.id)),
        format_func=lambda v: ctx.label(step.scale[v - 1]),
        horizontal=True,
        key=f"survey-after-{item.id}",
    )
    then: int | None = st.radio(
        plain(f"{number:d}. Before the course, looking back"),
        _scale(step),
        index=_index(earlier_then.get(item.id)),
        format_func=lambda v: ctx.label(step.scale[v - 1]),
        horizontal=True,
        key=f"survey-then-{item.id}",
    )
    return now, then


def _scale(step: Survey) -> list[int]:
    return list(range(1, len(step.scale) + 1))


def _index(earlier: int | None) -> int | None:
    return earlier - 1 if earlier is not None else None
