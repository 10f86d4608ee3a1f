"""modules/web/turns.py: script runs take turns, first come first served, two at a time."""

from __future__ import annotations

import threading
import time

import pytest

from modules.web.turns import Line
from tests.child_process import printed_by


def wait_until(condition, seconds: float = 5.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("the condition never came true")
        time.sleep(0.001)


def queue_up(line: Line, names: list[str], order: list[str]) -> list[threading.Thread]:
    """Start one thread per name, each joining the line only once the one before waits in it."""
    threads = []
    for name in names:

        def take(name: str = name) -> None:
            with line.turn():
                order.append(name)

        before = line.waiting
        thread = threading.Thread(target=take)
        thread.start()
        wait_until(lambda before=before: line.waiting == before + 1)
        threads.append(thread)
    return threads


def test_no_more_than_the_slots_run_at_once() -> None:
    line = Line(2, longest_wait=10)
    inside, most = 0, 0
    count = threading.Lock()
    release = threading.Event()

    def run() -> None:
        nonlocal inside, most
        with line.turn() as held:
            assert held
            with count:
                inside += 1
                most = max(most, inside)
            release.wait(5)
            with count:
                inside -= 1

    threads = [threading.Thread(target=run) for _ in range(6)]
    for thread in threads:
        thread.start()
    wait_until(lambda: line.waiting == 4)
    assert inside == 2
    release.set()
    for thread in threads:
        thread.join(5)
    assert most == 2 and inside == 0 and line.waiting == 0


def test_waiters_are_served_in_the_order_they_came() -> None:
    line = Line(1, longest_wait=10)
    order: list[str] = []
    with line.turn():
        threads = queue_up(line, ["first", "second", "third", "fourth"], order)
    for thread in threads:
        thread.join(5)
    assert order == ["first", "second", "third", "fourth"]


def test_a_freed_slot_goes_to_the_waiter_not_to_a_newcomer() -> None:
    line = Line(1, longest_wait=10)
    order: list[str] = []
    holder = line.turn()
    holder.__enter__()
    (waiter,) = queue_up(line, ["waiter"], order)
    holder.__exit__(None, None, None)  # handed over: the waiter holds it now
    with line.turn():  # the newcomer comes after the waiter, who has it already
        order.append("newcomer")
    waiter.join(5)
    assert order == ["waiter", "newcomer"]


def test_a_run_that_waited_too_long_goes_ahead_without_a_slot() -> None:
    line = Line(1, longest_wait=0.05)
    with line.turn() as first:
        started = time.monotonic()
        with line.turn() as second:
            waited = time.monotonic() - started
        assert first and not second
        assert waited >= 0.05
        assert line.waiting == 0, "it left the line"
    with line.turn() as third:  # the slot came back once, not twice
        assert third
        with line.turn() as fourth:
            assert not fourth


def test_an_exception_gives_the_slot_back() -> None:
    line = Line(1, longest_wait=0.05)
    with pytest.raises(RuntimeError), line.turn():
        raise RuntimeError("the script failed")
    with line.turn() as held:
        assert held


def test_a_line_needs_a_slot() -> None:
    with pytest.raises(ValueError, match="at least one slot"):
        Line(0, longest_wait=1)


def test_the_app_makes_every_script_run_take_its_turn() -> None:
    # In a child process: installing changes Streamlit for the whole process. An AppTest run
    # goes through ScriptRunner._run_script too, so a held line shows whether it waited.
    probe = (
        "import threading, time\n"
        "from streamlit.runtime.scriptrunner.script_runner import ScriptRunner\n"
        "original = ScriptRunner._run_script\n"
        "import app\n"
        "from modules.web import turns\n"
        "turns.script_runs_take_turns()\n"
        "print(ScriptRunner._run_script is not original)\n"
        "from streamlit.testing.v1 import AppTest\n"
        "def hold():\n"  # both slots taken for a second, as by two long runs
        "    with turns.LINE.turn():\n"
        "        time.sleep(1.0)\n"
        "for _ in range(turns.SLOTS):\n"
        "    threading.Thread(target=hold).start()\n"
        "time.sleep(0.2)\n"
        "start = time.monotonic()\n"
        "AppTest.from_string('import streamlit as st\\nst.write(1)').run(timeout=30)\n"
        "print(time.monotonic() - start >= 0.7)\n"
    )
    assert printed_by(probe) == ["True", "True"]
