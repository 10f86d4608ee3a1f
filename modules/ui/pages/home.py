"""Home: the course, each module's progress, and one Continue button to where you stopped."""

from typing import Literal

import streamlit as st

from modules.course.completion import Phase
from modules.course.duration import course_minutes
from modules.services.cohorts import CohortService
from modules.services.runtime import runtime
from modules.ui.context import signed_in_page
from modules.ui.render import content, plain, progress_bar, references
from modules.ui.state import tab_page

ButtonKind = Literal["primary", "secondary"]
page = signed_in_page()
course = page.content.course
overview = page.learning.overview(page.actor)


def open_player(module_id: str, step_id: str, **extra: str) -> None:
    st.switch_page("pages/player.py", query_params={"module": module_id, "step": step_id, **extra})


sources = page.bibliography
st.title(content(course.title, sources))
st.write(f"Welcome, {plain(page.actor.display_name)}.")
count = len(overview.modules)
progress_bar(
    overview.fraction,
    f"Your course: {overview.modules_complete:d} of {count:d} modules complete,"
    f" {overview.fraction:.0%} of the way",
)
st.caption(f"{count:d} modules · about {course_minutes(page.content):d} minutes in all")

survey = page.content.self_assessment
phase = overview.self_assessment_due
# The baseline before module 1 and the second answer after module 8 are the next thing to do;
# a baseline skipped once the course is under way is still offered, second to Continue.
survey_first = phase is Phase.AFTER or (phase is Phase.BEFORE and not overview.started)
survey_kind: ButtonKind = "primary" if survey_first else "secondary"
continue_kind: ButtonKind = "secondary" if survey_first else "primary"
if survey is not None and phase is not None:
    with st.container(border=True):
        if phase is Phase.BEFORE:
            survey_title = content(survey.title, sources)
            st.markdown(
                f"**Before you start: {survey_title}** ({survey.minutes:d} minutes)\n\n"
                "Rate how often you do a few things today. At the end you answer again"
                " and see what changed."
            )
        else:
            st.markdown(
                f"**You finished every module. {content(survey.title, sources)}, once more**"
                "\n\nAnswer the same statements again to see how your habits changed."
            )
        if st.button(
            "Take the self-assessment", type=survey_kind, icon=":material/checklist:", key="survey"
        ):
            open_player(survey.id, survey.steps[0].id, phase=phase.value)

completed = [m.module.id for m in overview.modules if m.complete]
assignments = CohortService(runtime(), page.content).my_assignments(page.actor, completed)
if assignments:
    with st.container(border=True):
        st.markdown("**Your assignments**")
        for item in assignments:
            done = item.module_id in completed
            mark = "✓ done" if done else "**overdue**" if item.overdue else "due"
            due = content(item.title, sources)
            st.markdown(f"- {due}: {mark} {item.due_date:%A, %B %-d} ({plain(item.cohort)})")

if overview.commitments_due:
    count = len(overview.commitments_due)
    st.info(
        f"{count} of your plans reached its target date. How did it go?",
        icon=":material/event_available:",
    )
    if st.button("Check in on my plans"):
        st.switch_page("pages/progress.py")

if overview.continue_at is not None:
    target = overview.continue_at
    module = page.content.modules[target.module_id]
    verb = "Continue" if overview.started else "Start"
    label = f"{verb}: {content(module.title, sources)}"
    if st.button(label, type=continue_kind, icon=":material/play_arrow:", key="continue"):
        open_player(target.module_id, target.step_id)
elif overview.complete:
    st.success(
        "You completed the course. Your reflections and plans stay in My progress.",
        icon=":material/celebration:",
    )

if overview.hidden_modules:
    st.caption(
        f"{len(overview.hidden_modules)} module(s) are being updated and are hidden for"
        " now. The rest of the course works as usual."
    )

st.subheader("Modules")
for number, summary in enumerate(overview.modules, start=1):
    module = summary.module
    # A card is four elements: each element and block is a message to the browser (~0.05 to
    # 0.12 ms of the server's CPU each, measured), and Home draws eight cards.
    with st.container(border=True):
        heading = f"**{number:d}. {content(module.title, sources)}** · {module.minutes:d} minutes"
        st.markdown(f"{heading}\n\n{content(module.summary, sources)}")
        progress_bar(summary.fraction, f"Module {number:d}: {summary.fraction:.0%} complete")
        status = "Review" if summary.complete else "Continue" if summary.started else "Open"
        first_open = next(
            (s for s in module.steps if s.id not in summary.completed_steps), module.steps[0]
        )
        # A link, not a button: the click opens the player in one run (a button reran Home
        # first, then switched page), and it is navigation, as screen readers announce it.
        st.page_link(
            tab_page("pages/player.py"),
            label=f"{status} module {number:d}",
            icon=":material/arrow_forward:",
            query_params={"module": module.id, "step": first_open.id},
        )
references(sources)
