"""The course content as the app sees it: validated, cached, reloaded when files change."""

from __future__ import annotations

import os
from pathlib import Path

import streamlit as st

from modules.course.validation import Validation, validate_directory


def content_dir() -> Path:
    return Path(os.environ.get("ALLY_CONTENT_DIR", "content"))


def _fingerprint(root: Path) -> tuple[tuple[str, int, int], ...]:
    files = sorted(root.glob("*.yaml")) + sorted(root.glob("modules/*.y*ml"))
    return tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in files)


@st.cache_resource(max_entries=4, show_spinner="Loading the course...")
def _validated(root: str, fingerprint: tuple[tuple[str, int, int], ...]) -> Validation:
    return validate_directory(Path(root))


def current_content() -> Validation:
    """The course as validated now; an author's edit shows on the next rerun."""
    root = content_dir()
    return _validated(str(root), _fingerprint(root))
