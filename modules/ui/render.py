"""The one place that renders course and user text: no raw HTML, `$` as money, numbered refs."""

from __future__ import annotations

import re
from html import escape

import streamlit as st

from modules.course.citations import Bibliography

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$])")


def plain(text: str) -> str:
    """User text (names, addresses) escaped so that markdown shows it exactly as typed."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


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


_LINK_STYLE = (
    "display:inline-block;box-sizing:border-box;width:100%;padding:.45rem .9rem;"
    "border-radius:.5rem;text-align:center;text-decoration:none;font-weight:600;"
    "border:1px solid {border};background:{background};color:{color}"
)


def site_link(label: str, path: str, *, primary: bool = False) -> None:
    """A button-like link to a page of this site (the /auth forms) that stays in this tab.

    st.link_button always opens a new tab; our own fixed markup does not, and carries no
    content or user text.
    """
    colors = (
        {"border": "#0f6e6e", "background": "#0f6e6e", "color": "#fff"}
        if primary
        else {"border": "#c4c7cf", "background": "#fff", "color": "#31333f"}
    )
    style = _LINK_STYLE.format(**colors)
    st.html(f'<a href="{escape(path)}" style="{style}">{escape(label)}</a>')
