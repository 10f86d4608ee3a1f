"""The unit of work services are given: one transaction per use case (cosmicpython, ch. 6).

A service method that changes anything runs `with self.uow() as uow:` once: the block's end
commits, an exception rolls everything back, and a database that cannot be reached leaves as
`StorageUnavailable`. Production passes `SqlUnitOfWork` below; unit tests pass
the fake in tests/fakes.py, and one contract suite (tests/contract/) holds both to the same
behaviour.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date
from types import TracebackType
from typing import Any, Protocol, Self

from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from modules.services.errors import DATABASE_DOWN, StorageUnavailable
from progress.journal_repo import CommitmentRecord
from progress.learning_repo import LearnerRecord, LearnerStanding, SqlLearningRepository
from progress.people_repo import SqlPeopleRepository
from progress.quiz_repo import QuizAttemptRecord
from progress.scenario_repo import (
    ScenarioAttemptRecord,
    ScenarioChoiceRecord,
    ScenarioProgress,
)
from progress.step_repo import StepRef
from progress.xapi_repo import OutboxEntry, SqlXapiRepository, XapiAccount


class LearningRepository(Protocol):
    """A learner's records, inside one unit of work: SQL in production, a fake in tests."""

    def learner_standing(
        self, user_id: int, course_id: str, survey_module: str | None, preview: bool
    ) -> LearnerStanding: ...

    def learner_record(
        self, user_id: int, course_id: str, survey_module: str | None, preview: bool
    ) -> LearnerRecord: ...

    def completed_steps(
        self, user_id: int, course_id: str, module_id: str, preview: bool
    ) -> set[str]: ...

    def scenario_progress(self, user_id: int, step: StepRef, preview: bool) -> ScenarioProgress: ...

    def quiz_attempts(
        self, user_id: int, course_id: str, module_id: str, preview: bool
    ) -> list[QuizAttemptRecord]: ...

    def mark_started(self, user_id: int, step: StepRef, version: str, preview: bool) -> None: ...

    def mark_completed(self, user_id: int, step: StepRef, version: str, preview: bool) -> None: ...

    def save_position(self, user_id: int, step: StepRef, preview: bool) -> None: ...

    def start_scenario(
        self, user_id: int, step: StepRef, version: str, seed: int, preview: bool
    ) -> ScenarioAttemptRecord: ...

    def record_choice(
        self,
        user_id: int,
        attempt_id: int,
        position: int,
        node_id: str,
        choice_id: str,
        quality: str,
    ) -> ScenarioChoiceRecord: ...

    def extend_latest_path(
        self,
        user_id: int,
        step: StepRef,
        preview: bool,
        attempt_id: int,
        position: int,
        node_id: str,
        choice_id: str,
        quality: str,
        in_session: str | None = None,
    ) -> ScenarioChoiceRecord | None:
        """The choice, stored when the attempt is his latest of `step`, open, `position` long,
        and, with `in_session` (a session's hash), while that browser session of his is live."""
        ...

    def finish_scenario(
        self,
        user_id: int,
        attempt_id: int,
        ending_node_id: str,
        score: float,
        read: ScenarioAttemptRecord | None = None,
    ) -> ScenarioAttemptRecord:
        """`read`: the attempt as this unit of work read it, its path whole (no second read)."""
        ...

    def start_quiz(
        self, user_id: int, step: StepRef, version: str, seed: int, preview: bool
    ) -> QuizAttemptRecord: ...

    def submit_quiz(
        self,
        user_id: int,
        attempt_id: int,
        answers: Mapping[str, Sequence[str]],
        score: float,
        passed: bool,
    ) -> QuizAttemptRecord: ...

    def save_reflection(
        self, user_id: int, step: StepRef, text: str, version: str, preview: bool
    ) -> None: ...

    def save_commitment(
        self,
        user_id: int,
        step: StepRef,
        cue: str,
        action: str,
        target_date: date,
        version: str,
        preview: bool,
    ) -> CommitmentRecord: ...

    def check_in(
        self, user_id: int, commitment_id: int, outcome: str, note: str | None
    ) -> CommitmentRecord: ...

    def save_survey_answers(
        self,
        user_id: int,
        step: StepRef,
        phase: str,
        answers: Mapping[str, int],
        items: Collection[str],
        version: str,
        preview: bool,
        looking_back: Mapping[str, int] | None = None,
        looking_back_items: Collection[str] = (),
    ) -> bool:
        """Store a phase's ratings (`looking_back`: "then" ratings); True once it is complete.

        Complete: every one of `items` has a "now" rating in the phase, and every one of
        `looking_back_items` a "then" rating.
        """
        ...


class PeopleRepository(Protocol):
    def current_roles(self, user_id: int, session_hash: str | None) -> frozenset[str] | None:
        """The account's roles now; None when it is gone or its browser session ended."""
        ...


class XapiRepository(Protocol):
    """The xAPI outbox inside one unit of work (modules/services/xapi_outbox.py fills it)."""

    def account(self, user_id: int) -> XapiAccount | None:
        """The account's xAPI identity; None when it is gone or never reported (synthetic)."""
        ...

    def enqueue(self, user_id: int | None, statements: Sequence[Mapping[str, Any]]) -> int:
        """Queue the statements whose id is not queued yet; how many were new."""
        ...

    def queued(self, user_id: int | None) -> list[OutboxEntry]: ...

    def reached_or_may_have(self, user_id: int) -> list[OutboxEntry]:
        """Rows that are or may be in the LRS: sent, tried before, or being sent now."""
        ...

    def discard(self, user_id: int) -> int: ...


class UnitOfWork(Protocol):
    learning: LearningRepository
    people: PeopleRepository
    xapi: XapiRepository

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None: ...


UnitOfWorkFactory = Callable[[], UnitOfWork]


class SqlUnitOfWork:
    """The production unit of work: one Session, one transaction."""

    learning: LearningRepository
    people: PeopleRepository
    xapi: XapiRepository

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions
        self._session: Session | None = None

    @property
    def session(self) -> Session:
        if self._session is None:
            raise RuntimeError("the unit of work is used outside its `with` block")
        return self._session

    def __enter__(self) -> SqlUnitOfWork:
        self._session = self._sessions()
        self._session.begin()
        self.learning = SqlLearningRepository(self._session)
        self.people = SqlPeopleRepository(self._session)
        self.xapi = SqlXapiRepository(self._session)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        session = self.session
        self._session = None
        try:
            if kind is None:
                session.commit()
            else:
                session.rollback()
        except DBAPIError as failure:
            raise StorageUnavailable(DATABASE_DOWN) from failure
        finally:
            session.close()
        if isinstance(error, DBAPIError):
            raise StorageUnavailable(DATABASE_DOWN) from error


@contextmanager
def transaction(sessions: sessionmaker[Session]) -> Iterator[Session]:
    """The Session of one SQL unit of work, for services whose repositories take it."""
    with SqlUnitOfWork(sessions) as uow:
        yield uow.session
