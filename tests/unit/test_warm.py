"""The process loads pandas and pyarrow at start (modules/web/warm.py), not in a learner's run,
and then keeps what it loaded out of the garbage collector's full passes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

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


def test_the_start_freezes_what_is_loaded_and_later_garbage_is_still_collected_less_often(
    tmp_path: Path,
) -> None:
    probe = """
import asyncio, gc, weakref
from modules.web import lifespan
from modules.web.warm import YOUNG_COLLECTION_THRESHOLD

async def start():
    async with lifespan(None):
        frozen = gc.get_freeze_count()

        class Node:
            pass

        a, b = Node(), Node()
        a.other, b.other = b, a  # a cycle made after the start: only a collection frees it
        gone = weakref.ref(a)
        del a, b
        gc.collect()
        print(frozen > 10_000, gone() is None, gc.get_threshold()[0] == YOUNG_COLLECTION_THRESHOLD)

asyncio.run(start())
"""
    env = os.environ | {"ALLY_DATABASE_URL": f"sqlite:///{tmp_path / 'ally.db'}"}
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, env=env
    )
    assert done.stdout.split() == ["True", "True", "True"]
