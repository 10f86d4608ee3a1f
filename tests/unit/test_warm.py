"""The process loads pandas and pyarrow at start (modules/web/warm.py), not in a learner's run."""

from __future__ import annotations

import subprocess
import sys

import pytest

from modules.web.warm import HEAVY, warm_up


def test_warm_up_loads_what_tables_and_charts_need() -> None:
    probe = (
        "import sys; from modules.web.warm import warm_up; warm_up();"
        f"print(all(name in sys.modules for name in {HEAVY!r}))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "True"


def test_a_module_that_cannot_be_loaded_is_logged_not_fatal(
    caplog: pytest.LogCaptureFixture,
) -> None:
    seconds = warm_up(("json", "no_such_module_for_ally"))
    assert seconds >= 0
    assert "no_such_module_for_ally" in caplog.text
