"""How a plan went at its check-in: the outcomes and their names, defined once.

Storage constrains the column to these, the learner picks one, and the debrief counts them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

Outcome = Literal["done", "partly", "not_yet"]
OUTCOMES: tuple[Outcome, ...] = ("done", "partly", "not_yet")
LABELS: Mapping[Outcome, str] = {"done": "Done", "partly": "Partly done", "not_yet": "Not yet"}
