"""What a step renderer gets, and moving between steps."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from modules.course.models import Module, Step
from modules.services.errors import ServiceError
from modules.ui.context import Page
from modules.ui.render import content, markdown, plain


@dataclass(frozen=True)
class StepContext:
    page: Page
    module: Module
    step: Step
    preview: bool

    @property
    def next_step(self) -> Step | None:
        steps = self.module.steps
        index = steps.index(self.step)
        return steps[index + 1] if index + 1 < len(steps) else None

    def text(self, value: str) -> None:
        markdown(value, self.page.bibliography)

    def label(self, value: str) -> str:
        """Course text for a label or inside other markdown: through the renderer."""
        return content(value, self.page.bibliography)

    @property
    def shown_done_key(self) -> str:
        """Where the player keeps the steps its last whole-page run showed as done."""
        return f"ally_done_{self.module.id}_{int(self.preview)}"

    def shown_done(self) -> bool:
        """Whether the page around this step already shows it as done (its progress, its list)."""
        return self.step.id in (st.session_state.get(self.shown_done_key) or ())


def go_to(module_id: str, step_id: str, preview: bool) -> None:
    """Show another step; the URL names it, so a reload comes back to it."""
    params = {"module": module_id, "step": step_id}
    if preview:
        params["preview"] = "1"
    st.query_params.from_dict(params)
    st.rerun()


def next_button(ctx: StepContext) -> None:
    following = ctx.next_step
    if following is None:
        if st.button("Back to the course", type="primary", icon=":material/home:"):
            st.switch_page("pages/home.py")
    elif st.button("Next step", type="primary", icon=":material/arrow_forward:", key="next-step"):
        go_to(ctx.module.id, following.id, ctx.preview)


def keep_draft(key: str, saved: str | None) -> None:
    """Fill the text box `key` with the stored text once; after that it keeps what was typed.

    A box that is keyed and never given `value=` keeps the learner's text through every rerun,
    a failed save and a database outage in the same tab.
    """
    if key not in st.session_state and saved is not None:
        st.session_state[key] = saved


def show_error(error: ServiceError) -> None:
    st.error(plain(str(error)))
