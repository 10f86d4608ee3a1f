"""The trivial page served as the app is in production (uvicorn, one process): see bench/load.py."""

import streamlit as st

app = st.App("bench/trivial/app.py")
