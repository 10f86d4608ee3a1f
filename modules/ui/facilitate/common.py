"""What every cohort tab gets: the facilitator, the cohort, the services."""

from __future__ import annotations

from dataclasses import dataclass

from modules.course.citations import Bibliography
from modules.course.models import CourseContent
from modules.services.actors import Actor
from modules.services.cohort_reports import CohortReports
from modules.services.cohorts import CohortService
from progress.cohorts import CohortRecord


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
        module = self.content.modules.get(module_id)
        return module.title if module else module_id
