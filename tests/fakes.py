"""An in-memory unit of work with the storage's rules (ownership, first write wins, all or nothing).

The contract suite in tests/contract/ runs the same cases against this fake and the SQL unit of
work, so the two cannot drift.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any

from modules.services.errors import DATABASE_DOWN, StorageUnavailable
from progress.errors import AttemptFinished, RecordNotFound
from progress.journal_repo import CheckInRecord, CommitmentRecord, ReflectionRecord
from progress.learning_repo import LearnerRecord, LearnerStanding
from progress.quiz_repo import QuizAttemptRecord
from progress.scenario_repo import (
    ScenarioAttemptRecord,
    ScenarioChoiceRecord,
    ScenarioProgress,
)
from progress.step_repo import Position, StepProgressRecord, StepRef
from progress.survey_repo import SurveyAnswerRecord
from progress.xapi_repo import OutboxEntry, XapiAccount

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


class FakeLearningRepository:
    """The learning repository's rules on plain dicts of frozen records."""

    def __init__(self, people: FakePeopleRepository) -> None:
        self.people = people  # whose browser sessions are live, for in_session
        self.steps: dict[tuple[int, StepRef, bool], StepProgressRecord] = {}
        self.positions: dict[tuple[int, str, bool], Position] = {}
        self.scenarios: dict[int, tuple[int, ScenarioAttemptRecord]] = {}
        self.quizzes: dict[int, tuple[int, QuizAttemptRecord]] = {}
        self.reflections: dict[tuple[int, StepRef, bool], ReflectionRecord] = {}
        self.commitments: dict[int, tuple[int, bool, CommitmentRecord]] = {}
        self.surveys: dict[tuple[int, StepRef, str, str, bool, str], SurveyAnswerRecord] = {}
        self._ids = 0

    def _next_id(self) -> int:
        self._ids += 1
        return self._ids

    def learner_standing(
        self, user_id: int, course_id: str, survey_module: str | None, preview: bool
    ) -> LearnerStanding:
        record = self.learner_record(user_id, course_id, survey_module, preview)
        return LearnerStanding(
            record.steps, record.position, record.commitments, record.survey_answers
        )

    def learner_record(
        self, user_id: int, course_id: str, survey_module: str | None, preview: bool
    ) -> LearnerRecord:
        def mine(step: StepRef, owner: int, is_preview: bool) -> bool:
            return owner == user_id and step.course_id == course_id and is_preview == preview

        return LearnerRecord(
            steps=[r for (u, ref, p), r in self.steps.items() if mine(ref, u, p)],
            position=self.positions.get((user_id, course_id, preview)),
            scenario_attempts=[
                a for u, a in self.scenarios.values() if mine(a.step, u, a.is_preview)
            ],
            quiz_attempts=[a for u, a in self.quizzes.values() if mine(a.step, u, a.is_preview)],
            reflections=[r for (u, ref, p), r in self.reflections.items() if mine(ref, u, p)],
            commitments=[c for u, p, c in self.commitments.values() if mine(c.step, u, p)],
            survey_answers=[
                a
                for (u, ref, _, _, p, _), a in self.surveys.items()
                if mine(ref, u, p) and ref.module_id == survey_module
            ],
        )

    def completed_steps(
        self, user_id: int, course_id: str, module_id: str, preview: bool
    ) -> set[str]:
        return self.learner_record(user_id, course_id, None, preview).completed(module_id)

    def scenario_progress(self, user_id: int, step: StepRef, preview: bool) -> ScenarioProgress:
        record = self.learner_record(user_id, step.course_id, None, preview)
        attempts = sorted(
            (a for a in record.scenario_attempts if a.step == step), key=lambda a: a.id
        )
        if not attempts:
            return ScenarioProgress(None, ())
        earlier = tuple(a.score for a in attempts[:-1] if a.score is not None)
        return ScenarioProgress(attempts[-1], earlier)

    def quiz_attempts(
        self, user_id: int, course_id: str, module_id: str, preview: bool
    ) -> list[QuizAttemptRecord]:
        record = self.learner_record(user_id, course_id, None, preview)
        return [a for a in record.quiz_attempts if a.step.module_id == module_id]

    def mark_started(self, user_id: int, step: StepRef, version: str, preview: bool) -> None:
        key = (user_id, step, preview)
        if key not in self.steps:
            self.steps[key] = StepProgressRecord(step, "started", NOW, None, version, preview)

    def mark_completed(self, user_id: int, step: StepRef, version: str, preview: bool) -> None:
        self.mark_started(user_id, step, version, preview)
        key = (user_id, step, preview)
        if self.steps[key].status != "completed":
            self.steps[key] = dataclasses.replace(
                self.steps[key], status="completed", completed_at=NOW, content_version=version
            )

    def save_position(self, user_id: int, step: StepRef, preview: bool) -> None:
        key = (user_id, step.course_id, preview)
        at = self.positions.get(key)
        if at is None or (at.module_id, at.step_id) != (step.module_id, step.step_id):
            self.positions[key] = Position(step.module_id, step.step_id, NOW)

    def start_scenario(
        self, user_id: int, step: StepRef, version: str, seed: int, preview: bool
    ) -> ScenarioAttemptRecord:
        attempt = ScenarioAttemptRecord(
            self._next_id(), user_id, step, version, seed, preview, NOW, None, None, None, ()
        )
        self.scenarios[attempt.id] = (user_id, attempt)
        return attempt

    def _scenario(self, user_id: int, attempt_id: int) -> ScenarioAttemptRecord:
        owner, attempt = self.scenarios.get(attempt_id, (None, None))
        if owner != user_id or attempt is None:
            raise RecordNotFound(f"scenario attempt {attempt_id}")
        return attempt

    def record_choice(
        self,
        user_id: int,
        attempt_id: int,
        position: int,
        node_id: str,
        choice_id: str,
        quality: str,
    ) -> ScenarioChoiceRecord:
        attempt = self._scenario(user_id, attempt_id)
        if position < len(attempt.choices):
            return attempt.choices[position]
        if attempt.finished_at is not None:
            raise AttemptFinished(f"scenario attempt {attempt_id} has ended")
        choice = ScenarioChoiceRecord(position, node_id, choice_id, quality, NOW)
        self.scenarios[attempt_id] = (
            user_id,
            dataclasses.replace(attempt, choices=(*attempt.choices, choice)),
        )
        return choice

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
        if in_session is not None and self.people.sessions.get(in_session) != user_id:
            return None
        mine = [
            a
            for owner, a in self.scenarios.values()
            if (owner, a.step, a.is_preview) == (user_id, step, preview)
        ]
        latest = max(mine, key=lambda a: a.id, default=None)
        if latest is None or latest.id != attempt_id or latest.finished_at is not None:
            return None
        if len(latest.choices) != position:
            return None
        return self.record_choice(user_id, attempt_id, position, node_id, choice_id, quality)

    def finish_scenario(
        self,
        user_id: int,
        attempt_id: int,
        ending_node_id: str,
        score: float,
        read: ScenarioAttemptRecord | None = None,  # saves a read in SQL; nothing to save here
    ) -> ScenarioAttemptRecord:
        attempt = self._scenario(user_id, attempt_id)
        if attempt.finished_at is None:
            attempt = dataclasses.replace(
                attempt, finished_at=NOW, ending_node_id=ending_node_id, score=score
            )
            self.scenarios[attempt_id] = (user_id, attempt)
        return attempt

    def start_quiz(
        self, user_id: int, step: StepRef, version: str, seed: int, preview: bool
    ) -> QuizAttemptRecord:
        attempt = QuizAttemptRecord(
            self._next_id(), user_id, step, version, seed, preview, NOW, None, None, None, None
        )
        self.quizzes[attempt.id] = (user_id, attempt)
        return attempt

    def submit_quiz(
        self,
        user_id: int,
        attempt_id: int,
        answers: Mapping[str, Sequence[str]],
        score: float,
        passed: bool,
    ) -> QuizAttemptRecord:
        owner, attempt = self.quizzes.get(attempt_id, (None, None))
        if owner != user_id or attempt is None:
            raise RecordNotFound(f"quiz attempt {attempt_id}")
        if attempt.submitted_at is None:
            stored = {q: tuple(sorted(o)) for q, o in answers.items()}
            attempt = dataclasses.replace(
                attempt, submitted_at=NOW, answers=stored, score=score, passed=passed
            )
            self.quizzes[attempt_id] = (user_id, attempt)
        return attempt

    def save_reflection(
        self, user_id: int, step: StepRef, text: str, version: str, preview: bool
    ) -> None:
        self.reflections[(user_id, step, preview)] = ReflectionRecord(step, text, version, NOW, NOW)

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
        existing = next(
            (
                cid
                for cid, (u, p, c) in self.commitments.items()
                if u == user_id and p == preview and c.step == step
            ),
            None,
        )
        cid = existing if existing is not None else self._next_id()
        checks = self.commitments[cid][2].check_ins if existing is not None else ()
        record = CommitmentRecord(cid, step, cue, action, target_date, version, NOW, NOW, checks)
        self.commitments[cid] = (user_id, preview, record)
        return record

    def check_in(
        self, user_id: int, commitment_id: int, outcome: str, note: str | None
    ) -> CommitmentRecord:
        owner, preview, record = self.commitments.get(commitment_id, (None, False, None))
        if owner != user_id or record is None:
            raise RecordNotFound(f"commitment {commitment_id}")
        today = NOW.date()
        kept = tuple(c for c in record.check_ins if c.checked_on != today)
        record = dataclasses.replace(
            record, check_ins=(*kept, CheckInRecord(today, outcome, note, NOW))
        )
        self.commitments[commitment_id] = (user_id, preview, record)
        return record

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
        for rating, values in (("now", answers), ("then", looking_back or {})):
            for item_id, value in values.items():
                key = (user_id, step, phase, item_id, preview, rating)
                self.surveys[key] = SurveyAnswerRecord(
                    step, phase, item_id, value, version, NOW, rating
                )
        answered = {
            (i, r)
            for (u, ref, ph, i, p, r) in self.surveys
            if (u, ref, ph, p) == (user_id, step, phase, preview)
        }
        wanted = {(i, "now") for i in items} | {(i, "then") for i in looking_back_items}
        return bool(items) and wanted <= answered


class FakePeopleRepository:
    def __init__(self) -> None:
        self.roles: dict[int, frozenset[str]] = {}  # accounts that exist, with their roles
        self.sessions: dict[str, int] = {}  # live browser sessions: hash -> user id

    def current_roles(self, user_id: int, session_hash: str | None) -> frozenset[str] | None:
        if user_id not in self.roles:
            return None
        if session_hash is not None and self.sessions.get(session_hash) != user_id:
            return None
        return self.roles[user_id]


class FakeXapiRepository:
    """The outbox's rules: one row per statement id; an account's rows go with it."""

    def __init__(self, people: FakePeopleRepository) -> None:
        self.people = people
        self.synthetic: set[int] = set()
        self.emails: dict[int, str] = {}
        self.rows: dict[str, tuple[int | None, OutboxEntry]] = {}  # statement id -> row
        self.sent: set[str] = set()  # what a sender has posted (tests set it)

    def account(self, user_id: int) -> XapiAccount | None:
        if user_id not in self.people.roles or user_id in self.synthetic:
            return None
        email = self.emails.get(user_id, f"learner{user_id}@example.org")
        return XapiAccount(user_id, f"opaque-{user_id:04d}", email)

    def enqueue(self, user_id: int | None, statements: Sequence[Mapping[str, Any]]) -> int:
        added = 0
        for statement in statements:
            sid = str(statement["id"])
            if sid not in self.rows:
                entry = OutboxEntry(len(self.rows) + 1, sid, dict(statement), 0)
                self.rows[sid] = (user_id, entry)
                added += 1
        return added

    def queued(self, user_id: int | None) -> list[OutboxEntry]:
        return sorted((e for u, e in self.rows.values() if u == user_id), key=lambda e: e.id)

    def reached_or_may_have(self, user_id: int) -> list[OutboxEntry]:
        return [e for e in self.queued(user_id) if e.statement_id in self.sent]

    def discard(self, user_id: int) -> int:
        mine = [sid for sid, (u, _) in self.rows.items() if u == user_id]
        for sid in mine:
            del self.rows[sid]
        return len(mine)


class FakeUnitOfWork:
    """All or nothing, as a transaction: a `with` block that raises leaves the state as it
    was before the block. `down` makes every unit of work fail as an unreachable database.
    """

    def __init__(self) -> None:
        self.people = FakePeopleRepository()
        self.learning = FakeLearningRepository(self.people)
        self.xapi = FakeXapiRepository(self.people)
        self.commits = 0
        self.down = False
        self._before: dict[str, object] = {}
        self._outbox_before: dict[str, object] = {}

    def __call__(self) -> FakeUnitOfWork:
        return self

    def __enter__(self) -> FakeUnitOfWork:
        if self.down:
            raise StorageUnavailable(DATABASE_DOWN)
        self._before = _state(self.learning)
        self._outbox_before = _state(self.xapi)
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        if kind is None:
            self.commits += 1
        else:
            vars(self.learning).update(self._before)
            vars(self.xapi).update(self._outbox_before)


def _state(repository: object) -> dict[str, object]:
    """A copy of the repository's state: its dicts hold frozen records, so copying them does."""
    return {k: dict(v) if isinstance(v, dict) else v for k, v in vars(repository).items()}
