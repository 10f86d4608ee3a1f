"""A course world for the records tests: a cohort, a learner who completes the sample course."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest

from modules.course.models import CourseContent
from modules.course.validation import validate_directory
from modules.services.actors import Actor
from modules.services.certificates import CertificateService
from modules.services.cohorts import CohortService
from modules.services.learning import LearningService
from modules.services.practice import Practice
from modules.services.runtime import Runtime, runtime
from modules.settings import Settings
from progress import account_repo
from progress.passwords import hash_password

SAMPLE = Path(__file__).resolve().parents[2] / "tests" / "data" / "valid"
MODULE = "sample"
PASSWORD = "a long passphrase for lee"
PUBLIC_URL = "https://ally.example.org"


@dataclass
class World:
    rt: Runtime
    content: CourseContent
    learning: LearningService
    practice: Practice
    cohorts: CohortService
    certificates: CertificateService
    owner: Actor  # the first account: administrator and facilitator
    learner: Actor
    cohort_id: int

    def person(self, email: str, name: str, roles: tuple[str, ...] = ()) -> Actor:
        with self.rt.transaction() as session:
            user = account_repo.create_user(
                session, email, name, hash_password(PASSWORD), roles or ("learner",)
            )
        return Actor(user.id, user.display_name, frozenset(user.roles))

    def complete_course(self, who: Actor | None = None) -> None:
        who = who or self.learner
        self.learning.complete_lesson(who, MODULE, "why")
        view = self.practice.scenario_view(who, MODULE, "rounds")
        for position, choice in enumerate(("thank", "plan", "follow")):
            view = self.practice.choose(who, MODULE, "rounds", view.attempt_id, position, choice)
        quiz = self.practice.quiz_view(who, MODULE, "check")
        self.practice.submit_quiz(
            who, MODULE, "check", quiz.attempt_id, {"q1": ["a"], "q2": ["a", "c"]}
        )
        self.learning.save_reflection(who, MODULE, "think", "Ask Dr. Rivera about the rota")
        self.learning.save_commitment(
            who, MODULE, "plan", "rounds end", "ask one resident", date.today() + timedelta(7)
        )


@pytest.fixture
def world(database_url: str) -> Iterator[World]:
    content = validate_directory(SAMPLE).content
    assert content is not None
    settings = Settings(database_url=database_url, content_dir=SAMPLE, public_url=PUBLIC_URL)
    rt = runtime(settings)
    learning = LearningService(rt.uow, content)
    cohorts = CohortService(rt, content)
    placeholder = Actor(0, "", frozenset())
    w = World(
        rt, content, learning, Practice(learning), cohorts, CertificateService(rt, content),
        placeholder, placeholder, 0,
    )  # fmt: skip
    w.owner = w.person("olu@example.org", "Olu Owner")
    w.learner = w.person("lee@example.org", "Lee Learner")
    cohort = cohorts.create(w.owner, "Medicine chiefs", "America/Chicago")
    cohorts.join(w.learner, cohort.join_code)
    w.cohort_id = cohort.id
    yield w
    rt.engine.dispose()
