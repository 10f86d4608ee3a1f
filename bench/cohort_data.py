"""Synthetic learner records for bench/dashboard.py, shaped by the shipped course's ids.

Each learner works through the first few modules in course order (the last one perhaps half
done), replays some scenarios and quizzes, checks in on commitments and rates the
self-assessment before (and, when done, after) the course. Rows come out as tuples per table.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from modules.course.models import Commitment, Decision, Module, Quiz, Scenario, Survey
from modules.course.validation import validate_directory

START = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
Row = tuple[object, ...]

COLUMNS: dict[str, tuple[str, ...]] = {
    "step_progress": ("user_id", "course_id", "module_id", "step_id", "content_version",
                      "is_preview", "status", "started_at", "completed_at"),
    "scenario_attempts": ("id", "user_id", "course_id", "module_id", "step_id",
                          "content_version", "is_preview", "seed", "started_at",
                          "finished_at", "ending_node_id", "score"),
    "scenario_choices": ("attempt_id", "position", "node_id", "choice_id", "quality",
                         "chosen_at"),
    "quiz_attempts": ("user_id", "course_id", "module_id", "step_id", "content_version",
                      "is_preview", "seed", "started_at", "submitted_at", "answers", "score",
                      "passed"),
    "commitments": ("id", "user_id", "course_id", "module_id", "step_id", "content_version",
                    "is_preview", "cue", "action", "target_date", "created_at", "updated_at"),
    "commitment_check_ins": ("commitment_id", "checked_on", "outcome", "note", "checked_at"),
    "survey_answers": ("user_id", "course_id", "module_id", "step_id", "content_version",
                       "is_preview", "phase", "item_id", "value", "answered_at"),
}  # fmt: skip
SCORES = {"best": 1.0, "okay": 0.5, "poor": 0.0}


@dataclass(frozen=True)
class Graph:
    start: str
    # node id -> [(choice id, quality, next node id)]; endings are absent
    decisions: dict[str, list[tuple[str, str, str]]]


@dataclass(frozen=True)
class ModuleShape:
    id: str
    version: str
    steps: tuple[str, ...]
    required: frozenset[str]
    scenarios: dict[str, Graph]
    # step id -> [(question id, option ids, right option ids)]
    quizzes: dict[str, list[tuple[str, tuple[str, ...], frozenset[str]]]]
    commitments: frozenset[str]


@dataclass(frozen=True)
class CourseShape:
    id: str
    modules: tuple[ModuleShape, ...]
    survey_module: str
    survey_step: str
    survey_version: str
    survey_items: tuple[str, ...]


def course_shape(root: Path) -> CourseShape:
    """The ids the benchmark writes: modules, steps, scenario graphs, quiz options, survey."""
    content = validate_directory(root).content
    if content is None:
        raise SystemExit(f"the course in {root} does not validate")
    modules = tuple(
        _module_shape(content.modules[module_id], content.versions[module_id])
        for module_id in content.course.modules
    )
    survey_id = content.course.self_assessment or "self-assessment"
    survey = next(s for s in content.modules[survey_id].steps if isinstance(s, Survey))
    return CourseShape(
        id=content.course.id,
        modules=modules,
        survey_module=survey_id,
        survey_step=survey.id,
        survey_version=content.versions[survey_id],
        survey_items=tuple(item.id for item in survey.items),
    )


def _module_shape(module: Module, version: str) -> ModuleShape:
    steps = module.steps
    scenarios = {
        s.id: Graph(s.start, {n.id: [(c.id, c.quality, c.next) for c in n.choices]
                              for n in s.nodes if isinstance(n, Decision)})
        for s in steps if isinstance(s, Scenario)
    }  # fmt: skip
    quizzes = {
        s.id: [(q.id, tuple(o.id for o in q.options),
                frozenset(o.id for o in q.options if o.correct)) for q in s.questions]
        for s in steps if isinstance(s, Quiz)
    }  # fmt: skip
    return ModuleShape(
        id=module.id,
        version=version,
        steps=tuple(s.id for s in steps),
        required=frozenset(s.id for s in steps if s.required),
        scenarios=scenarios,
        quizzes=quizzes,
        commitments=frozenset(s.id for s in steps if isinstance(s, Commitment)),
    )


@dataclass
class LearnerRows:
    """Generates every table's rows; ids of attempts and commitments are assigned here."""

    course: CourseShape
    rng: random.Random
    tables: dict[str, list[Row]] = field(default_factory=lambda: {t: [] for t in COLUMNS})
    next_attempt: int = 1
    next_commitment: int = 1

    def take(self) -> dict[str, list[Row]]:
        taken, self.tables = self.tables, {table: [] for table in COLUMNS}
        return taken

    def learner(self, user_id: int) -> None:
        clock = START + timedelta(days=self.rng.uniform(0, 60))
        modules = self.rng.choices(range(len(self.course.modules) + 1), k=1)[0]
        finished = modules == len(self.course.modules) and self.rng.random() < 0.8
        if self.rng.random() < 0.9:
            self._survey(user_id, "before", clock)
        for index, module in enumerate(self.course.modules[:modules]):
            last = index == modules - 1 and not finished
            steps = module.steps[: self.rng.randint(1, len(module.steps))] if last else module.steps
            for step_id in steps:
                clock += timedelta(minutes=self.rng.uniform(2, 30))
                self._step(user_id, module, step_id, clock)
            clock += timedelta(days=self.rng.uniform(1, 10))
        if finished:
            self._survey(user_id, "after", clock)

    def _step(self, user: int, module: ModuleShape, step_id: str, clock: datetime) -> None:
        head = (user, self.course.id, module.id, step_id, module.version, False)
        done = clock + timedelta(minutes=self.rng.uniform(1, 20))
        self.tables["step_progress"].append((*head, "completed", clock, done))
        if step_id in module.scenarios:
            for replay in range(1 + (self.rng.random() < 0.5)):
                self._scenario(head, module.scenarios[step_id], clock + timedelta(hours=replay))
        elif step_id in module.quizzes:
            for retry in range(1 + (self.rng.random() < 0.4)):
                self._quiz(head, module.quizzes[step_id], clock + timedelta(hours=retry))
        elif step_id in module.commitments:
            self._commitment(head, done)

    def _scenario(self, head: Row, graph: Graph, clock: datetime) -> None:
        attempt, self.next_attempt = self.next_attempt, self.next_attempt + 1
        node, qualities = graph.start, list[float]()
        while node in graph.decisions:
            choice, quality, following = self.rng.choice(graph.decisions[node])
            clock += timedelta(seconds=self.rng.uniform(10, 120))
            path: Row = (attempt, len(qualities), node, choice, quality, clock)
            self.tables["scenario_choices"].append(path)
            qualities.append(SCORES[quality])
            node = following
        score = sum(qualities) / max(len(qualities), 1)
        row = (attempt, *head, self.rng.randrange(2**31), clock, clock, node, score)
        self.tables["scenario_attempts"].append(row)

    def _quiz(self, head: Row, questions: list[tuple[str, tuple[str, ...], frozenset[str]]],
              clock: datetime) -> None:  # fmt: skip
        answers = {
            question: sorted(self.rng.sample(options, 1 + (len(right) > 1)))
            for question, options, right in questions
        }
        right = sum(set(answers[q]) == set(r) for q, _o, r in questions) / len(questions)
        submitted = clock + timedelta(minutes=self.rng.uniform(1, 5))
        seed = self.rng.randrange(2**31)
        row = (*head, seed, clock, submitted, answers, right, right >= 0.8)
        self.tables["quiz_attempts"].append(row)

    def _commitment(self, head: Row, clock: datetime) -> None:
        commitment, self.next_commitment = self.next_commitment, self.next_commitment + 1
        target = (clock + timedelta(days=30)).date()
        cue, action = "When I chair the next meeting,", "I will ask the quietest person first."
        row = (commitment, *head, cue, action, target, clock, clock)
        self.tables["commitments"].append(row)
        for day in sorted(self.rng.sample(range(1, 40), self.rng.choice((0, 1, 1, 2, 3)))):
            moment = clock + timedelta(days=day)
            outcome = self.rng.choice(("done", "partly", "not_yet"))
            self.tables["commitment_check_ins"].append(
                (commitment, moment.date(), outcome, None, moment)
            )

    def _survey(self, user: int, phase: str, clock: datetime) -> None:
        course = self.course
        head = (user, course.id, course.survey_module, course.survey_step, course.survey_version)
        for item in course.survey_items:
            value = self.rng.randint(1, 5)
            self.tables["survey_answers"].append((*head, False, phase, item, value, clock))


def chunks(count: int, size: int) -> Iterator[range]:
    for first in range(0, count, size):
        yield range(first, min(first + size, count))


def due_dates(course: CourseShape, cohort: int) -> list[tuple[str, date]]:
    start = START.date() + timedelta(days=cohort % 30)
    return [(m.id, start + timedelta(weeks=2 * (i + 1))) for i, m in enumerate(course.modules)]
