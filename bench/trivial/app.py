"""The trivial page bench/load.py compares the app with: one radio, one button."""

import streamlit as st

choice = st.radio("What do you do?", ["a", "b", "c"], index=None)
if st.button("Choose"):
    st.write(f"You chose {choice}")
