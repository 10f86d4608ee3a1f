"""What the learning services need from storage: one protocol, a SQL adapter, plain records.

Services take a LearningStore, so unit tests pass an in-memory fake and run without a
database; `SqlLearningStore` runs each call in one short transaction of `progress`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol, TypeVar

from sqlalchemy.orm import Session, sessionmaker

from progress import journal, quizzes, scenarios, steps, surveys
from progress.journal import CommitmentRecord, ReflectionRecord
from progress.quizzes import QuizAttemptRecord
from progress.scenarios import ScenarioAttemptRecord, ScenarioChoiceRecord
from progress.steps import Position, StepProgressRecord, StepRef
from progress.surveys import SurveyAnswerRecord

__all__ = [
    "CommitmentRecord",
    "LearnerRecord",
    "LearningStore",
    "Position",
    "QuizAttemptRecord",
    "ReflectionRecord",
    "ScenarioAttemptRecord",
    "ScenarioChoiceRecord",
    "SqlLearningStore",
    "StepProgressRecord",
    "StepRef",
    "SurveyAnswerRecord",
]

T = TypeVar("T")


@dataclass(frozen=True)
class LearnerRecord:
    """Everything one learner has done in one course (preview records kept apart)."""

    steps: Sequence[StepProgressRecord]
    position: Position | None
    scenario_attempts: Sequence[ScenarioAttemptRecord]
    quiz_attempts: Sequence[QuizAttemptRecord]
    reflections: Sequence[ReflectionRecord]
    commitments: Sequence[CommitmentRecord]
    survey_answers: Sequence[SurveyAnswerRecord]

    def completed(self, module_id: str) -> set[str]:
        return {
            s.step.step_id
            for s in self.steps
            if s.step.module_id == module_id and s.status == "completed"
        }


class LearningStore(Protocol):
    def learner_record(
        self, user_id: int, course_id: str, survey_module: str | None, preview: bool
    ) -> LearnerRecord: ...

    def completed_steps(
        self, user_id: int, course_id: str, module_id: str, preview: bool
    ) -> set[str]: ...

    def scenario_attempts(
        self, user_id: int, course_id: str, module_id: str, preview: bool
    ) -> list[ScenarioAttemptRecord]: ...

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

    def finish_scenario(
        self, user_id: int, attempt_id: int, ending_node_id: str, score: float
    ) -> ScenarioAttemptRecord: ...

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
        version: str,
        preview: bool,
    ) -> None: ...


class SqlLearningStore:
    """LearningStore on `progress`: each call is one short transaction."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def _run(self, work: Callable[[Session], T]) -> T:
        with self._sessions.begin() as session:
            return work(session)

    def learner_record(
        self, user_id: int, course_id: str, survey_module: str | None, preview: bool
    ) -> LearnerRecord:
        def read(s: Session) -> LearnerRecord:
            answers = (
                surveys.survey_answers(s, user_id, course_id, survey_module, is_preview=preview)
                if survey_module
                else []
            )
            return LearnerRecord(
                steps=steps.step_progress(s, user_id, course_id, is_preview=preview),
                position=steps.last_position(s, user_id, course_id, is_preview=preview),
                scenario_attempts=scenarios.scenario_attempts(
                    s, user_id, course_id, is_preview=preview
                ),
                quiz_attempts=quizzes.quiz_attempts(s, user_id, course_id, is_preview=preview),
                reflections=journal.reflections(s, user_id, course_id, is_preview=preview),
                commitments=journal.commitments(s, user_id, course_id, is_preview=preview),
                survey_answers=answers,
            )

        return self._run(read)

    def completed_steps(
        self, user_id: int, course_id: str, module_id: str, preview: bool
    ) -> set[str]:
        rows = self._run(
            lambda s: steps.step_progress(s, user_id, course_id, module_id, is_preview=preview)
        )
        return {r.step.step_id for r in rows if r.status == "completed"}

    def scenario_attempts(
        self, user_id: int, course_id: str, module_id: str, preview: bool
    ) -> list[ScenarioAttemptRecord]:
        return self._run(
            lambda s: scenarios.scenario_attempts(
                s, user_id, course_id, module_id, is_preview=preview
            )
        )

    def quiz_attempts(
        self, user_id: int, course_id: str, module_id: str, preview: bool
    ) -> list[QuizAttemptRecord]:
        return self._run(
            lambda s: quizzes.quiz_attempts(s, user_id, course_id, module_id, is_preview=preview)
        )

    def mark_started(self, user_id: int, step: StepRef, version: str, preview: bool) -> None:
        self._run(lambda s: steps.mark_step_started(s, user_id, step, version, is_preview=preview))

    def mark_completed(self, user_id: int, step: StepRef, version: str, preview: bool) -> None:
        self._run(
            lambda s: steps.mark_step_completed(s, user_id, step, version, is_preview=preview)
        )

    def save_position(self, user_id: int, step: StepRef, preview: bool) -> None:
        self._run(lambda s: steps.save_position(s, user_id, step, is_preview=preview))

    def start_scenario(
        self, user_id: int, step: StepRef, version: str, seed: int, preview: bool
    ) -> ScenarioAttemptRecord:
        return self._run(
            lambda s: scenarios.start_scenario_attempt(
                s, user_id, step, version, seed, is_preview=preview
            )
        )

    def record_choice(
        self,
        user_id: int,
        attempt_id: int,
        position: int,
        node_id: str,
        choice_id: str,
        quality: str,
    ) -> ScenarioChoiceRecord:
        return self._run(
            lambda s: scenarios.record_choice(
                s,
                user_id,
                attempt_id,
                position,
                node_id=node_id,
                choice_id=choice_id,
                quality=quality,
            )
        )

    def finish_scenario(
        self, user_id: int, attempt_id: int, ending_node_id: str, score: float
    ) -> ScenarioAttemptRecord:
        return self._run(
            lambda s: scenarios.finish_scenario_attempt(
                s, user_id, attempt_id, ending_node_id, score
            )
        )

    def start_quiz(
        self, user_id: int, step: StepRef, version: str, seed: int, preview: bool
    ) -> QuizAttemptRecord:
        return self._run(
            lambda s: quizzes.start_quiz_attempt(
                s, user_id, step, version, seed, is_preview=preview
            )
        )

    def submit_quiz(
        self,
        user_id: int,
        attempt_id: int,
        answers: Mapping[str, Sequence[str]],
        score: float,
        passed: bool,
    ) -> QuizAttemptRecord:
        return self._run(
            lambda s: quizzes.submit_quiz_attempt(
                s, user_id, attempt_id, answers, score=score, passed=passed
            )
        )

    def save_reflection(
        self, user_id: int, step: StepRef, text: str, version: str, preview: bool
    ) -> None:
        self._run(
            lambda s: journal.save_reflection(s, user_id, step, text, version, is_preview=preview)
        )

    def save_commitment(
        self,
        user_id: int,
        step: StepRef,
        cue: str,
        action: str,
        target_date: date,
        version: str,
        preview: bool,
    ) -> CommitmentRecord:
        return self._run(
            lambda s: journal.save_commitment(
                s,
                user_id,
                step,
                cue=cue,
                action=action,
                target_date=target_date,
                content_version=version,
                is_preview=preview,
            )
        )

    def check_in(
        self, user_id: int, commitment_id: int, outcome: str, note: str | None
    ) -> CommitmentRecord:
        return self._run(lambda s: journal.check_in(s, user_id, commitment_id, outcome, note))

    def save_survey_answers(
        self,
        user_id: int,
        step: StepRef,
        phase: str,
        answers: Mapping[str, int],
        version: str,
        preview: bool,
    ) -> None:
        def save(s: Session) -> None:
            for item_id, value in answers.items():
                surveys.save_survey_answer(
                    s,
                    user_id,
                    step,
                    phase=phase,
                    item_id=item_id,
                    value=value,
                    content_version=version,
                    is_preview=preview,
                )

        self._run(save)


class RecordCache:
    """A LearningStore that remembers `learner_record` until the next other call (a write).

    Pages build one per script run, so a run reads a learner's record once, however many
    services ask for it, and still sees its own writes.
    """

    def __init__(self, store: LearningStore) -> None:
        self._store = store
        self._records: dict[tuple[int, str, str | None, bool], LearnerRecord] = {}

    def learner_record(
        self, user_id: int, course_id: str, survey_module: str | None, preview: bool
    ) -> LearnerRecord:
        key = (user_id, course_id, survey_module, preview)
        if key not in self._records:
            self._records[key] = self._store.learner_record(*key)
        return self._records[key]

    def __getattr__(self, name: str) -> Any:
        self._records.clear()
        return getattr(self._store, name)
