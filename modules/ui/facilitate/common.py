"""What every cohort tab gets: the facilitator, the cohort, the services."""

from __future__ import annotations

from dataclasses import dataclass

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

    @property
    def bibliography(self) -> Bibliography:
        return Bibliography(self.content.course.sources)

    def module_title(self, module_id: str) -> str:
        """A module's title for plain-text places: select boxes, table cells and headers."""
        module = self.content.modules.get(module_id)
        return option(module.title if module else module_id)
