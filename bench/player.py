"""Benchmark: a module-player interaction against the same interaction on a trivial page.

    python bench/player.py

Both run in AppTest in one process. The player runs on a real SQLite file, as in production:
each interaction chooses a scenario option (written to the database) and renders the next
node. Ends with `player rerun: <ratio>x trivial` (goal: at most 2x), the ratio of medians.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ROUNDS = 60
WARMUP = 5
TRIVIAL = """
import streamlit as st
choice = st.radio("What do you do?", ["a", "b", "c"], index=None)
if st.button("Choose"):
    st.write(f"You chose {choice}")
"""


def time_trivial() -> list[float]:
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_string(TRIVIAL, default_timeout=30)
    at.run()
    timings = []
    for index in range(ROUNDS + WARMUP):
        at.main.radio[0].set_value("abc"[index % 3])
        at.button[0].click()
        started = time.perf_counter()
        at.run()
        timings.append(time.perf_counter() - started)
    return timings[WARMUP:]


def time_player(tmp: Path) -> list[float]:
    os.environ["ALLY_DATABASE_URL"] = f"sqlite:///{tmp / 'bench.db'}"
    os.environ["ALLY_CONTENT_DIR"] = str(ROOT / "tests" / "data" / "valid")
    from streamlit.testing.v1 import AppTest

    from modules.services.actors import Actor
    from modules.services.runtime import runtime
    from progress.account_repo import create_user

    with runtime().sessions.begin() as session:
        user = create_user(session, "bench@example.org", "Bench", None)
    at = AppTest.from_file(str(ROOT / "modules" / "ui" / "main.py"), default_timeout=30)
    at.session_state["ally_actor"] = Actor(user.id, user.display_name, frozenset(user.roles))
    at.query_params["module"] = "sample"
    at.query_params["step"] = "rounds"
    at.switch_page("pages/player.py")
    at.run()
    path = ["explain", "reopen", "plan", "follow"]  # a loop-free walk to the best ending
    timings = []
    while len(timings) < ROUNDS + WARMUP:
        for choice in path:
            at.main.radio[0].set_value(choice)
            next(b for b in at.button if b.label == "Choose").click()
            started = time.perf_counter()
            at.run()
            timings.append(time.perf_counter() - started)
            assert not at.exception, at.exception
        next(b for b in at.button if b.label == "Play it again").click()
        at.run()
    return timings[WARMUP : ROUNDS + WARMUP]


def time_static_page() -> list[float]:
    """Reruns of a page that only shows fixed text, in the app's own navigation: the floor."""
    from streamlit.testing.v1 import AppTest

    from modules.services.actors import Actor

    at = AppTest.from_file(str(ROOT / "modules" / "ui" / "main.py"), default_timeout=30)
    at.session_state["ally_actor"] = Actor(1, "Bench", frozenset({"learner"}))
    at.switch_page("pages/privacy.py")
    at.run()
    timings = []
    for _ in range(ROUNDS + WARMUP):
        started = time.perf_counter()
        at.run()
        timings.append(time.perf_counter() - started)
    return timings[WARMUP:]


def main() -> None:
    trivial = time_trivial()
    with tempfile.TemporaryDirectory() as tmp:
        player = time_player(Path(tmp))
        static = time_static_page()
    trivial_ms = statistics.median(trivial) * 1000
    player_ms = statistics.median(player) * 1000
    print(
        f"trivial page (radio + button), {len(trivial)} reruns: median {trivial_ms:.1f} ms, "
        f"p90 {statistics.quantiles(trivial, n=10)[-1] * 1000:.1f} ms"
    )
    static_ms = statistics.median(static) * 1000
    print(
        f"static page in the app's navigation (no database), {len(static)} reruns: median "
        f"{static_ms:.1f} ms ({static_ms / trivial_ms:.2f}x trivial): the floor of any page"
    )
    print(
        f"module player (choose a scenario option), {len(player)} reruns: median "
        f"{player_ms:.1f} ms, p90 {statistics.quantiles(player, n=10)[-1] * 1000:.1f} ms"
    )
    print(f"player rerun: {player_ms / trivial_ms:.2f}x trivial")


if __name__ == "__main__":
    main()
