"""The course catalogue: every module, read and validated through the content engine."""

import streamlit as st

from modules.course.citations import Bibliography
from modules.ui.state import content_dir, current_content
from modules.ui.render import markdown, references

result = current_content()
if result.content is None:
    st.title("The course is not available")
    st.error(
        "The course file has errors, so no module can be shown. Authors: run "
        f"`python -m modules validate {content_dir()}` to see them."
    )
    st.stop()

content = result.content
course = content.course
bibliography = Bibliography(course.sources)
st.title(course.title)
markdown(course.summary, bibliography)

hidden = [m for m in course.modules if m not in content.modules]
if hidden:
    st.warning(
        f"{len(hidden)} module(s) are hidden until their problems are fixed: " + ", ".join(hidden)
    )

total = sum(m.minutes for m in content.listed_modules)
st.caption(f"{len(content.listed_modules)} modules · about {total} minutes in all")
for number, module in enumerate(content.listed_modules, start=1):
    with st.container(border=True):
        st.subheader(f"{number}. {module.title}")
        st.caption(f"{module.minutes} minutes · {len(module.steps)} steps")
        markdown(module.summary, bibliography)
        with st.expander("What you will practice"):
            for objective in module.objectives:
                st.markdown(f"- {bibliography.prepare(objective)}")
references(bibliography)
