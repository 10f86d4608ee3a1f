"""The sample cohort (`python -m progress demo`): made-up learners whose figures fill every view,
kept apart from real people, real cohorts, account lists and exports, and removed in one go.

The course in content/ is played once per database (it takes a while); each test reads it.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, inspect, select
from sqlalchemy.orm import Session

from modules.cohorts.sample import LEARNERS, SAMPLE_COHORT_NAME
from modules.course.models import CourseContent
from modules.course.validation import validate_directory
from modules.services import accounts, sample_cohort
from modules.services.actors import Actor
from modules.services.cohort_reports import CohortReports
from modules.services.cohorts import SAMPLE_HAS_NO_REAL_PEOPLE, CohortService
from modules.services.errors import InvalidInput, NotFound
from modules.services.runtime import Runtime, runtime
from modules.services.sample_cohort import create_sample_cohort
from modules.settings import Settings
from progress import account_repo, cohort_repo
from progress.__main__ import main
from progress.cohort_repo import CohortRecord
from progress.tables import Base, CohortRow, UserRow
from tests.integration.conftest import POSTGRES_UNSET, fresh_postgres_schema

ROOT = Path(__file__).resolve().parents[2]
SMALL_COURSE = ROOT / "tests" / "data" / "valid"
PASSWORD = "a long enough password"


@dataclass(frozen=True)
class Sample:
    rt: Runtime
    content: CourseContent
    owner: Actor
    admin: Actor
    cohort: CohortRecord
    real_cohort: CohortRecord
    real_learner: Actor
    service: CohortService
    reports: CohortReports


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def module_database(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('sample') / 'ally.db'}"
        return
    server = os.environ.get("ALLY_TEST_DATABASE_URL")
    if not server:
        pytest.skip(POSTGRES_UNSET)
    with fresh_postgres_schema(server) as url:
        yield url


def person(rt: Runtime, email: str, name: str, *roles: str) -> Actor:
    with rt.sessions.begin() as session:
        user = account_repo.create_user(session, email, name, None, roles=roles or ("learner",))
    return Actor(user.id, user.display_name, frozenset(user.roles))


@pytest.fixture(scope="module")
def sample(module_database: str) -> Iterator[Sample]:
    rt = runtime(Settings(database_url=module_database, content_dir=ROOT / "content"))
    content = validate_directory(ROOT / "content").content
    assert content is not None
    admin = person(rt, "ada@example.org", "Ada Admin")  # the first account
    owner = person(rt, "fiona@example.org", "Fiona Facilitator", "facilitator")
    service = CohortService(rt, content)
    real_cohort = service.create(owner, "Surgery chiefs", "America/Chicago")
    real_learner = person(rt, "raj@example.org", "Raj Real")
    service.join(real_learner, real_cohort.join_code)
    made = create_sample_cohort(rt, content, " Fiona@Example.org ")
    yield Sample(
        rt,
        content,
        owner,
        admin,
        made.cohort,
        real_cohort,
        real_learner,
        service,
        CohortReports(service),
    )
    rt.engine.dispose()


# Created and labelled


def test_the_sample_cohort_is_marked_labelled_and_owned_by_the_facilitator(sample: Sample) -> None:
    cohort = sample.cohort
    assert cohort.is_sample and not sample.real_cohort.is_sample
    assert cohort.name == SAMPLE_COHORT_NAME and "Sample" in cohort.name
    mine = sample.service.mine(sample.owner)
    assert {c.id for c in mine} == {cohort.id, sample.real_cohort.id}
    (owner,) = sample.service.facilitators(sample.owner, cohort.id)
    assert (owner.user_id, owner.is_owner) == (sample.owner.user_id, True)
    members = sample.service.members(sample.owner, cohort.id)
    assert sorted(m.display_name for m in members) == sorted(p.name for p in LEARNERS)
    with sample.rt.sessions.begin() as session:
        for member in members:
            user = account_repo.get_user(session, member.user_id)
            assert user is not None and user.synthetic and not user.has_password
            assert user.roles == {"learner"}
            assert user.email.endswith("@" + account_repo.SYNTHETIC_DOMAIN)


# Every view filled in


def test_the_dashboard_shows_progress_overdue_quiet_learners_and_weeks(sample: Sample) -> None:
    board = sample.reports.dashboard(sample.owner, sample.cohort.id)
    totals = board.totals
    assert totals.learners == len(LEARNERS)
    assert totals.completed == sum(p.modules_done for p in LEARNERS)
    assert totals.finished_course == sum(p.modules_done == 8 for p in LEARNERS)
    assert totals.in_progress >= 2 and totals.overdue_learners >= 3
    assert totals.inactive_learners >= 2
    assert len(board.completions) >= 5  # spread over the weeks, not all today
    assert all(column.due_date is not None for column in board.modules)
    assert board.self_assessment
    for change in board.self_assessment:  # every statement's before and after means are shown
        means = change.means.value
        assert means is not None and means.after >= means.before
        if change.looking_back is not None:  # the course asks "looking back" at the end
            then = change.looking_back.value
            assert then is not None and then.then is not None and then.then <= then.before


def test_every_modules_debrief_shows_first_choices_and_quiz_answers(sample: Sample) -> None:
    for module in sample.content.listed_modules:
        debrief = sample.reports.debrief(sample.owner, sample.cohort.id, module.id)
        for scenario in debrief.scenarios:
            assert scenario.basis.learners >= sample.rt.settings.min_group, module.id
            assert scenario.decisions[0].choices.value is not None, module.id
        for quiz in debrief.quizzes:
            assert quiz.questions.value is not None, module.id
    first = sample.reports.debrief(sample.owner, sample.cohort.id, "leadership-not-a-womens-issue")
    assert first.commitments.value is not None  # a week after the plans, they checked in


def test_the_sample_has_overdue_and_due_soon_reminders_with_links(sample: Sample) -> None:
    found = sample.reports.reminders(sample.owner, sample.cohort.id)
    assert any(r.overdue for r in found) and any(r.due_soon for r in found)
    link = f"{sample.rt.settings.public_url}/player?module="
    assert all(link in r.message for r in found)


# Kept apart from real people


def test_synthetic_accounts_are_in_no_account_list_or_count(sample: Sample) -> None:
    people = accounts.list_people(sample.rt, sample.admin)
    assert {p.email for p in people} == {"ada@example.org", "fiona@example.org", "raj@example.org"}
    made_up = email_of_a_sample(sample)
    with sample.rt.sessions.begin() as session:
        assert account_repo.count_users(session) == 3
        assert account_repo.find_user_by_email(session, made_up) is None


def test_real_cohorts_figures_hold_no_synthetic_learner(sample: Sample) -> None:
    board = sample.reports.dashboard(sample.owner, sample.real_cohort.id)
    assert [r.name for r in board.learners] == ["Raj Real"]
    assert board.totals.completed == 0 and board.completions == ()
    debrief = sample.reports.debrief(sample.owner, sample.real_cohort.id, LEARNERS_FIRST_MODULE)
    assert all(s.basis.learners == 0 for s in debrief.scenarios)


def test_nobody_real_joins_a_sample_and_no_sample_joins_a_real_cohort(sample: Sample) -> None:
    with pytest.raises(NotFound):
        sample.service.join(sample.real_learner, sample.cohort.join_code)
    with pytest.raises(InvalidInput, match="sample cohort"):
        sample.service.preview_roster(sample.owner, sample.cohort.id, b"a@b.org,Al Bee\n")
    assert str(SAMPLE_HAS_NO_REAL_PEOPLE).startswith("This is a sample cohort")
    made_up = sample.service.members(sample.owner, sample.cohort.id)[0]
    with sample.rt.sessions.begin() as session, pytest.raises(ValueError, match="synthetic"):
        cohort_repo.add_member(session, sample.real_cohort.id, made_up.user_id)
    rows = sample.service.preview_roster(
        sample.owner, sample.real_cohort.id, f"{made_up.email},Someone\n".encode()
    )
    assert [r.status for r in rows] == ["rejected"] and ".invalid" in rows[0].reason
    assert [
        m.display_name for m in sample.service.members(sample.owner, sample.real_cohort.id)
    ] == ["Raj Real"]


def test_exports_never_hold_a_synthetic_learner(sample: Sample) -> None:
    with pytest.raises(InvalidInput, match="no export"):
        sample.reports.export_csv(sample.owner, sample.cohort.id)
    real = sample.reports.export_csv(sample.owner, sample.real_cohort.id).decode("utf-8-sig")
    assert "raj@example.org" in real and account_repo.SYNTHETIC_DOMAIN not in real


def test_a_synthetic_account_cannot_sign_in_or_get_a_reset_link(sample: Sample) -> None:
    made_up = sample.service.members(sample.owner, sample.cohort.id)[0]
    with pytest.raises(accounts.WrongCredentials):
        accounts.sign_in(sample.rt, made_up.email, PASSWORD, client="203.0.113.9")
    with pytest.raises(accounts.AccountProblem):
        accounts.create_reset_link(sample.rt, sample.admin, made_up.user_id)
    with pytest.raises(accounts.AccountProblem):
        accounts.set_roles(sample.rt, sample.admin, made_up.user_id, ["facilitator"])
    with pytest.raises(accounts.AccountProblem, match="not a real address"):
        accounts.sign_up(
            sample.rt, "someone@" + account_repo.SYNTHETIC_DOMAIN, "Some One", PASSWORD
        )


def test_a_second_sample_for_the_same_facilitator_is_refused(sample: Sample) -> None:
    with pytest.raises(InvalidInput, match="has a sample cohort already"):
        create_sample_cohort(sample.rt, sample.content, "fiona@example.org")
    with pytest.raises(InvalidInput, match="Nobody has an account"):
        create_sample_cohort(sample.rt, sample.content, "nobody@example.org")
    with pytest.raises(InvalidInput, match="not a facilitator"):
        create_sample_cohort(sample.rt, sample.content, "raj@example.org")


LEARNERS_FIRST_MODULE = "leadership-not-a-womens-issue"


def email_of_a_sample(sample: Sample) -> str:
    return sample.service.members(sample.owner, sample.cohort.id)[0].email


# The first account, and removal


def test_a_synthetic_account_is_never_the_first_account(session: Session) -> None:
    made_up = account_repo.create_user(
        session, "x.1@" + account_repo.SYNTHETIC_DOMAIN, "X", None, synthetic=True
    )
    assert made_up.roles == {"learner"}
    assert account_repo.count_users(session) == 0  # still no real account
    first = account_repo.create_user(session, "ada@example.org", "Ada", None)
    assert first.roles == {"learner", "admin", "facilitator"}
    with pytest.raises(ValueError, match="synthetic"):
        account_repo.create_user(
            session, "y.1@" + account_repo.SYNTHETIC_DOMAIN, "Y", "hash", synthetic=True
        )


def test_demo_makes_and_removes_a_sample_leaving_nothing_behind(
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ALLY_DATABASE_URL", database_url)
    monkeypatch.setenv("ALLY_CONTENT_DIR", str(SMALL_COURSE))
    rt = runtime()
    content = validate_directory(SMALL_COURSE).content
    assert content is not None
    admin = person(rt, "ada@example.org", "Ada Admin")
    real = CohortService(rt, content).create(admin, "Real one", "UTC")
    before = table_counts(rt.engine)

    assert main(["demo", "--owner", "ada@example.org"], stdin=io.StringIO()) == 0
    said = capsys.readouterr().out
    assert f"{len(LEARNERS)} made-up learners" in said and "demo --remove" in said
    with rt.sessions.begin() as session:
        assert len(account_repo.synthetic_user_ids(session)) == len(LEARNERS)
    assert table_counts(rt.engine) != before

    assert main(["demo", "--remove"], stdin=io.StringIO()) == 0
    assert "removed 1 sample cohort(s), 12 made-up learner(s)" in capsys.readouterr().out
    assert table_counts(rt.engine) == before  # every row they made is gone, nothing else
    with rt.sessions.begin() as session:
        assert account_repo.synthetic_user_ids(session) == []
        assert session.scalar(select(CohortRow.name).where(CohortRow.id == real.id)) == "Real one"
        assert session.scalar(select(func.count()).select_from(UserRow)) == 1

    assert main(["demo", "--owner", "nobody@example.org"], stdin=io.StringIO()) == 2
    assert "Nobody has an account" in capsys.readouterr().err


def table_counts(engine: Engine) -> dict[str, int]:
    names = set(inspect(engine).get_table_names()) & set(Base.metadata.tables)
    with engine.connect() as connection:
        return {
            name: connection.scalar(select(func.count()).select_from(Base.metadata.tables[name]))
            or 0
            for name in sorted(names)
        }


def test_due_dates_of_the_sample_are_relative_to_today(sample: Sample) -> None:
    assigned = sample.service.assignments(sample.owner, sample.cohort.id)
    today = date.today()
    assert min(a.due_date for a in assigned) < today - timedelta(days=20)
    assert max(a.due_date for a in assigned) > today


def test_a_failure_midway_leaves_no_half_made_sample(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    rt = runtime(Settings(database_url=database_url, content_dir=SMALL_COURSE))
    content = validate_directory(SMALL_COURSE).content
    assert content is not None
    person(rt, "ada@example.org", "Ada Admin")
    played: list[str] = []
    real_learner = sample_cohort._SampleWriter.learner

    def crash_on_the_third(writer: Any, cohort: CohortRecord, plan: Any) -> int:
        if len(played) == 2:
            raise RuntimeError("the machine went down")
        played.append(plan.name)
        return real_learner(writer, cohort, plan)

    monkeypatch.setattr(sample_cohort._SampleWriter, "learner", crash_on_the_third)
    with pytest.raises(RuntimeError, match="went down"):
        create_sample_cohort(rt, content, "ada@example.org")
    assert len(played) == 2  # two learners were written, in units of their own
    with rt.sessions.begin() as session:
        assert account_repo.synthetic_user_ids(session) == []
        assert session.scalar(select(func.count()).select_from(CohortRow)) == 0
        assert account_repo.count_users(session) == 1
    rt.engine.dispose()
