"""xAPI statements: every kind valid by Ralph's xAPI models, stable ids, only progress sent.

The learning services run on the fake unit of work with a ProgressReporter, as the pages run
them when ALLY_LRS_URL is set; what lands in the fake outbox is what would reach the LRS.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
from ralph.models.xapi.base.statements import BaseXapiStatement

from modules.course.models import CourseContent, Lesson
from modules.services.actors import Actor
from modules.services.learning import LearningService
from modules.services.practice import Practice
from modules.services.xapi import (
    COMPLETED,
    EARNED,
    EXPERIENCED,
    FAILED,
    PASSED,
    VOIDED,
    Statement,
    StatementBuilder,
    voiding,
)
from modules.services.xapi_export import Certificate, parse_since, statements_of
from modules.services.xapi_outbox import ProgressReporter, forget
from modules.settings import load_settings
from progress.step_repo import StepRef
from progress.xapi_repo import XapiAccount
from tests.fakes import NOW, FakeUnitOfWork

HOME = "https://ally.example.org"
LEARNER = Actor(1, "Dev", frozenset({"learner"}))
FACILITATOR = Actor(3, "Fay", frozenset({"facilitator"}))
ACCOUNT = XapiAccount(1, "opaque-0001", "dev@example.org")
REFLECTION = "I stayed quiet when the charge nurse was talked over, 14 times this year."
PLAN = ("At the Monday huddle", "I will name who raised the idea first")
NOTE = "Did it twice; the second time felt natural."


LESSON_STEP = Lesson(id="why", body="A lesson.")


@pytest.fixture
def builder(content: CourseContent) -> StatementBuilder:
    return StatementBuilder(HOME, content.course, content.modules)


@pytest.fixture
def uow() -> FakeUnitOfWork:
    fake = FakeUnitOfWork()
    for actor in (LEARNER, FACILITATOR):
        fake.people.roles[actor.user_id] = actor.roles
    return fake


@pytest.fixture
def practice(uow: FakeUnitOfWork, content: CourseContent, builder: StatementBuilder) -> Practice:
    reporter = ProgressReporter(content, builder, now=lambda: NOW)
    return Practice(LearningService(uow, content, today=lambda: NOW.date(), reporter=reporter))


def every_kind(builder: StatementBuilder) -> dict[str, Statement]:
    why = LESSON_STEP
    lesson = builder.step_experienced(ACCOUNT, StepRef("test-course", "sample", "why"), why, NOW)
    assert lesson is not None
    ref = StepRef("test-course", "sample", "check")
    made = {
        "step experienced": lesson,
        "scenario completed": builder.scenario_completed(
            ACCOUNT, StepRef("test-course", "sample", "rounds"), 7, 0.8333, NOW
        ),
        "quiz passed": builder.quiz_marked(ACCOUNT, ref, 8, 1.0, True, NOW),
        "quiz failed": builder.quiz_marked(ACCOUNT, ref, 9, 0.0, False, NOW),
        "module completed": builder.module_completed(ACCOUNT, "sample", NOW),
        "course completed": builder.course_completed(ACCOUNT, NOW),
        "certificate earned": builder.certificate_earned(
            ACCOUNT, 3, f"{HOME}/verify/ABCD-EFGH", NOW
        ),
    }
    made["voided"] = voiding(made["quiz passed"], NOW)
    return made


VERBS = {
    "step experienced": EXPERIENCED,
    "scenario completed": COMPLETED,
    "quiz passed": PASSED,
    "quiz failed": FAILED,
    "module completed": COMPLETED,
    "course completed": COMPLETED,
    "certificate earned": EARNED,
    "voided": VOIDED,
}


@pytest.mark.parametrize("kind", VERBS)
def test_every_statement_kind_is_valid_xapi(builder: StatementBuilder, kind: str) -> None:
    statement = every_kind(builder)[kind]
    parsed = BaseXapiStatement.model_validate(json.loads(json.dumps(statement)))
    assert str(parsed.id) == statement["id"]
    assert statement["verb"]["id"] == VERBS[kind]
    assert statement["version"] == "1.0.3"


def test_scores_and_success_are_where_an_lrs_reads_them(builder: StatementBuilder) -> None:
    made = every_kind(builder)
    assert made["scenario completed"]["result"] == {"score": {"scaled": 0.8333}, "completion": True}
    assert made["quiz failed"]["result"]["success"] is False
    assert made["quiz passed"]["result"]["success"] is True
    assert made["voided"]["object"] == {
        "objectType": "StatementRef",
        "id": made["quiz passed"]["id"],
    }


def test_ids_are_stable_per_record_and_differ_between_records(
    builder: StatementBuilder, content: CourseContent
) -> None:
    again = every_kind(StatementBuilder(HOME, content.course, content.modules))
    made = every_kind(builder)
    assert {k: s["id"] for k, s in made.items()} == {k: s["id"] for k, s in again.items()}
    assert len({s["id"] for s in made.values()}) == len(made)
    other_site = every_kind(StatementBuilder("https://other.example", content.course, {}))
    assert not {s["id"] for s in made.values()} & {s["id"] for s in other_site.values()}
    later = builder.module_completed(ACCOUNT, "sample", datetime(2030, 1, 1, tzinfo=UTC))
    assert later["id"] == made["module completed"]["id"]  # the record, not the moment


def test_the_actor_is_opaque_unless_the_email_is_asked_for(
    builder: StatementBuilder, content: CourseContent
) -> None:
    text = json.dumps(list(every_kind(builder).values()))
    assert ACCOUNT.email not in text and "Dev" not in text
    assert every_kind(builder)["quiz passed"]["actor"] == {
        "objectType": "Agent",
        "account": {"homePage": HOME, "name": "opaque-0001"},
    }
    by_email = StatementBuilder(HOME, content.course, content.modules, actor_email=True)
    assert by_email.quiz_marked(ACCOUNT, StepRef("c", "m", "s"), 1, 1.0, True, NOW)["actor"] == {
        "objectType": "Agent",
        "mbox": "mailto:dev@example.org",
    }


def test_settings_name_the_lrs_all_or_nothing() -> None:
    assert load_settings({}).lrs is None
    given = {"ALLY_LRS_URL": "https://lrs.example/xAPI/", "ALLY_LRS_USERNAME": "ally"}
    with pytest.raises(ValueError, match="ALLY_LRS_PASSWORD"):
        load_settings(given)
    lrs = load_settings({**given, "ALLY_LRS_PASSWORD": "s3cret"}).lrs
    assert lrs is not None and (lrs.url, lrs.actor_email) == ("https://lrs.example/xAPI", False)
    assert "s3cret" not in repr(load_settings({**given, "ALLY_LRS_PASSWORD": "s3cret"}))
    with pytest.raises(ValueError, match="ALLY_LRS_URL"):
        load_settings({**given, "ALLY_LRS_URL": "ftp://lrs", "ALLY_LRS_PASSWORD": "p"})


def complete_everything(practice: Practice, actor: Actor, preview: bool = False) -> None:
    learning = practice.learning
    learning.complete_lesson(actor, "sample", "why", preview)
    view = practice.scenario_view(actor, "sample", "rounds", preview)
    for choice in ("thank", "plan", "follow"):
        view = practice.choose(
            actor, "sample", "rounds", view.attempt_id, view.position, choice, preview
        )
    quiz = practice.quiz_view(actor, "sample", "check", preview)
    practice.submit_quiz(
        actor, "sample", "check", quiz.attempt_id, {"q1": {"b"}, "q2": {"b"}}, preview
    )
    quiz = practice.retry_quiz(actor, "sample", "check", preview)
    practice.submit_quiz(
        actor, "sample", "check", quiz.attempt_id, {"q1": {"a"}, "q2": {"a", "c"}}, preview
    )
    learning.save_reflection(actor, "sample", "think", REFLECTION, preview)
    plan = learning.save_commitment(actor, "sample", "plan", *PLAN, date(2030, 1, 1), preview)
    if not preview:
        learning.check_in(actor, plan.id, "done", NOTE)


def queued(uow: FakeUnitOfWork, user_id: int | None = 1) -> list[Statement]:
    return [entry.statement for entry in uow.xapi.queued(user_id)]


def test_a_whole_module_queues_each_kind_once_in_the_use_cases_unit_of_work(
    practice: Practice, uow: FakeUnitOfWork
) -> None:
    complete_everything(practice, LEARNER)
    verbs = [
        (s["verb"]["id"].rsplit("/", 1)[1], s["object"]["id"].rsplit("/", 1)[1])
        for s in queued(uow)
    ]
    assert verbs == [
        ("experienced", "why"),
        ("completed", "rounds"),
        ("failed", "check"),
        ("passed", "check"),
        ("experienced", "think"),
        ("experienced", "plan"),
        ("completed", "sample"),
        ("completed", "test-course"),
    ]
    for statement in queued(uow):
        BaseXapiStatement.model_validate(statement)
    before = len(uow.xapi.rows)
    practice.learning.complete_lesson(LEARNER, "sample", "why")  # again: nothing new
    practice.learning.save_reflection(LEARNER, "sample", "think", "Rewritten.")
    assert len(uow.xapi.rows) == before


def leaves(value: object, key: str = "") -> list[tuple[str, object]]:
    """Every (key, scalar) in a statement's JSON."""
    if isinstance(value, dict):
        return [pair for k, v in value.items() for pair in leaves(v, k)]
    if isinstance(value, list):
        return [pair for v in value for pair in leaves(v, key)]
    return [(key, value)]


def test_nothing_private_is_sent(practice: Practice, uow: FakeUnitOfWork) -> None:
    complete_everything(practice, LEARNER)
    text = json.dumps(queued(uow))
    for private in (REFLECTION, *PLAN, NOTE):
        assert private not in text
    found = [pair for statement in queued(uow) for pair in leaves(statement)]
    # No length, count or answer hides in a number: the only numbers are scores.
    assert {k for k, v in found if isinstance(v, int | float) and not isinstance(v, bool)} == {
        "scaled"
    }
    strings = [str(v) for _, v in found]
    for chosen in ("thank", "follow", "good-end", "a", "b", "c"):  # path, ending, options
        assert not [v for v in strings if v == chosen or v.endswith(f"/{chosen}")]
    for statement in queued(uow):
        assert set(statement.get("result", {})) <= {"score", "success", "completion"}
    reflection = next(s for s in queued(uow) if s["object"]["id"].endswith("/think"))
    assert "result" not in reflection


def test_previews_synthetic_accounts_and_sites_without_an_lrs_queue_nothing(
    practice: Practice, uow: FakeUnitOfWork, content: CourseContent
) -> None:
    complete_everything(practice, FACILITATOR, preview=True)
    assert uow.xapi.rows == {}
    uow.xapi.synthetic.add(LEARNER.user_id)
    complete_everything(practice, LEARNER)
    assert uow.xapi.rows == {}
    uow.xapi.synthetic.clear()
    plain = Practice(LearningService(uow, content, today=lambda: NOW.date()))
    complete_everything(plain, LEARNER)
    assert uow.xapi.rows == {}
    assert ProgressReporter.for_settings(load_settings({}), content) is None


def test_a_use_case_that_fails_queues_nothing(practice: Practice, uow: FakeUnitOfWork) -> None:
    uow.down = True
    with pytest.raises(Exception, match="cannot be reached"):
        practice.learning.complete_lesson(LEARNER, "sample", "why")
    uow.down = False
    practice.learning.complete_lesson(LEARNER, "sample", "why")
    assert len(queued(uow)) == 1


def test_the_export_gives_the_statements_the_outbox_got(
    practice: Practice, uow: FakeUnitOfWork, content: CourseContent, builder: StatementBuilder
) -> None:
    complete_everything(practice, LEARNER)
    record = uow.learning.learner_record(1, "test-course", None, False)
    account = uow.xapi.account(1)
    assert account is not None
    exported = statements_of(builder, content, account, record)
    assert sorted(s["id"] for s in exported) == sorted(s["id"] for s in queued(uow))
    certificate = Certificate(4, f"{HOME}/verify/X", NOW)
    with_certificate = statements_of(builder, content, account, record, certificate)
    assert with_certificate[-1]["verb"]["id"] == EARNED


def test_forget_discards_his_rows_and_voids_what_reached_the_lrs(
    practice: Practice, uow: FakeUnitOfWork
) -> None:
    complete_everything(practice, LEARNER)
    first, second, *rest = queued(uow)
    uow.xapi.sent |= {first["id"], second["id"]}
    with uow:
        assert forget(uow, LEARNER.user_id) == 2
    assert queued(uow) == []
    voids = queued(uow, None)
    assert [v["object"]["id"] for v in voids] == [first["id"], second["id"]]
    assert all(v["verb"]["id"] == VOIDED and "opaque" not in json.dumps(v) for v in voids)


@pytest.mark.parametrize(
    ("text", "moment"),
    [
        ("2026-01-31", datetime(2026, 1, 31, tzinfo=UTC)),
        ("2026-01-31T08:30:00", datetime(2026, 1, 31, 8, 30, tzinfo=UTC)),
        ("2026-01-31T08:30:00+01:00", datetime(2026, 1, 31, 7, 30, tzinfo=UTC)),
    ],
)
def test_since_is_a_date_or_a_moment_in_utc(text: str, moment: datetime) -> None:
    assert parse_since(text) == moment


@pytest.mark.parametrize("text", ["yesterday", "2026-13-01", ""])
def test_a_bad_since_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="--since"):
        parse_since(text)
