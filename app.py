"""Entry point: `streamlit run app.py` serves the course."""

import streamlit as st

app = st.App("modules/ui/main.py")
