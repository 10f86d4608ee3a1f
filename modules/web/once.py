"""Changes to Streamlit made once per process (app.py calls them before any session starts)."""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable


def once_per_process(install: Callable[[], None]) -> Callable[[], None]:
    """`install` runs on the first call only, under a lock; later calls do nothing."""
    lock = threading.Lock()
    done = False

    @functools.wraps(install)
    def install_once() -> None:
        nonlocal done
        with lock:
            if not done:
                install()
                done = True

    return install_once
