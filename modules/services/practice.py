"""Scenarios and knowledge checks: attempts that are written as they happen and resumed."""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from modules.course.completion import StepActivity
from modules.course.marking import (
    AnswerError,
    QuizResult,
    answers_shown,
    fails_until_shown,
    mark_quiz,
)
from modules.course.models import Choice, Decision, Option, Question, Quiz, Scenario
from modules.course.scenarios import ScenarioError, ScenarioState, choice_order, play, shuffled
from modules.services import authz
from modules.services.actors import Actor
from modules.services.errors import InvalidInput, NotFound
from modules.services.learning import LearningService
from modules.services.uow import UnitOfWork
from progress.errors import RecordNotFound
from progress.quiz_repo import QuizAttemptRecord
from progress.scenario_repo import ScenarioAttemptRecord, ScenarioProgress

_seeds = random.SystemRandom()


@dataclass(frozen=True)
class ScenarioView:
    """What the player shows: the attempt, where it stands, and the choices in their order."""

    scenario: Scenario
    attempt_id: int
    state: ScenarioState
    choices: tuple[Choice, ...]
    restarted: bool
    earlier_scores: tuple[float, ...]
    seed: int  # the attempt's: the order of the choices shown

    @property
    def position(self) -> int:
        """Index of the next choice in the path: a repeated submit of it records nothing new."""
        return len(self.state.path)


@dataclass(frozen=True)
class QuizView:
    quiz: Quiz
    attempt_id: int
    options: Mapping[str, tuple[Option, ...]]  # question id -> options in the order shown
    result: QuizResult | None  # None while the attempt is open
    attempts: int
    passed_before: bool
    answers_shown: bool  # the right answers and explanations: after a pass or `reveal_after` fails
    fails_until_shown: int  # failed attempts still to go before they are (0 once they are)


class Practice:
    """Scenario and quiz use cases; each public method is one unit of work."""

    def __init__(self, learning: LearningService) -> None:
        self.learning = learning
        self.uow = learning.uow

    # Scenarios

    def scenario(self, module_id: str, step_id: str) -> Scenario:
        step = self.learning.step(module_id, step_id)
        if not isinstance(step, Scenario):
            raise InvalidInput("That step is not a scenario.")
        return step

    def scenario_view(
        self, actor: Actor, module_id: str, step_id: str, preview: bool = False
    ) -> ScenarioView:
        """The latest attempt (open, or finished and showing its ending), or a new one."""
        scenario = self.scenario(module_id, step_id)
        with self.uow() as uow:
            actor = authz.learner(uow.people, actor, preview)
            progress = self._progress(uow, actor, module_id, scenario, preview)
            return self._latest(uow, actor, scenario, module_id, preview, progress)

    def open_scenario(
        self, actor: Actor, module_id: str, step_id: str, preview: bool = False
    ) -> tuple[set[str], ScenarioView]:
        """Open a scenario step: `LearningService.open_step` and `scenario_view` at once.

        The player's first run of a visit needs both: one unit of work, one check of the
        session, one commit.
        """
        scenario = self.scenario(module_id, step_id)
        with self.uow() as uow:
            actor = authz.learner(uow.people, actor, preview)
            ref = self.learning.ref(module_id, scenario.id)
            done = self.learning.open_in(uow, actor, ref, preview)
            progress = self._progress(uow, actor, module_id, scenario, preview)
            return done, self._latest(uow, actor, scenario, module_id, preview, progress)

    def _progress(
        self, uow: UnitOfWork, actor: Actor, module_id: str, scenario: Scenario, preview: bool
    ) -> ScenarioProgress:
        ref = self.learning.ref(module_id, scenario.id)
        return uow.learning.scenario_progress(actor.user_id, ref, preview)

    def _latest(
        self,
        uow: UnitOfWork,
        actor: Actor,
        scenario: Scenario,
        module_id: str,
        preview: bool,
        progress: ScenarioProgress,
    ) -> ScenarioView:
        current = progress.latest
        if current is None:
            return self._new_attempt(uow, actor, scenario, module_id, preview, (), False)
        try:
            state = play(scenario, [c.choice_id for c in current.choices])
        except ScenarioError:  # the content changed under this attempt: start again
            earlier = _scores(progress)
            return self._new_attempt(uow, actor, scenario, module_id, preview, earlier, True)
        return self._view(scenario, current, state, progress.earlier_scores, restarted=False)

    def replay(
        self, actor: Actor, module_id: str, step_id: str, preview: bool = False
    ) -> ScenarioView:
        scenario = self.scenario(module_id, step_id)
        with self.uow() as uow:
            actor = authz.learner(uow.people, actor, preview)
            earlier = _scores(self._progress(uow, actor, module_id, scenario, preview))
            return self._new_attempt(uow, actor, scenario, module_id, preview, earlier, False)

    def choose(
        self,
        actor: Actor,
        module_id: str,
        step_id: str,
        attempt_id: int,
        position: int,
        choice_id: str,
        preview: bool = False,
        *,
        shown: ScenarioView | None = None,
    ) -> ScenarioView:
        """Record the choice at `position`, and the ending and completion it leads to, at once.

        The choice, the attempt's end and the step's completion are one unit of work: a crash
        can never leave a path that ends with an attempt that never finished. A second submit
        of the same position changes nothing, and a choice made in an attempt that is no longer
        the latest (a stale tab) records nothing: both return what the latest attempt shows.

        `shown`: the view the choice was made on. When the database still has the attempt
        where that view left it, the choice is added without reading the attempt again; in a
        browser session, that one INSERT also checks the session (authz.session_checked_by_write).
        """
        scenario = self.scenario(module_id, step_id)
        with self.uow() as uow:
            at = (attempt_id, position)
            on_view = (
                shown if shown is not None and (shown.attempt_id, shown.position) == at else None
            )
            # Where the write can check his session itself, it does; else the read first.
            in_session = authz.session_checked_by_write(actor, preview) if on_view else None
            if in_session is None:
                actor = authz.learner(uow.people, actor, preview)
            if on_view is not None:
                chosen = self._extend(
                    uow, actor, module_id, scenario, on_view, choice_id, preview, in_session
                )
                if chosen is not None:
                    return chosen
                if in_session is not None:  # nothing stored: check him as every call does
                    actor = authz.learner(uow.people, actor, preview)
            progress = self._progress(uow, actor, module_id, scenario, preview)
            attempt = progress.latest
            if attempt is None:
                raise NotFound("That attempt is not yours or no longer exists.")
            path = [c.choice_id for c in attempt.choices]
            stale = attempt.id != attempt_id or position < len(path)
            if stale or attempt.finished_at is not None:
                return self._latest(uow, actor, scenario, module_id, preview, progress)
            state = play(scenario, path)
            node = state.node
            choice = (
                next((c for c in node.choices if c.id == choice_id), None)
                if isinstance(node, Decision)
                else None
            )
            if choice is None:
                raise InvalidInput(
                    "That choice is not on offer here any more. Please choose again."
                )
            try:
                stored = uow.learning.record_choice(
                    actor.user_id, attempt_id, position, node.id, choice.id, choice.quality
                )
            except RecordNotFound:
                raise NotFound("That attempt is not yours or no longer exists.") from None
            attempt = dataclasses.replace(attempt, choices=(*attempt.choices, stored))
            path = [c.choice_id for c in attempt.choices]
            state = play(scenario, path)
            if state.ending is not None:
                attempt = self._finish(uow, actor, module_id, scenario, attempt, state, preview)
            return self._view(scenario, attempt, state, progress.earlier_scores, False)

    def _extend(
        self,
        uow: UnitOfWork,
        actor: Actor,
        module_id: str,
        scenario: Scenario,
        shown: ScenarioView,
        choice_id: str,
        preview: bool,
        in_session: str | None,
    ) -> ScenarioView | None:
        """`choose` from the view shown, stored only if the attempt still stands there (and,
        with `in_session`, while that browser session of his is live).

        None, with nothing stored, sends the choice to the checks and rules that read.
        """
        if shown.scenario is not scenario:  # the course was edited since: read it again
            return None
        node = shown.state.node
        if not isinstance(node, Decision):
            return None
        choice = next((c for c in node.choices if c.id == choice_id), None)
        if choice is None:
            return None
        ref = self.learning.ref(module_id, scenario.id)
        stored = uow.learning.extend_latest_path(
            actor.user_id,
            ref,
            preview,
            shown.attempt_id,
            shown.position,
            node.id,
            choice.id,
            choice.quality,
            in_session,
        )
        if stored is None:
            return None
        state = play(scenario, [*(taken.choice.id for taken in shown.state.path), choice.id])
        if isinstance(state.node, Decision):
            choices = choice_order(scenario, state.node, str(shown.seed))
            return dataclasses.replace(shown, state=state, choices=choices, restarted=False)
        # The ending's records (the cohort's tally, the xAPI statement) take the whole attempt.
        attempt = self._progress(uow, actor, module_id, scenario, preview).latest
        assert attempt is not None and attempt.id == shown.attempt_id  # extended just now
        attempt = self._finish(uow, actor, module_id, scenario, attempt, state, preview)
        return self._view(scenario, attempt, state, shown.earlier_scores, False)

    def _finish(
        self,
        uow: UnitOfWork,
        actor: Actor,
        module_id: str,
        scenario: Scenario,
        attempt: ScenarioAttemptRecord,
        state: ScenarioState,
        preview: bool,
    ) -> ScenarioAttemptRecord:
        """The attempt ended at `state`: its end, the cohort's tally, the step's completion."""
        assert state.ending is not None
        finished = uow.learning.finish_scenario(
            actor.user_id, attempt.id, state.ending.id, state.score or 0.0, read=attempt
        )
        if (reporter := self.learning.reporter_for(preview)) is not None:
            reporter.scenario_finished(uow, actor.user_id, finished)
        path = [c.choice_id for c in finished.choices]
        activity = StepActivity(scenario_attempts=[path])
        self.learning.complete_if_done(uow, actor, module_id, scenario, activity, preview)
        return finished

    def _new_attempt(
        self,
        uow: UnitOfWork,
        actor: Actor,
        scenario: Scenario,
        module_id: str,
        preview: bool,
        earlier_scores: tuple[float, ...],
        restarted: bool,
    ) -> ScenarioView:
        ref = self.learning.ref(module_id, scenario.id)
        version = self.learning.version(module_id)
        attempt = uow.learning.start_scenario(
            actor.user_id, ref, version, _seeds.randrange(2**31), preview
        )
        state = play(scenario, [])
        return self._view(scenario, attempt, state, earlier_scores, restarted)

    @staticmethod
    def _view(
        scenario: Scenario,
        attempt: ScenarioAttemptRecord,
        state: ScenarioState,
        earlier_scores: tuple[float, ...],
        restarted: bool,
    ) -> ScenarioView:
        node = state.node
        choices = (
            choice_order(scenario, node, str(attempt.seed)) if isinstance(node, Decision) else ()
        )
        return ScenarioView(
            scenario, attempt.id, state, choices, restarted, earlier_scores, attempt.seed
        )

    # Knowledge checks

    def quiz(self, module_id: str, step_id: str) -> Quiz:
        step = self.learning.step(module_id, step_id)
        if not isinstance(step, Quiz):
            raise InvalidInput("That step is not a knowledge check.")
        return step

    def quiz_view(
        self, actor: Actor, module_id: str, step_id: str, preview: bool = False
    ) -> QuizView:
        """The latest attempt (open, or submitted with its result), or a new one."""
        quiz = self.quiz(module_id, step_id)
        with self.uow() as uow:
            actor = authz.learner(uow.people, actor, preview)
            attempts = self._quiz_attempts(uow, actor, module_id, step_id, preview)
            current = (
                attempts[-1]
                if attempts
                else self._new_quiz(uow, actor, module_id, step_id, preview)
            )
            return self._quiz_view(quiz, current, attempts)

    def retry_quiz(
        self, actor: Actor, module_id: str, step_id: str, preview: bool = False
    ) -> QuizView:
        """A fresh attempt (or the open one, when a retry was already started)."""
        quiz = self.quiz(module_id, step_id)
        with self.uow() as uow:
            actor = authz.learner(uow.people, actor, preview)
            attempts = self._quiz_attempts(uow, actor, module_id, step_id, preview)
            current = attempts[-1] if attempts and attempts[-1].submitted_at is None else None
            current = current or self._new_quiz(uow, actor, module_id, step_id, preview)
            return self._quiz_view(quiz, current, attempts)

    def _new_quiz(
        self, uow: UnitOfWork, actor: Actor, module_id: str, step_id: str, preview: bool
    ) -> QuizAttemptRecord:
        ref = self.learning.ref(module_id, step_id)
        version = self.learning.version(module_id)
        seed = _seeds.randrange(2**31)
        return uow.learning.start_quiz(actor.user_id, ref, version, seed, preview)

    def submit_quiz(
        self,
        actor: Actor,
        module_id: str,
        step_id: str,
        attempt_id: int,
        answers: Mapping[str, Collection[str]],
        preview: bool = False,
    ) -> QuizView:
        """Mark and store the answers, and complete the step when they pass, at once.

        A second submit of the same attempt keeps the first.
        """
        quiz = self.quiz(module_id, step_id)
        unanswered = [q for q in quiz.questions if not answers.get(q.id)]
        if unanswered:
            raise InvalidInput(f"Answer every question first ({len(unanswered)} left).")
        try:
            result = mark_quiz(quiz, answers)
        except AnswerError:
            raise InvalidInput(
                "Those answers do not fit this check any more. Please answer again."
            ) from None
        with self.uow() as uow:
            actor = authz.learner(uow.people, actor, preview)
            try:
                stored = uow.learning.submit_quiz(
                    actor.user_id,
                    attempt_id,
                    {k: sorted(v) for k, v in answers.items()},
                    result.score,
                    result.passed,
                )
            except RecordNotFound:
                raise NotFound("That attempt is not yours or no longer exists.") from None
            if (reporter := self.learning.reporter_for(preview)) is not None:
                reporter.quiz_submitted(uow, actor.user_id, stored)
            if stored.answers is not None:
                activity = StepActivity(quiz_attempts=[stored.answers])
                self.learning.complete_if_done(uow, actor, module_id, quiz, activity, preview)
            attempts = [
                stored if a.id == stored.id else a
                for a in self._quiz_attempts(uow, actor, module_id, step_id, preview)
            ]
            return self._quiz_view(quiz, stored, attempts)

    def _quiz_attempts(
        self, uow: UnitOfWork, actor: Actor, module_id: str, step_id: str, preview: bool
    ) -> list[QuizAttemptRecord]:
        found = uow.learning.quiz_attempts(
            actor.user_id, self.learning.course.id, module_id, preview
        )
        return [a for a in found if a.step.step_id == step_id]

    @staticmethod
    def _quiz_view(
        quiz: Quiz, attempt: QuizAttemptRecord, attempts: list[QuizAttemptRecord]
    ) -> QuizView:
        result = None
        if attempt.answers is not None:
            try:
                result = mark_quiz(quiz, attempt.answers)
            except AnswerError:  # recorded against older content
                result = None
        options = {q.id: _option_order(quiz, q, attempt.seed) for q in quiz.questions}
        submitted = [a for a in attempts if a.submitted_at is not None]
        passed = [bool(a.passed) for a in submitted]
        return QuizView(
            quiz,
            attempt.id,
            options,
            result,
            len(submitted),
            passed_before=any(passed),
            answers_shown=answers_shown(quiz, passed),
            fails_until_shown=fails_until_shown(quiz, passed),
        )


def _scores(progress: ScenarioProgress) -> tuple[float, ...]:
    """Every finished attempt's score, the latest's included: what a new attempt follows."""
    latest = progress.latest
    last = () if latest is None or latest.score is None else (latest.score,)
    return progress.earlier_scores + last


def _option_order(quiz: Quiz, question: Question, seed: int) -> tuple[Option, ...]:
    return shuffled(question.options, f"{seed}:{quiz.id}:{question.id}", quiz.shuffle)
