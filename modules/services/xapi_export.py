"""`python -m progress xapi export`: every learner's statements as JSON lines, from the records.

Built from the progress records themselves, not from the outbox, so it works on a site that
never configured an LRS and covers what happened before one was. Each statement has the id
the outbox gives it, so a site that sends and exports gets no duplicates in its LRS.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TextIO

from sqlalchemy import select

from modules.course.certificate import course_completed_at
from modules.course.completion import module_complete, required_steps
from modules.course.models import CourseContent, Module, Step
from modules.services.certificate_pdf import verification_url
from modules.services.runtime import Runtime
from modules.services.xapi import Statement, StatementBuilder
from modules.services.xapi_outbox import builder_for
from progress import certificate_repo
from progress.account_repo import REAL_ACCOUNT
from progress.learning_repo import LearnerRecord, SqlLearningRepository
from progress.step_repo import StepProgressRecord
from progress.tables import UserRow
from progress.xapi_repo import SqlXapiRepository, XapiAccount


@dataclass(frozen=True)
class Certificate:
    id: int
    verify_url: str
    issued_at: datetime


def parse_since(text: str) -> datetime:
    """A date (midnight UTC) or an ISO date and time (UTC when it names no zone)."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"--since must be a date such as 2026-01-31, got {text!r}") from None
    if len(text.strip()) == 10:
        moment = datetime.combine(date.fromisoformat(text.strip()), datetime.min.time())
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def export_statements(rt: Runtime, content: CourseContent, since: datetime, out: TextIO) -> int:
    """Write every statement timed at or after `since`, one JSON object a line; how many."""
    builder = builder_for(rt.settings, content)
    written = 0
    with rt.transaction() as session:  # one consistent read of every account
        learning, xapi = SqlLearningRepository(session), SqlXapiRepository(session)
        for user_id in session.scalars(select(UserRow.id).where(REAL_ACCOUNT).order_by(UserRow.id)):
            account = xapi.account(user_id)
            if account is None:
                continue
            record = learning.learner_record(user_id, content.course.id, None, preview=False)
            found = certificate_repo.certificate_of(session, user_id, content.course.id)
            certificate = None
            if found is not None and found.revoked_at is None:
                url = verification_url(rt.settings.public_url, found.code)
                certificate = Certificate(found.id, url, found.issued_at)
            for statement in statements_of(builder, content, account, record, certificate):
                if datetime.fromisoformat(statement["timestamp"]) >= since:
                    out.write(json.dumps(statement, sort_keys=True) + "\n")
                    written += 1
    return written


def statements_of(
    builder: StatementBuilder,
    content: CourseContent,
    account: XapiAccount,
    record: LearnerRecord,
    certificate: Certificate | None = None,
) -> list[Statement]:
    """The statements one learner's records make, oldest first (pure)."""
    listed = set(content.course.modules)
    statements: list[Statement] = []
    completed = [s for s in record.steps if s.completed_at is not None]
    for progress in completed:
        step = _step(content, progress)
        if step is not None and progress.completed_at is not None:
            made = builder.step_experienced(account, progress.step, step, progress.completed_at)
            statements += [made] if made else []
    for attempt in record.scenario_attempts:
        if attempt.step.module_id in listed and attempt.finished_at and attempt.score is not None:
            statements.append(
                builder.scenario_completed(
                    account, attempt.step, attempt.id, attempt.score, attempt.finished_at
                )
            )
    for quiz in record.quiz_attempts:
        if quiz.step.module_id in listed and quiz.submitted_at and quiz.score is not None:
            statements.append(
                builder.quiz_marked(
                    account, quiz.step, quiz.id, quiz.score, bool(quiz.passed), quiz.submitted_at
                )
            )
    statements += _completions(builder, content, account, completed)
    if certificate is not None:
        statements.append(
            builder.certificate_earned(
                account, certificate.id, certificate.verify_url, certificate.issued_at
            )
        )
    return sorted(statements, key=lambda s: str(s["timestamp"]))


def _step(content: CourseContent, progress: StepProgressRecord) -> Step | None:
    if progress.step.module_id not in content.course.modules:
        return None
    module = content.modules.get(progress.step.module_id)
    return module.step(progress.step.step_id) if module else None


def _completions(
    builder: StatementBuilder,
    content: CourseContent,
    account: XapiAccount,
    completed: list[StepProgressRecord],
) -> Iterator[Statement]:
    times = {
        (s.step.module_id, s.step.step_id): s.completed_at
        for s in completed
        if s.completed_at is not None
    }
    for module in content.listed_modules:
        at = _module_completed_at(module, times)
        if at is not None:
            yield builder.module_completed(account, module.id, at)
    course_at = course_completed_at(content, times)
    if course_at is not None:
        yield builder.course_completed(account, course_at)


def _module_completed_at(module: Module, times: dict[tuple[str, str], datetime]) -> datetime | None:
    done = {step for (mod, step) in times if mod == module.id}
    if not done or not module_complete(module, done):
        return None
    required = required_steps(module) or frozenset(done)
    return max(times[module.id, step] for step in required)
