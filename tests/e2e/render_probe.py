"""A page that shows the renderer's table (tests/unit/test_render.py) for the browser test."""

import streamlit as st

from modules.ui.render import content, plain
from tests.unit.test_render import CONTENT, USER_TEXT, sources

for number, (typed, _markdown, _shown) in enumerate(USER_TEXT):
    with st.container(key=f"user-{number}"):
        st.markdown(plain(typed))
        st.caption(plain(typed))
        with st.expander(plain(typed)):
            st.write("inside")
for number, (written, _markdown) in enumerate(CONTENT):
    with st.container(key=f"content-{number}"):
        st.markdown(content(written, sources()))
