"""The one place that renders course and user text: no raw HTML, `$` as money, numbered refs."""

from __future__ import annotations

import streamlit as st

from modules.course.citations import Bibliography


def markdown(text: str, bibliography: Bibliography) -> None:
    st.markdown(bibliography.prepare(text), unsafe_allow_html=False)


def references(bibliography: Bibliography) -> None:
    """The sources cited on this page, numbered as in the text."""
    if not bibliography.cited:
        return
    with st.expander(f"References ({len(bibliography.cited)})"):
        for number, source in enumerate(bibliography.cited, start=1):
            line = f"{number}. {source.citation}"
            st.markdown(Bibliography([]).prepare(line))
            if source.url:
                st.link_button("Open source", source.url, type="tertiary")
