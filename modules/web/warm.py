"""What a process loads before it takes its first browser, so that no learner waits for it.

The first table or chart after a start imported pandas and pyarrow inside that learner's run:
~3 s (bench/load.py: My progress). The pages need them (st.dataframe, st.bar_chart), so the
process pays once, at start, before it answers its health check. Then it freezes what it has
loaded, so that the garbage collector's full passes no longer walk it.
"""

from __future__ import annotations

import gc
import importlib
import logging
import time

log = logging.getLogger("ally")
# Measured with a hundred learners on two replicas (bench/load.py, PostgreSQL), in one replica:
# with Python's 700, 1,272 young, 115 middle and 11 full collections took 0.33 + 0.27 + 1.30 s
# of 49 s of CPU, each full one ~115 ms holding the GIL; with 7,000, 308, 28 and 3 took
# 0.30 + 0.68 + 0.36 s. Cycles made by a run are still collected within a few runs.
YOUNG_COLLECTION_THRESHOLD = 7_000
HEAVY = ("pandas", "pyarrow", "streamlit.elements.arrow", "streamlit.elements.vega_charts")


def warm_up(modules: tuple[str, ...] = HEAVY) -> float:
    """Import `modules` now; the seconds it took (a missing one is logged, never fatal)."""
    started = time.perf_counter()
    for name in modules:
        try:
            importlib.import_module(name)
        except ImportError:
            log.warning("could not load %s at start: the first page that needs it will", name)
    return time.perf_counter() - started


def freeze_what_is_loaded() -> None:
    """Keep what the process has loaded so far out of the garbage collector's full passes.

    Streamlit, SQLAlchemy, pandas and the parsed course are ~210,000 objects that live as
    long as the process; each full collection walked them all, holding the GIL (~185 ms
    with one learner). Frozen, they are never walked again; what later runs create is
    collected as before. With a hundred learners (bench/load.py, SQLite) the full
    collections took 2.6 s of the run (12, ~215 ms each) before, 1.3 s (13, ~100 ms) after.

    Then young collections wait for `YOUNG_COLLECTION_THRESHOLD` new objects instead of
    Python's 700, so that the older generations, and the full passes over what sessions
    keep, come round that much less often.
    """
    gc.collect()
    gc.freeze()
    _, middle, oldest = gc.get_threshold()
    gc.set_threshold(YOUNG_COLLECTION_THRESHOLD, middle, oldest)
