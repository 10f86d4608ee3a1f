"""What every cohort tab gets: the facilitator, the cohort, the services."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from modules.cohorts.dashboard import Dashboard
from modules.course.citations import Bibliography
from modules.course.models import CourseContent
from modules.services.actors import Actor
from modules.services.cohort_reports import CohortReports
from modules.services.cohorts import CohortRecord, CohortService
from modules.ui.render import option


@dataclass(frozen=True)
class CohortTab:
    actor: Actor
    cohort: CohortRecord
    service: CohortService
    reports: CohortReports
    content: CourseContent

    @cached_property
    def board(self) -> Dashboard:
        """The cohort's dashboard, built once a run for the Dashboard tab, its export and the
        reminders. Every write on the Cohorts page reruns it, so no tab shows a board older
        than the writes of its own run."""
        return self.reports.dashboard(self.actor, self.cohort.id)

    @property
    def bibliography(self) -> Bibliography:
        return Bibliography(self.content.course.sources)

    def module_title(self, module_id: str) -> str:
        """A module's title for plain-text places: select boxes, table cells and headers."""
        module = self.content.modules.get(module_id)
        return option(module.title if module else module_id)
