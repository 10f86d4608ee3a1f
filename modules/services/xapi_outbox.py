"""What goes into the xAPI outbox, always inside the unit of work of the event it reports.

The learning services call `ProgressReporter` in their own `with self.uow()` block, so a
statement exists exactly when its progress was committed; the sender (xapi_sender.py) posts
it later and the learner never waits for the LRS. `forget` is the account deletion's part.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from modules.course.completion import course_complete, module_complete
from modules.course.models import CourseContent, Step
from modules.services.uow import UnitOfWork, XapiRepository
from modules.services.xapi import StatementBuilder, voiding
from modules.settings import Settings
from progress.quiz_repo import QuizAttemptRecord
from progress.scenario_repo import ScenarioAttemptRecord
from progress.step_repo import StepRef
from progress.xapi_repo import SqlXapiRepository


def _utcnow() -> datetime:
    return datetime.now(UTC)


class ProgressReporter:
    """Turns progress into queued statements; preview records never get here."""

    def __init__(
        self,
        content: CourseContent,
        builder: StatementBuilder,
        now: Callable[[], datetime] = _utcnow,
    ) -> None:
        self.content = content
        self.builder = builder
        self.now = now

    @classmethod
    def for_settings(cls, settings: Settings, content: CourseContent) -> ProgressReporter | None:
        """A reporter when an LRS is configured; None (nothing queued) otherwise."""
        if settings.lrs is None:
            return None
        return cls(content, builder_for(settings, content))

    def step_completed(self, uow: UnitOfWork, user_id: int, ref: StepRef, step: Step) -> None:
        """The step experienced, and the module and course when this completes them."""
        if ref.module_id not in self.content.course.modules:  # the self-assessment: private
            return
        account = uow.xapi.account(user_id)
        if account is None:
            return
        at = self.now()
        statements = [self.builder.step_experienced(account, ref, step, at)]
        if self._module_done(uow, user_id, ref.module_id):
            statements.append(self.builder.module_completed(account, ref.module_id, at))
            course = self.content.course
            others = [m for m in course.modules if m != ref.module_id]
            done = [ref.module_id, *(m for m in others if self._module_done(uow, user_id, m))]
            if course_complete(course, done):  # the one rule, as certificates ask it
                statements.append(self.builder.course_completed(account, at))
        uow.xapi.enqueue(user_id, [s for s in statements if s is not None])

    def scenario_finished(
        self, uow: UnitOfWork, user_id: int, attempt: ScenarioAttemptRecord
    ) -> None:
        account = uow.xapi.account(user_id)
        if account is None or attempt.score is None:
            return
        at = attempt.finished_at or self.now()
        statement = self.builder.scenario_completed(
            account, attempt.step, attempt.id, attempt.score, at
        )
        uow.xapi.enqueue(user_id, [statement])

    def quiz_submitted(self, uow: UnitOfWork, user_id: int, attempt: QuizAttemptRecord) -> None:
        account = uow.xapi.account(user_id)
        if account is None or attempt.score is None or attempt.passed is None:
            return
        at = attempt.submitted_at or self.now()
        statement = self.builder.quiz_marked(
            account, attempt.step, attempt.id, attempt.score, attempt.passed, at
        )
        uow.xapi.enqueue(user_id, [statement])

    def _module_done(self, uow: UnitOfWork, user_id: int, module_id: str) -> bool:
        module = self.content.modules.get(module_id)
        if module is None:
            return False
        done = uow.learning.completed_steps(user_id, self.content.course.id, module_id, False)
        return module_complete(module, done)


def builder_for(settings: Settings, content: CourseContent) -> StatementBuilder:
    actor_email = settings.lrs is not None and settings.lrs.actor_email
    return StatementBuilder(settings.public_url, content.course, content.modules, actor_email)


def certificate_earned(
    target: Session | UnitOfWork,
    builder: StatementBuilder,
    user_id: int,
    certificate_id: int,
    verify_url: str | None,
    issued_at: datetime,
) -> None:
    """Queue "certificate earned" in the caller's transaction (when an LRS is configured)."""
    repository = _repository(target)
    account = repository.account(user_id)
    if account is not None:
        statement = builder.certificate_earned(account, certificate_id, verify_url, issued_at)
        repository.enqueue(user_id, [statement])


def forget(target: Session | UnitOfWork, user_id: int) -> int:
    """The account deletion's part, in the caller's transaction: his rows go, and a voiding
    statement is queued for each that is or may be in the LRS. How many were voided.

    The voiding rows belong to no account, so they are still sent after his row is gone.
    """
    repository = _repository(target)
    now = _utcnow()
    voids = [voiding(entry.statement, now) for entry in repository.reached_or_may_have(user_id)]
    repository.discard(user_id)
    repository.enqueue(None, voids)
    return len(voids)


def _repository(target: Session | UnitOfWork) -> XapiRepository:
    return SqlXapiRepository(target) if isinstance(target, Session) else target.xapi
