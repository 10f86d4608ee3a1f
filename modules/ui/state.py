"""Process-wide state for the pages: the course content, validated once per edit."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from modules.course.validation import Validation, validate_directory
from modules.services.runtime import runtime


def content_dir() -> Path:
    return runtime().settings.content_dir


def _fingerprint(root: Path) -> tuple[tuple[str, int, int], ...]:
    files = sorted(root.glob("*.yaml")) + sorted(root.glob("modules/*.y*ml"))
    return tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in files)


@st.cache_resource(max_entries=4, show_spinner="Loading the course...")
def _validated(root: str, fingerprint: tuple[tuple[str, int, int], ...]) -> Validation:
    return validate_directory(Path(root))


def current_content() -> Validation:
    """The course as validated now; an author's saved edit shows on the next rerun."""
    root = content_dir()
    return _validated(str(root), _fingerprint(root))
