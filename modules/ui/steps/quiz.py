"""A knowledge check: answer, submit, see what was right and why, retry if needed.

Submitting and retrying are callbacks: they run before the page does, so one run draws the
marked attempt (or the new one) and the page's progress with it, not a run and a rerun.
"""

from __future__ import annotations

import re

import streamlit as st

from modules.course.marking import QuestionResult, QuizResult
from modules.course.models import Quiz
from modules.services.errors import ServiceError
from modules.services.practice import QuizView
from modules.ui.render import plain
from modules.ui.steps.common import StepContext, next_button, show_error

GIST_LENGTH = 60  # characters of a question's opening shown in its results row: one line
_PROBLEM = "ally_quiz_problem"  # what a submit's or a retry's callback could not do


def render(ctx: StepContext, step: Quiz) -> None:
    page = ctx.page
    # Taken before the read: if the read fails too, a later run must not show this one.
    problem: ServiceError | None = st.session_state.pop(_PROBLEM, None)
    view = page.practice.quiz_view(page.actor, ctx.module.id, step.id, ctx.preview)
    if view.result is None:
        _form(ctx, step, view)
    else:
        _result(ctx, step, view, view.result)
    if problem is not None:  # below the step; a refused submit keeps what was ticked
        show_error(problem)


def _form(ctx: StepContext, step: Quiz, view: QuizView) -> None:
    st.caption(
        f"Pass mark: {step.pass_mark:.0%} of the questions. You may try as often as you like."
    )
    with st.form(key=f"quiz-{view.attempt_id}"):
        for number, question in enumerate(step.questions, start=1):
            options = view.options[question.id]
            st.markdown(f"**{number:d}.** {ctx.label(question.text)}")
            if question.multiple:
                st.caption("Select all that apply.")
                for o in options:
                    st.checkbox(ctx.label(o.text), key=_answer_key(view, question.id, o.id))
            else:
                labels = {o.id: ctx.label(o.text) for o in options}
                st.radio(
                    f"Answer to question {number:d}",
                    list(labels),
                    index=None,
                    format_func=labels.__getitem__,
                    label_visibility="collapsed",
                    key=_answer_key(view, question.id),
                )
        st.form_submit_button(
            "Check my answers", type="primary", on_click=_submit, args=(ctx, step, view)
        )


def _answer_key(view: QuizView, question_id: str, option_id: str | None = None) -> str:
    """A question's radio, or one option's checkbox, in this attempt."""
    key = f"q-{view.attempt_id}-{question_id}"
    return key if option_id is None else f"{key}-{option_id}"


def _submit(ctx: StepContext, step: Quiz, view: QuizView) -> None:
    """Runs before the page does, so the page shows the marked attempt in the same run."""
    state = st.session_state
    answers: dict[str, set[str]] = {}
    for question in step.questions:
        if question.multiple:
            options = view.options[question.id]
            ticked = {o.id for o in options if state.get(_answer_key(view, question.id, o.id))}
            answers[question.id] = ticked
        else:
            picked = state.get(_answer_key(view, question.id))
            answers[question.id] = {picked} if picked else set()
    try:
        ctx.page.practice.submit_quiz(
            ctx.page.actor, ctx.module.id, step.id, view.attempt_id, answers, ctx.preview
        )
    except ServiceError as error:
        state[_PROBLEM] = error


def _retry(ctx: StepContext, step: Quiz) -> None:
    try:
        ctx.page.practice.retry_quiz(ctx.page.actor, ctx.module.id, step.id, ctx.preview)
    except ServiceError as error:
        st.session_state[_PROBLEM] = error


def _result(ctx: StepContext, step: Quiz, view: QuizView, result: QuizResult) -> None:
    """The verdict, then one collapsed row per question: a 5-question check fits on one screen."""
    with st.container(key="quiz-results"):
        _verdict(step, view, result)
        for number, marked in enumerate(result.questions, start=1):
            verdict = "Right" if marked.right else "Not right"
            icon = ":material/check_circle:" if marked.right else ":material/cancel:"
            label = f"Question {number:d}: {verdict} · {plain(_gist(marked.question.text))}"
            with st.expander(label, icon=icon):
                _question(ctx, marked, view.answers_shown)
        left, right_column = st.columns(2)
        with left:
            st.button(
                "Try again",
                icon=":material/replay:",
                key="quiz-retry",
                type="secondary" if result.passed else "primary",
                on_click=_retry,
                args=(ctx, step),
            )
        with right_column:
            if result.passed or view.passed_before:
                next_button(ctx)


def _gist(text: str, limit: int = GIST_LENGTH) -> str:
    """The question's opening words as plain text, to tell the rows apart on one line each."""
    words = re.sub(r"[*_`#>\[\]]", "", re.sub(r"\s*\[@[^\]]*\]", "", text)).split()
    gist = ""
    for word in words:
        if len(gist) + len(word) + 1 > limit:
            return gist + " …"
        gist = f"{gist} {word}" if gist else word
    return gist


def _verdict(step: Quiz, view: QuizView, result: QuizResult) -> None:
    total = len(result.questions)
    message = f"You got {result.right:d} of {total} right ({result.score:.0%})."
    if result.passed:
        st.success(f"{message} You passed this check.", icon=":material/task_alt:")
    else:
        st.warning(f"{message} The pass mark is {step.pass_mark:.0%}.", icon=":material/refresh:")
    if view.answers_shown:
        st.caption("Open a question to see your answer, the right answer and why.")
    elif view.fails_until_shown == 1:
        st.caption(
            "Open a question to read the feedback on your answer, then try again. The right"
            " answers are shown once you pass, or after one more attempt that does not."
        )
    else:
        st.caption(
            "Open a question to read the feedback on your answer, then try again. The right"
            f" answers are shown once you pass, or after {view.fails_until_shown:d} more"
            " attempts that do not."
        )


def _question(ctx: StepContext, marked: QuestionResult, answers_shown: bool) -> None:
    """The question, the options chosen with their feedback, and (once shown) the answers.

    Before the answers are shown, the options chosen in a multi-select question carry no
    verdict one by one: which of them were right is what the retry asks.
    """
    question = marked.question
    # One element for the question and what follows it: each element is a message.
    text = ctx.label(question.text)
    mark_options = answers_shown or not question.multiple
    for option in marked.chosen:
        verdict = (" (right)" if option.correct else " (not right)") if mark_options else ""
        text = f"{text}\n\nYou chose: *{ctx.label(option.text)}*{verdict}"
        if option.feedback:
            text = f"{text}\n\n{ctx.label(option.feedback)}"
    if answers_shown and not marked.right:
        right = [o.text for o in question.options if o.correct]
        text = f"{text}\n\nRight answer: {ctx.label('; '.join(f'*{r}*' for r in right))}"
    if answers_shown and question.explanation:
        text = f"{text}\n\n{ctx.label(question.explanation)}"
    st.markdown(text)
