"""Script runs take turns: at most two run at once in a process, the others wait in line.

Streamlit runs each session's script in a thread of its own. A hundred learners clicking in
the same second made a hundred threads share one interpreter lock, which Python hands over
in no particular order: some runs waited many times longer than others, and each handover
cost time too (bench/load.py, N=100 on SQLite: choose p95 2,368 ms, 16.9 ms of CPU an
interaction). In line, first come first served, the same load gave choose p95 1,177 ms and
12.8 ms an interaction. Two at a time rather than one, so that a slow run (a facilitator's
export, a database round trip) does not hold everybody up on its own.

A run waits at most `LONGEST_WAIT` seconds for its turn and then goes ahead anyway: the line
orders the work, it never stops it. A rerun the script asks for (`st.rerun`) keeps its turn,
because Streamlit makes it inside the same `ScriptRunner._run_script` call.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from streamlit.runtime.scriptrunner.script_runner import ScriptRunner

from modules.web.once import once_per_process

SLOTS = 2
LONGEST_WAIT = 5.0  # seconds


class Line:
    """A first-come, first-served limit of `slots` holders at once.

    A freed slot passes straight to the longest waiter, so a thread arriving at that moment
    cannot take it first (threading.Semaphore lets it: a waiter could lose its turn again
    and again). A waiter that gives up after `longest_wait` seconds runs without a slot.
    """

    def __init__(self, slots: int, longest_wait: float) -> None:
        if slots < 1:
            raise ValueError(f"a line needs at least one slot, got {slots}")
        self._free = slots
        self._longest_wait = longest_wait
        self._lock = threading.Lock()
        self._waiting: deque[threading.Lock] = deque()

    @contextmanager
    def turn(self) -> Iterator[bool]:
        """Hold a slot for the block; yields False when the wait ran out and it runs without."""
        held = self._take()
        try:
            yield held
        finally:
            if held:
                self._give_back()

    @property
    def waiting(self) -> int:
        return len(self._waiting)

    def _take(self) -> bool:
        with self._lock:
            if self._free and not self._waiting:
                self._free -= 1
                return True
            ticket = threading.Lock()
            ticket.acquire()
            self._waiting.append(ticket)
        if ticket.acquire(timeout=self._longest_wait):
            return True  # handed over by _give_back: the slot is ours
        with self._lock:
            if ticket in self._waiting:  # still in line: leave it
                self._waiting.remove(ticket)
                return False
        ticket.acquire()  # handed over just as the wait ran out: it is ours after all
        return True

    def _give_back(self) -> None:
        with self._lock:
            if self._waiting:
                self._waiting.popleft().release()
            else:
                self._free += 1


LINE = Line(SLOTS, LONGEST_WAIT)  # the process's one line


@once_per_process
def script_runs_take_turns() -> None:
    """Make every script run of this process (fragment runs too) wait its turn in LINE."""
    original = ScriptRunner._run_script

    def run_in_turn(self: ScriptRunner, rerun_data: Any) -> None:
        with LINE.turn():
            original(self, rerun_data)

    ScriptRunner._run_script = run_in_turn  # type: ignore[method-assign]
