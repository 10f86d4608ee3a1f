"""Run a few lines of Python in a new process from the repository root (for changes that
app.py makes to Streamlit for the whole process)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def printed_by(probe: str) -> list[str]:
    """The words `probe` printed; fails with its standard error if it failed."""
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.split()
