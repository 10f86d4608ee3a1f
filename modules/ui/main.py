"""Navigation script: builds the pages with st.navigation."""

import streamlit as st

st.set_page_config(page_title="Leading as an Ally", page_icon=":material/diversity_3:")
st.navigation(
    [st.Page("pages/catalogue.py", title="Course", icon=":material/school:", default=True)]
).run()
