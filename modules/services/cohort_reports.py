"""What facilitators see of a cohort: the dashboard, a module's debrief, the export, reminders.

Every figure comes from aggregate queries (progress.report_repo) shaped by the pure domain
(modules.cohorts); small groups are withheld there. The anonymous figures are read from
tallies that move only in steps of at least ALLY_MIN_GROUP learners: a read first publishes
the figures that have gathered that many (progress.tally_repo.publish_ready). Reflections are
never read.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session

from modules.cohorts.dashboard import Dashboard, build_dashboard, required_steps
from modules.cohorts.debrief import Debrief, build_debrief
from modules.cohorts.export import progress_csv, progress_rows
from modules.cohorts.records import (
    NO_BASIS,
    Assignment,
    Basis,
    FirstChoiceCount,
    FirstQuizAnswerCount,
    Member,
    RetrospectiveMean,
    SelfAssessmentMean,
)
from modules.cohorts.reminders import Reminder, reminders
from modules.services.actors import Actor
from modules.services.cohorts import CohortService
from modules.services.errors import InvalidInput, NotFound
from progress import certificate_repo, cohort_repo, report_repo, tally_repo
from progress.report_repo import FigureBasisRow


class CohortReports:
    def __init__(self, service: CohortService) -> None:
        self.service = service
        self.rt = service.rt
        self.content = service.content

    def dashboard(self, actor: Actor, cohort_id: int, now: datetime | None = None) -> Dashboard:
        course_id = self.content.course.id
        survey = self.content.course.self_assessment
        with self.rt.transaction() as session:
            cohort = self.service.managed(session, actor, cohort_id)
            members = cohort_repo.members(session, cohort_id)
            status = report_repo.module_status(
                session, cohort_id, course_id, required_steps(self.content)
            )
            due = cohort_repo.assignments(session, cohort_id)
            activity = report_repo.last_activity(session, cohort_id, course_id)
            means: list[tuple[str, int, float, float]] = []
            survey_bases: list[FigureBasisRow] = []
            then: list[tuple[str, int, float, float, float]] = []
            if survey:
                self._publish(session, cohort_id, survey)
                means = report_repo.self_assessment_means(session, cohort_id, course_id, survey)
                then = report_repo.retrospective_means(session, cohort_id, course_id, survey)
                survey_bases = report_repo.figure_bases(session, cohort_id, course_id, survey)
        return build_dashboard(
            self.service.settings_of(cohort),
            self.content,
            members=[Member(m.user_id, m.email, m.display_name, m.joined_at) for m in members],
            progress=status,  # storage's rows as they come: the dashboard reads their fields
            assignments=[Assignment(a.module_id, a.due_date) for a in due],
            last_activity=activity,
            self_assessment=[SelfAssessmentMean(*row) for row in means],
            now=now or datetime.now(UTC),
            self_assessment_basis=_survey_basis(survey_bases, "self_assessment"),
            retrospective=[RetrospectiveMean(*row) for row in then],
            retrospective_basis=_survey_basis(survey_bases, "retrospective"),
        )

    def debrief(self, actor: Actor, cohort_id: int, module_id: str) -> Debrief:
        module = self.content.modules.get(module_id)
        if module is None or module_id not in self.content.course.modules:
            raise NotFound("That module is not part of the course.")
        course_id = self.content.course.id
        with self.rt.transaction() as session:
            self.service.managed(session, actor, cohort_id)
            self._publish(session, cohort_id, module_id)
            choices = report_repo.first_choice_counts(session, cohort_id, course_id, module_id)
            answers = report_repo.first_quiz_answer_counts(session, cohort_id, course_id, module_id)
            outcomes = report_repo.commitment_outcomes(session, cohort_id, course_id, module_id)
            bases = report_repo.figure_bases(session, cohort_id, course_id, module_id)
        return build_debrief(
            self.content.course,
            module,
            first_choices=[FirstChoiceCount(*row) for row in choices],
            first_quiz_answers=[FirstQuizAnswerCount(*row) for row in answers],
            commitment_outcomes=outcomes,
            bases={b.step_id: Basis(b.learners, b.as_of) for b in bases},
            threshold=self.rt.settings.min_group,
        )

    def _publish(self, session: Session, cohort_id: int, module_id: str) -> None:
        """Show what enough newly finished learners have added to the module's figures."""
        tally_repo.publish_ready(
            session, cohort_id, self.rt.settings.min_group, module_id=module_id
        )

    def export_csv(self, actor: Actor, cohort_id: int, board: Dashboard | None = None) -> bytes:
        """Per learner and module: status, dates, best quiz score, certificate; no choices.

        `board` is this cohort's dashboard as the caller just had it built for `actor` (the
        Cohorts page shows it above the download): it is not built a second time.
        """
        if board is None:
            board = self.dashboard(actor, cohort_id)
        with self.rt.transaction() as session:
            cohort = self.service.managed(session, actor, cohort_id)
            if cohort.is_sample:  # made-up learners never leave the app
                raise InvalidInput("A sample cohort has no export: its learners are made up.")
            best = report_repo.best_quiz_scores(session, cohort_id, self.content.course.id)
            learners = [learner.user_id for learner in board.learners]
            held = certificate_repo.holders(session, self.content.course.id, learners)
        rows = progress_rows(self.service.settings_of(cohort), board, best, held)
        return progress_csv(rows)

    def reminders(
        self, actor: Actor, cohort_id: int, board: Dashboard | None = None
    ) -> list[Reminder]:
        """Overdue and due-soon (ALLY_REMINDER_DAYS) learners, each message linking the module.

        `board`, as for `export_csv`: the dashboard the caller just had built (not rebuilt).
        """
        if board is None:
            board = self.dashboard(actor, cohort_id)
        else:  # the dashboard in hand is no pass: who asks is checked all the same
            self.service.get(actor, cohort_id)
        settings = self.rt.settings
        return reminders(
            board,
            sender=actor.display_name,
            course_url=settings.public_url,
            soon_days=settings.reminder_days,
        )


def _survey_basis(rows: list[FigureBasisRow], kind: str) -> Basis:
    """One basis for a self-assessment figure (usually one survey step): most learners, latest."""
    rows = [r for r in rows if r.kind == kind]
    if not rows:
        return NO_BASIS
    moments = [r.as_of for r in rows if r.as_of is not None]
    return Basis(max(r.learners for r in rows), max(moments, default=None))
