"""Course content for facilitators: what fails validation (and is hidden), and previews."""

import dataclasses
from pathlib import Path

import streamlit as st

from modules.course.citations import Bibliography
from modules.services.actors import FACILITATOR
from modules.ui.context import guard
from modules.ui.render import content as rendered
from modules.ui.render import plain
from modules.ui.state import content_dir, current_content

st.set_page_config(layout="wide")  # like every facilitator page
actor = guard(FACILITATOR)


def _shown(folder: Path) -> str:
    """The content folder as the command takes it: relative to the app's folder, not absolute.

    The server's absolute path tells a facilitator nothing and a visitor too much.
    """
    try:
        return str(folder.resolve().relative_to(Path.cwd().resolve())) or "."
    except ValueError:  # outside the app's folder: its name is enough to recognise it
        return folder.name


st.title("Course content")
result = current_content()
errors = result.errors
if errors:
    broken = sorted({Path(p.file).stem for p in errors})
    st.error(
        f"{len(broken)} file(s) have errors. Modules with errors are hidden from learners;"
        " the rest of the course works.",
        icon=":material/error:",
    )
    for name in broken:
        with st.expander(plain(name), expanded=True):
            st.code(
                "\n".join(
                    dataclasses.replace(p, file=_shown(Path(p.file))).format()
                    for p in errors
                    if Path(p.file).stem == name
                ),
                language=None,
                wrap_lines=True,
            )
else:
    st.success("Every module validates.", icon=":material/verified:")
st.caption("Authors check the same with this command, in the app's folder:")
# Unhighlighted: Streamlit's token colours are fixed, some 2.8:1 on the code's grey.
st.code(f"python -m modules validate {_shown(content_dir())}", language=None)

content = result.content
if content is not None:
    st.subheader("Preview a module as a learner")
    st.caption("Preview answers are kept apart and never count in progress or reports.")
    sources = Bibliography(content.course.sources)
    for module in content.listed_modules:
        if st.button(
            f"Preview: {rendered(module.title, sources)}",
            key=f"preview-{module.id}",
            icon=":material/visibility:",
        ):
            st.switch_page(
                "pages/player.py",
                query_params={"module": module.id, "step": module.steps[0].id, "preview": "1"},
            )
