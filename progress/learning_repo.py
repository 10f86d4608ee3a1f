"""The learner's records in SQL: the learning repository a unit of work hands to services."""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from progress import journal_repo, quiz_repo, scenario_repo, step_repo, survey_repo
from progress.journal_repo import CommitmentRecord, ReflectionRecord
from progress.quiz_repo import QuizAttemptRecord
from progress.scenario_repo import (
    ScenarioAttemptRecord,
    ScenarioChoiceRecord,
    ScenarioProgress,
)
from progress.step_repo import Position, StepProgressRecord, StepRef
from progress.survey_repo import SurveyAnswerRecord


@dataclass(frozen=True)
class LearnerStanding:
    """Where one learner stands in one course: what the course overview is made from.

    Four small reads, whatever the number of his scenario replays and quiz attempts.
    """

    steps: Sequence[StepProgressRecord]
    position: Position | None
    commitments: Sequence[CommitmentRecord]
    survey_answers: Sequence[SurveyAnswerRecord]

    def completed(self, module_id: str) -> set[str]:
        return {
            s.step.step_id
            for s in self.steps
            if s.step.module_id == module_id and s.status == "completed"
        }


@dataclass(frozen=True)
class LearnerRecord(LearnerStanding):
    """Everything one learner has done in one course (preview records kept apart)."""

    scenario_attempts: Sequence[ScenarioAttemptRecord]
    quiz_attempts: Sequence[QuizAttemptRecord]
    reflections: Sequence[ReflectionRecord]


def _fields_of(standing: LearnerStanding) -> dict[str, Any]:
    """The standing's fields by name, not copied (dataclasses.asdict would copy every record)."""
    return {f.name: getattr(standing, f.name) for f in dataclasses.fields(LearnerStanding)}


class SqlLearningRepository:
    """The learning repository inside one SQL unit of work (its Session)."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def learner_standing(
        self, user_id: int, course_id: str, survey_module: str | None, preview: bool
    ) -> LearnerStanding:
        s = self._session
        answers = (
            survey_repo.survey_answers(s, user_id, course_id, survey_module, is_preview=preview)
            if survey_module
            else []
        )
        return LearnerStanding(
            steps=step_repo.step_progress(s, user_id, course_id, is_preview=preview),
            position=step_repo.last_position(s, user_id, course_id, is_preview=preview),
            commitments=journal_repo.commitments(s, user_id, course_id, is_preview=preview),
            survey_answers=answers,
        )

    def learner_record(
        self, user_id: int, course_id: str, survey_module: str | None, preview: bool
    ) -> LearnerRecord:
        s = self._session
        return LearnerRecord(
            **_fields_of(self.learner_standing(user_id, course_id, survey_module, preview)),
            scenario_attempts=scenario_repo.scenario_attempts(
                s, user_id, course_id, is_preview=preview
            ),
            quiz_attempts=quiz_repo.quiz_attempts(s, user_id, course_id, is_preview=preview),
            reflections=journal_repo.reflections(s, user_id, course_id, is_preview=preview),
        )

    def completed_steps(
        self, user_id: int, course_id: str, module_id: str, preview: bool
    ) -> set[str]:
        return step_repo.completed_step_ids(
            self._session, user_id, course_id, module_id, is_preview=preview
        )

    def scenario_progress(self, user_id: int, step: StepRef, preview: bool) -> ScenarioProgress:
        return scenario_repo.scenario_progress(self._session, user_id, step, is_preview=preview)

    def quiz_attempts(
        self, user_id: int, course_id: str, module_id: str, preview: bool
    ) -> list[QuizAttemptRecord]:
        return quiz_repo.quiz_attempts(
            self._session, user_id, course_id, module_id, is_preview=preview
        )

    def mark_started(self, user_id: int, step: StepRef, version: str, preview: bool) -> None:
        step_repo.mark_step_started(self._session, user_id, step, version, is_preview=preview)

    def mark_completed(self, user_id: int, step: StepRef, version: str, preview: bool) -> None:
        step_repo.mark_step_completed(self._session, user_id, step, version, is_preview=preview)

    def save_position(self, user_id: int, step: StepRef, preview: bool) -> None:
        step_repo.save_position(self._session, user_id, step, is_preview=preview)

    def start_scenario(
        self, user_id: int, step: StepRef, version: str, seed: int, preview: bool
    ) -> ScenarioAttemptRecord:
        return scenario_repo.start_scenario_attempt(
            self._session, user_id, step, version, seed, is_preview=preview
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
        return scenario_repo.record_choice(
            self._session,
            user_id,
            attempt_id,
            position,
            node_id=node_id,
            choice_id=choice_id,
            quality=quality,
        )

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
        return scenario_repo.extend_latest_path(
            self._session,
            user_id,
            step,
            attempt_id,
            position,
            node_id=node_id,
            choice_id=choice_id,
            quality=quality,
            is_preview=preview,
            in_session=in_session,
        )

    def finish_scenario(
        self,
        user_id: int,
        attempt_id: int,
        ending_node_id: str,
        score: float,
        read: ScenarioAttemptRecord | None = None,
    ) -> ScenarioAttemptRecord:
        return scenario_repo.finish_scenario_attempt(
            self._session, user_id, attempt_id, ending_node_id, score, read=read
        )

    def start_quiz(
        self, user_id: int, step: StepRef, version: str, seed: int, preview: bool
    ) -> QuizAttemptRecord:
        return quiz_repo.start_quiz_attempt(
            self._session, user_id, step, version, seed, is_preview=preview
        )

    def submit_quiz(
        self,
        user_id: int,
        attempt_id: int,
        answers: Mapping[str, Sequence[str]],
        score: float,
        passed: bool,
    ) -> QuizAttemptRecord:
        return quiz_repo.submit_quiz_attempt(
            self._session, user_id, attempt_id, answers, score=score, passed=passed
        )

    def save_reflection(
        self, user_id: int, step: StepRef, text: str, version: str, preview: bool
    ) -> None:
        journal_repo.save_reflection(
            self._session, user_id, step, text, version, is_preview=preview
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
        return journal_repo.save_commitment(
            self._session,
            user_id,
            step,
            cue=cue,
            action=action,
            target_date=target_date,
            content_version=version,
            is_preview=preview,
        )

    def check_in(
        self, user_id: int, commitment_id: int, outcome: str, note: str | None
    ) -> CommitmentRecord:
        return journal_repo.check_in(self._session, user_id, commitment_id, outcome, note)

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
        return survey_repo.save_survey_answers(
            self._session,
            user_id,
            step,
            phase=phase,
            answers=answers,
            items=items,
            content_version=version,
            is_preview=preview,
            looking_back=looking_back,
            looking_back_items=looking_back_items,
        )
