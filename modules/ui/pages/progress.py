"""My progress: modules done, scenario scores, my reflections and plans, my change over time."""

import streamlit as st

from modules.course import check_ins
from modules.course.completion import Phase
from modules.course.models import Scenario, Survey
from modules.services.errors import ServiceError
from modules.ui.context import local_time, signed_in_page
from modules.ui.render import content, plain


def outcome_label(outcome: str) -> str:
    """A check-in outcome's name (the domain's), or the stored value if it has none."""
    return plain(check_ins.LABELS.get(outcome, outcome))  # type: ignore[call-overload]


page = signed_in_page()
record = page.learning.record(page.actor)
overview = page.learning.overview_of(record)  # the record read once, in one unit of work
st.title("My progress")

done = [s.module.title for s in overview.modules if s.complete]
st.metric("Modules completed", f"{len(done)} of {len(overview.modules)}")
if done:
    st.markdown(content("\n".join(f"- {title}" for title in done), page.bibliography))

st.subheader("Scenario scores")
rows = []
for summary in overview.modules:
    for step in summary.module.steps:
        if not isinstance(step, Scenario):
            continue
        scores = [
            a.score
            for a in record.scenario_attempts
            if a.step.module_id == summary.module.id
            and a.step.step_id == step.id
            and a.score is not None
        ]
        if scores:
            rows.append(
                {
                    "Module": summary.module.title,
                    "Scenario": step.title or step.id,
                    "Attempts": len(scores),
                    "Best": round(100 * max(scores)),
                    "Latest": round(100 * scores[-1]),
                }
            )
if rows:
    st.dataframe(
        rows,
        hide_index=True,
        # Widths that fit the page's 704 px column: wider, the Latest bar's number is cut off.
        column_config={
            "Module": st.column_config.TextColumn(width=200),
            "Scenario": st.column_config.TextColumn(width=180),
            "Attempts": st.column_config.NumberColumn(width=75),
            "Best": st.column_config.ProgressColumn(
                format="%d%%", min_value=0, max_value=100, width=120
            ),
            "Latest": st.column_config.ProgressColumn(
                format="%d%%", min_value=0, max_value=100, width=120
            ),
        },
    )
else:
    st.caption("Scenario scores appear here once you reach the end of a scenario.")

st.subheader("My plans")
if not record.commitments:
    st.caption("Plans you make at the end of each module appear here, with a check-in date.")
due_ids = {c.id for c in overview.commitments_due}
for plan in record.commitments:
    with st.container(border=True):
        st.markdown(f"**When** {plain(plan.cue)}, **I will** {plain(plan.action)}")
        st.caption(f"Target date: {plan.target_date:%B %-d, %Y}")
        for check in plan.check_ins:
            noted = f": {plain(check.note)}" if check.note else ""
            st.caption(
                f"Checked in {plain(local_time(check.checked_at))}: "
                f"{outcome_label(check.outcome)}{noted}"
            )
        if plan.id in due_ids:
            with st.form(key=f"check-in-{plan.id}"):
                outcome = st.radio(
                    "How did it go?",
                    check_ins.OUTCOMES,
                    horizontal=True,
                    format_func=outcome_label,
                    index=None,
                )
                note = st.text_input("A note for yourself (optional)")
                if st.form_submit_button("Save my check-in", type="primary"):
                    try:
                        page.learning.check_in(page.actor, plan.id, outcome or "", note)
                    except ServiceError as error:
                        st.error("Choose how it went first." if not outcome else plain(str(error)))
                    else:
                        st.rerun()

st.subheader("My reflections")
st.caption(":material/lock: Only you can read these.")
if not record.reflections:
    st.caption("Your reflections from each module will be kept here.")
for reflection in record.reflections:
    module = page.content.modules.get(reflection.step.module_id)
    where = content(module.title, page.bibliography) if module else plain(reflection.step.module_id)
    with st.expander(f"{where} · {plain(local_time(reflection.updated_at))}"):
        st.markdown(plain(reflection.text))

survey_module = page.content.self_assessment
answers = page.learning.self_assessment_answers_of(record)
looking_back = page.learning.looking_back_of(record)  # "then": a retrospective survey's
if survey_module is not None:
    items = [i for s in survey_module.steps if isinstance(s, Survey) for i in s.items]
    before, after = answers[Phase.BEFORE], answers[Phase.AFTER]
    series = [("Before", before), ("Looking back", looking_back), ("After", after)]
    if looking_back:
        st.subheader("Self-assessment: before, looking back, and after")
        st.caption(
            "Looking back: how often you did each thing before the course, as you rated it at"
            " the end, knowing what you know now."
        )
    else:
        st.subheader("Self-assessment: before and after")
    if before and after:
        chart = [
            {"Statement": item.text, "Phase": phase, "Answer": values[item.id]}
            for item in items
            for phase, values in series
            if item.id in values
        ]
        st.bar_chart(
            chart,
            x="Statement",
            y="Answer",
            color="Phase",
            stack=False,
            horizontal=True,
            height=(60 if looking_back else 40) * len(items) + 80,
        )
        st.caption("1 = Never, 5 = Always.")
    else:
        st.caption(
            "The chart appears once you have answered the self-assessment before and"
            " after the course."
        )
