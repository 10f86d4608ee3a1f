"""The parts of the Cohorts page, one per tab: each reads input, calls a service, renders.

Five tabs with one-word labels, so that they all fit on a 390 px phone screen.
"""

TABS = ("Dashboard", "Debrief", "People", "Assignments", "Settings")
