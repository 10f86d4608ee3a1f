"""The parts of the Cohorts page, one per tab: each reads input, calls a service, renders."""
