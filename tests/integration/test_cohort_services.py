"""Facilitating cohorts through the services, on SQLite and PostgreSQL.

Who may call what (every public method, four kinds of caller), roster imports that are
all-or-nothing, removing and re-adding learners, overdue in the cohort's time zone,
reminders, small-group privacy, and an export that a spreadsheet cannot turn into a formula.
"""

from __future__ import annotations

import csv
import inspect
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

import progress.cohort_repo
from modules.cohorts.dashboard import Status
from modules.cohorts.export import HEADER
from modules.course.completion import Phase
from modules.course.models import CourseContent
from modules.course.validation import validate_directory
from modules.services import accounts as account_services
from modules.services.accounts import LinkNotUsable
from modules.services.actors import Actor
from modules.services.cohort_reports import CohortReports
from modules.services.cohorts import CohortService
from modules.services.errors import NotFound, PermissionDenied
from modules.services.learning import LearningService
from modules.services.practice import Practice
from modules.services.runtime import Runtime, runtime
from modules.settings import Settings
from progress import account_repo, cohort_repo, step_repo
from progress.cohort_repo import CohortRecord
from progress.tables import PasswordResetRow

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "tests" / "data" / "valid"
MODULE = "sample"
COURSE = "test-course"
BEST_PATH = ("thank", "plan", "follow")
RIGHT_ANSWERS = {"q1": ["a"], "q2": ["a", "c"]}
WRONG_ANSWERS = {"q1": ["b"], "q2": ["b"]}
SECRET = "Zebra-private-reflection-7731 about the night shift"
PASSWORD = "a long enough password"


# The world: a cohort with an owner, a co-facilitator and a learner; another facilitator's cohort


@pytest.fixture(scope="module")
def content() -> CourseContent:
    found = validate_directory(SAMPLE).content
    assert found is not None
    return found


@pytest.fixture
def rt(database_url: str) -> Iterator[Runtime]:
    made = runtime(Settings(database_url=database_url, content_dir=SAMPLE))
    yield made
    made.engine.dispose()


def new_person(rt: Runtime, email: str, name: str, roles: tuple[str, ...] = ("learner",)) -> Actor:
    with rt.sessions.begin() as session:
        user = account_repo.create_user(session, email, name, None, roles=roles)
    return Actor(user.id, user.display_name, frozenset(user.roles))


@dataclass
class World:
    rt: Runtime
    service: CohortService
    reports: CohortReports
    learning: LearningService
    practice: Practice
    admin: Actor  # the first account: administrator, facilitating no cohort here
    owner: Actor
    co: Actor
    other: Actor  # the owner of another cohort
    spare: Actor  # a facilitator on no cohort, to add as co-facilitator
    learner: Actor
    cohort: CohortRecord
    other_cohort: CohortRecord

    def person(self, email: str, name: str, *, join: bool = False) -> Actor:
        actor = new_person(self.rt, email, name)
        if join:
            self.service.join(actor, self.cohort.join_code)
        return actor

    def learners(self, count: int, prefix: str = "learner") -> list[Actor]:
        return [
            self.person(f"{prefix}{n}@example.org", f"{prefix.title()} {n:02d}", join=True)
            for n in range(count)
        ]


@pytest.fixture
def world(rt: Runtime, content: CourseContent) -> World:
    service = CohortService(rt, content)
    learning = LearningService(rt.uow, content)
    admin = new_person(rt, "ada@example.org", "Ada Admin")
    assert admin.is_admin
    facilitating = ("learner", "facilitator")
    owner, co, other, spare = (
        new_person(rt, f"{name.split()[0].lower()}@example.org", name, facilitating)
        for name in ("Owner Olu", "Co Cleo", "Other Otto", "Spare Sam")
    )
    cohort = service.create(owner, "Medicine chiefs", "America/Chicago")
    service.add_facilitator(owner, cohort.id, "co@example.org")
    other_cohort = service.create(other, "Surgery leads", "Europe/London")
    learner = new_person(rt, "lee@example.org", "Lee Learner")
    service.join(learner, cohort.join_code)
    return World(
        rt, service, CohortReports(service), learning, Practice(learning),
        admin, owner, co, other, spare, learner, cohort, other_cohort,
    )  # fmt: skip


def play_scenario(w: World, actor: Actor, path: tuple[str, ...] = BEST_PATH) -> None:
    view = w.practice.scenario_view(actor, MODULE, "rounds")
    for position, choice in enumerate(path):
        view = w.practice.choose(actor, MODULE, "rounds", view.attempt_id, position, choice)


def take_quiz(w: World, actor: Actor, answers: dict[str, list[str]]) -> None:
    view = w.practice.quiz_view(actor, MODULE, "check")
    w.practice.submit_quiz(actor, MODULE, "check", view.attempt_id, answers)


def complete_module(w: World, actor: Actor, reflection: str = SECRET) -> int:
    """Every step of the sample module; returns the commitment's id."""
    w.learning.complete_lesson(actor, MODULE, "why")
    play_scenario(w, actor)
    take_quiz(w, actor, RIGHT_ANSWERS)
    w.learning.save_reflection(actor, MODULE, "think", reflection)
    return w.learning.save_commitment(
        actor, MODULE, "plan", "rounds end", "ask one resident", date.today() + timedelta(days=14)
    ).id


def member_ids(w: World) -> set[int]:
    with w.rt.sessions.begin() as session:
        return {m.user_id for m in cohort_repo.members(session, w.cohort.id)}


def parse_csv(data: bytes) -> list[dict[str, str]]:
    assert data.startswith(b"\xef\xbb\xbf"), "Excel needs the UTF-8 BOM"
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


# Who may call what

Call = Callable[[World, Actor, int], object]
ROSTER = b"email,name\r\nnew.person@example.org,New Person\r\n"

MANAGING: dict[str, Call] = {
    "CohortService.get": lambda w, a, c: w.service.get(a, c),
    "CohortService.update": lambda w, a, c: w.service.update(
        a, c, name="Renamed", time_zone="America/Denver", inactive_after_days=7
    ),
    "CohortService.archive": lambda w, a, c: w.service.archive(a, c),
    "CohortService.new_join_code": lambda w, a, c: w.service.new_join_code(a, c),
    "CohortService.facilitators": lambda w, a, c: w.service.facilitators(a, c),
    "CohortService.add_facilitator": lambda w, a, c: w.service.add_facilitator(
        a, c, "spare@example.org"
    ),
    "CohortService.remove_facilitator": lambda w, a, c: w.service.remove_facilitator(
        a, c, w.owner.user_id
    ),
    "CohortService.members": lambda w, a, c: w.service.members(a, c),
    "CohortService.remove_member": lambda w, a, c: w.service.remove_member(a, c, w.learner.user_id),
    "CohortService.preview_roster": lambda w, a, c: w.service.preview_roster(a, c, ROSTER),
    "CohortService.import_roster": lambda w, a, c: w.service.import_roster(a, c, ROSTER),
    "CohortService.assignments": lambda w, a, c: w.service.assignments(a, c),
    "CohortService.assign": lambda w, a, c: w.service.assign(a, c, [MODULE], date(2026, 6, 1)),
    "CohortService.unassign": lambda w, a, c: w.service.unassign(a, c, MODULE),
    "CohortReports.dashboard": lambda w, a, c: w.reports.dashboard(a, c),
    "CohortReports.debrief": lambda w, a, c: w.reports.debrief(a, c, MODULE),
    "CohortReports.export_csv": lambda w, a, c: w.reports.export_csv(a, c),
    "CohortReports.reminders": lambda w, a, c: w.reports.reminders(a, c),
}
# Public methods outside the matrix, each with the test that covers it.
COVERED_ELSEWHERE = {
    "CohortService.create": "test_learners_cannot_create_or_list_cohorts",
    "CohortService.mine": "test_each_facilitator_lists_only_their_cohorts",
    "CohortService.join": "test_removed_learner_keeps_records_and_can_rejoin",
    "CohortService.my_assignments": "test_learners_see_their_assignments_overdue_until_done",
    "CohortService.managed": "the check every MANAGING method goes through",
    "CohortService.settings_of": "pure: no actor, no database",
}


def public_methods() -> set[str]:
    return {
        f"{cls.__name__}.{name}"
        for cls in (CohortService, CohortReports)
        for name, member in vars(cls).items()
        if not name.startswith("_") and inspect.isfunction(member)
    }


def test_every_public_method_is_in_the_authorisation_table() -> None:
    missing = public_methods() - MANAGING.keys() - COVERED_ELSEWHERE.keys()
    assert not missing, f"add these to MANAGING (or COVERED_ELSEWHERE, with a test): {missing}"
    assert not (MANAGING.keys() | COVERED_ELSEWHERE.keys()) - public_methods(), "stale entries"
    for test in COVERED_ELSEWHERE.values():
        assert not test.startswith("test_") or test in globals(), test


def snapshot(w: World) -> tuple[object, ...]:
    """Everything a refused call might have changed."""
    with w.rt.sessions.begin() as session:
        users = account_repo.count_users(session)
        return (
            progress.cohort_repo.get_cohort(session, w.cohort.id),
            cohort_repo.members(session, w.cohort.id),
            cohort_repo.facilitators(session, w.cohort.id),
            cohort_repo.assignments(session, w.cohort.id),
            users,
        )


@pytest.mark.parametrize("method", sorted(MANAGING))
@pytest.mark.parametrize("caller", ["learner", "other"])
def test_outsiders_are_refused_and_change_nothing(world: World, method: str, caller: str) -> None:
    """(a) a learner of the cohort, (b) the facilitator of another cohort."""
    world.service.assign(world.owner, world.cohort.id, [MODULE], date(2026, 5, 1))
    before = snapshot(world)
    actor = getattr(world, caller)
    with pytest.raises(PermissionDenied):
        MANAGING[method](world, actor, world.cohort.id)
    with pytest.raises(PermissionDenied):  # the same answer: ids cannot be probed
        MANAGING[method](world, actor, world.cohort.id + 1000)
    assert snapshot(world) == before


@pytest.mark.parametrize("method", sorted(MANAGING))
@pytest.mark.parametrize("caller", ["co", "admin"])
def test_facilitators_of_the_cohort_and_administrators_may(
    world: World, method: str, caller: str
) -> None:
    """(c) a co-facilitator, (d) an administrator who does not facilitate it."""
    world.service.assign(world.owner, world.cohort.id, [MODULE], date(2026, 5, 1))
    actor = getattr(world, caller)
    MANAGING[method](world, actor, world.cohort.id)
    # Only an administrator learns that an id is unknown; others get the usual refusal.
    with pytest.raises(NotFound if caller == "admin" else PermissionDenied):
        MANAGING[method](world, actor, world.cohort.id + 1000)


def test_learners_cannot_create_or_list_cohorts(world: World) -> None:
    with pytest.raises(PermissionDenied):
        world.service.create(world.learner, "Mine now", "UTC")
    with pytest.raises(PermissionDenied):
        world.service.mine(world.learner)
    with world.rt.sessions.begin() as session:
        assert len(progress.cohort_repo.all_cohorts(session)) == 2


def test_each_facilitator_lists_only_their_cohorts(world: World) -> None:
    def names(actor: Actor) -> set[str]:
        return {c.name for c in world.service.mine(actor)}

    assert names(world.owner) == names(world.co) == {"Medicine chiefs"}
    assert names(world.other) == {"Surgery leads"}
    assert names(world.admin) == {"Medicine chiefs", "Surgery leads"}
    assert names(world.spare) == set()
    made = world.service.create(world.spare, "Nursing", "UTC")
    assert names(world.spare) == {"Nursing"}
    assert world.service.facilitators(world.spare, made.id)[0].is_owner


def test_archived_cohorts_are_listed_only_when_asked(world: World) -> None:
    world.service.archive(world.owner, world.cohort.id)
    assert world.service.mine(world.owner) == []
    assert [c.id for c in world.service.mine(world.owner, include_archived=True)] == [
        world.cohort.id
    ]
    with pytest.raises(NotFound):
        world.service.join(world.person("late@example.org", "Late"), world.cohort.join_code)


@pytest.mark.parametrize(
    ("who", "roles", "still_facilitates"),
    [
        ("co", ("learner",), True),  # lost the facilitator role
        ("admin", ("learner",), False),  # lost the administrator role
        ("co", ("learner", "facilitator"), False),  # taken off the cohort
    ],
)
def test_a_stale_actor_is_refused(
    world: World, who: str, roles: tuple[str, ...], still_facilitates: bool
) -> None:
    actor: Actor = getattr(world, who)
    with world.rt.sessions.begin() as session:
        account_repo.set_roles(session, actor.user_id, roles)
        if not still_facilitates:
            progress.cohort_repo.remove_facilitator(session, world.cohort.id, actor.user_id)
    assert actor.is_facilitator  # the Actor still claims what the database no longer says
    before = snapshot(world)
    for method, call in MANAGING.items():
        with pytest.raises(PermissionDenied):
            call(world, actor, world.cohort.id)
            pytest.fail(f"{method} served a stale actor")
    if "facilitator" not in roles:
        with pytest.raises(PermissionDenied):
            world.service.create(actor, "Sneaky", "UTC")
        with pytest.raises(PermissionDenied):
            world.service.mine(actor)
    assert snapshot(world) == before


# Roster import


ROSTER_MIXED = (
    b"email,name\r\n"
    b"new.one@example.org,New One\r\n"  # 2: add, new account
    b"other@example.org,Otto Other\r\n"  # 3: add, existing account
    b"not-an-address,Bad Email\r\n"  # 4: rejected
    b",,\r\n"  # 5: empty row
    b"lee@example.org,Lee Learner\r\n"  # 6: already a member
    b"NEW.ONE@example.org,New One Again\r\n"  # 7: duplicate
    b"=cmd|' /C calc'!A0,Formula\r\n"  # 8: junk
    b"new.two@example.org,New Two\r\n"  # 9: add, new account
)


def test_a_dry_run_reports_each_row_and_changes_nothing(world: World) -> None:
    before = snapshot(world)
    rows = world.service.preview_roster(world.owner, world.cohort.id, ROSTER_MIXED)
    assert [(r.line, r.status) for r in rows] == [
        (2, "add"), (3, "add"), (4, "rejected"), (5, "rejected"), (6, "already"),
        (7, "rejected"), (8, "rejected"), (9, "add"),
    ]  # fmt: skip
    assert [r.new_account for r in rows if r.status == "add"] == [True, False, True]
    reasons = {r.line: r.reason for r in rows}
    assert reasons[4].startswith("bad email")
    assert "empty" in reasons[5]
    assert reasons[7] == "duplicate of line 2"
    assert reasons[8] == "looks like a spreadsheet formula"
    assert snapshot(world) == before


def test_confirming_adds_valid_rows_and_links_only_for_new_accounts(world: World) -> None:
    result = world.service.import_roster(world.owner, world.cohort.id, ROSTER_MIXED)
    assert (result.added, result.already, result.rejected) == (3, 1, 4)
    assert [(link.person.email, link.person.display_name) for link in result.links] == [
        ("new.one@example.org", "New One"),
        ("new.two@example.org", "New Two"),
    ]
    with world.rt.sessions.begin() as session:
        emails = {m.email for m in cohort_repo.members(session, world.cohort.id)}
        new_one = account_repo.find_user_by_email(session, "new.one@example.org")
        junk = account_repo.find_user_by_email(session, "not-an-address")
    assert emails == {
        "lee@example.org", "new.one@example.org", "other@example.org", "new.two@example.org"
    }  # fmt: skip
    assert new_one is not None and not new_one.has_password and junk is None
    link = result.links[0]
    assert link.path == f"/auth/reset?token={link.token}"
    lifetime = link.expires_at - datetime.now(UTC)
    assert timedelta(days=13) < lifetime <= timedelta(days=14)

    signed_in = account_services.reset_password(world.rt, link.token, PASSWORD)
    assert signed_in.actor.user_id == new_one.id
    assert account_services.sign_in(world.rt, "new.one@example.org", PASSWORD).actor.user_id == (
        new_one.id
    )
    with pytest.raises(LinkNotUsable):
        account_services.reset_password(world.rt, link.token, "another long password")

    again = world.service.import_roster(world.owner, world.cohort.id, ROSTER_MIXED)
    assert (again.added, again.already, again.links) == (0, 4, ())


def test_a_failure_half_way_imports_nothing(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    real = progress.cohort_repo.add_member
    calls: list[int] = []

    def failing_on_the_third(*args: Any, **kwargs: Any) -> bool:
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("the database went away")
        return real(*args, **kwargs)

    before = snapshot(world)
    with world.rt.sessions.begin() as session:
        links_before = session.scalar(select(func.count()).select_from(PasswordResetRow))
    monkeypatch.setattr(progress.cohort_repo, "add_member", failing_on_the_third)
    with pytest.raises(RuntimeError, match="went away"):
        world.service.import_roster(world.owner, world.cohort.id, ROSTER_MIXED)
    assert len(calls) == 3
    monkeypatch.undo()
    assert snapshot(world) == before  # no member added, no account created
    with world.rt.sessions.begin() as session:
        assert account_repo.find_user_by_email(session, "new.one@example.org") is None
        links_after = session.scalar(select(func.count()).select_from(PasswordResetRow))
    assert links_after == links_before
    assert world.service.import_roster(world.owner, world.cohort.id, ROSTER_MIXED).added == 3


# Leaving and rejoining


def test_removed_learner_keeps_records_and_can_rejoin(world: World) -> None:
    lee, cohort_id = world.learner, world.cohort.id
    world.learning.complete_lesson(lee, MODULE, "why")
    world.service.assign(world.owner, cohort_id, [MODULE], date.today() - timedelta(days=3))
    assert [r.user_id for r in world.reports.reminders(world.owner, cohort_id)] == [lee.user_id]

    world.service.remove_member(world.owner, cohort_id, lee.user_id)

    with world.rt.sessions.begin() as session:
        kept = {r.step.step_id for r in step_repo.step_progress(session, lee.user_id, COURSE)}
        assert account_repo.get_user(session, lee.user_id) is not None
    assert "why" in kept
    assert lee.user_id not in {m.user_id for m in world.service.members(world.owner, cohort_id)}
    board = world.reports.dashboard(world.owner, cohort_id)
    assert board.learners == () and board.totals.learners == 0
    assert b"lee@example.org" not in world.reports.export_csv(world.owner, cohort_id)
    assert world.reports.reminders(world.owner, cohort_id) == []
    assert world.service.my_assignments(lee, []) == []

    assert world.service.join(lee, f" {world.cohort.join_code.lower()} ").id == cohort_id
    assert member_ids(world) == {lee.user_id}
    row = world.reports.dashboard(world.owner, cohort_id).learners[0]
    assert (row.user_id, row.cells[0].status) == (lee.user_id, Status.IN_PROGRESS)
    assert [a.module_id for a in world.service.my_assignments(lee, [])] == [MODULE]


def test_a_wrong_or_replaced_code_is_refused(world: World) -> None:
    old = world.cohort.join_code
    new = world.service.new_join_code(world.owner, world.cohort.id)
    joiner = world.person("new@example.org", "Nia New")
    for code in (old, "NOPE-NOPE", ""):
        with pytest.raises(NotFound, match="does not match an open cohort"):
            world.service.join(joiner, code)
    assert joiner.user_id not in member_ids(world)
    world.service.join(joiner, new)
    assert joiner.user_id in member_ids(world)


# Assignments, overdue and reminders


@pytest.mark.parametrize(
    ("zone", "now", "overdue"),
    [
        # Due 10 March. Honolulu is UTC-10: at 05:00 UTC on the 11th it is still the 10th there.
        ("Pacific/Honolulu", datetime(2026, 3, 11, 5, 0, tzinfo=UTC), False),
        ("Pacific/Honolulu", datetime(2026, 3, 11, 10, 30, tzinfo=UTC), True),
        # Auckland is UTC+13: at 12:00 UTC on the 10th it is already the 11th there.
        ("Pacific/Auckland", datetime(2026, 3, 10, 12, 0, tzinfo=UTC), True),
        ("Pacific/Auckland", datetime(2026, 3, 10, 10, 0, tzinfo=UTC), False),
    ],
)
def test_overdue_follows_the_cohorts_time_zone(
    world: World, zone: str, now: datetime, overdue: bool
) -> None:
    cohort_id = world.cohort.id
    world.service.update(
        world.owner, cohort_id, name="Medicine chiefs", time_zone=zone, inactive_after_days=14
    )
    world.service.assign(world.owner, cohort_id, [MODULE], date(2026, 3, 10))
    board = world.reports.dashboard(world.owner, cohort_id, now=now)
    (row,) = board.learners
    assert board.modules[0].due_date == date(2026, 3, 10)
    assert row.cells[0].overdue is overdue
    assert board.totals.overdue_learners == int(overdue)


def test_learners_see_their_assignments_overdue_until_done(world: World) -> None:
    world.service.assign(world.owner, world.cohort.id, [MODULE], date.today() - timedelta(days=3))
    (mine,) = world.service.my_assignments(world.learner, [])
    assert (mine.title, mine.cohort) == ("A sample module", "Medicine chiefs")
    assert mine.overdue
    assert not world.service.my_assignments(world.learner, [MODULE])[0].overdue
    assert world.service.my_assignments(world.owner, []) == []  # not a member


def test_a_future_due_date_is_not_overdue_but_due_soon_is_reminded(world: World) -> None:
    world.service.assign(world.owner, world.cohort.id, [MODULE], date.today() + timedelta(days=2))
    assert not world.reports.dashboard(world.owner, world.cohort.id).learners[0].overdue
    assert not world.service.my_assignments(world.learner, [])[0].overdue
    (soon,) = world.reports.reminders(world.owner, world.cohort.id)  # ALLY_REMINDER_DAYS: 3
    assert (soon.user_id, soon.overdue, len(soon.due_soon)) == (world.learner.user_id, (), 1)
    link = f"{world.rt.settings.public_url}/player?module={MODULE}"
    assert f"Open it here: {link}" in soon.message
    world.service.assign(world.owner, world.cohort.id, [MODULE], date.today() + timedelta(days=4))
    assert world.reports.reminders(world.owner, world.cohort.id) == []


def test_reminders_list_overdue_learners_until_they_finish(world: World) -> None:
    cohort_id = world.cohort.id
    done, late, idle = world.learners(3)
    complete_module(world, done)
    world.learning.complete_lesson(late, MODULE, "why")
    due = date.today() - timedelta(days=2)
    world.service.assign(world.owner, cohort_id, [MODULE], due)

    listed = world.reports.reminders(world.owner, cohort_id)
    assert {r.user_id for r in listed} == {late.user_id, idle.user_id, world.learner.user_id}
    message = next(r for r in listed if r.user_id == late.user_id).message
    assert message.startswith(f"Hi {late.display_name},")
    assert '"A sample module"' in message and "pick up where you left off" in message
    assert message.rstrip().endswith(world.owner.display_name)

    complete_module(world, late)
    after = {r.user_id for r in world.reports.reminders(world.owner, cohort_id)}
    assert after == {idle.user_id, world.learner.user_id}


# Small groups and private reflections


def play_and_answer(
    w: World, learners: list[Actor], path: tuple[str, ...] = BEST_PATH, outcome: str = "done"
) -> None:
    for actor in learners:
        plan = complete_module(w, actor, reflection=f"{SECRET} ({actor.display_name})")
        if path != BEST_PATH:
            play_scenario(w, actor, path)  # plays on: a second attempt, never counted
        w.learning.check_in(actor, plan, outcome, None)
        w.learning.save_self_assessment(actor, Phase.BEFORE, {"ask": 2, "credit": 3})
        w.learning.save_self_assessment(actor, Phase.AFTER, {"ask": 4, "credit": 3})


def first_player_choices(w: World, learners: list[Actor], path: tuple[str, ...]) -> None:
    """Learners whose first finished attempt takes `path`, and who do nothing else."""
    for actor in learners:
        play_scenario(w, actor, path)


def test_four_players_are_too_few_to_show_a_spread(world: World) -> None:
    world.service.remove_member(world.owner, world.cohort.id, world.learner.user_id)
    play_and_answer(world, world.learners(4))
    debrief = world.reports.debrief(world.owner, world.cohort.id, MODULE)
    first = debrief.scenarios[0].decisions[0].choices
    assert (first.learners, first.value) == (0, None)  # four wait, unpublished, for a fifth
    assert first.notice == "Fewer than 5 learners: not shown"
    assert debrief.scenarios[0].basis.learners == 0
    assert debrief.quizzes[0].questions.value is None
    assert debrief.misconceptions.value is None
    assert debrief.commitments.value is None
    board = world.reports.dashboard(world.owner, world.cohort.id)
    assert all(s.means.value is None for s in board.self_assessment)
    assert debrief.facilitator_notes and "speak up" in debrief.facilitator_notes


def test_five_players_show_the_spread_and_never_a_reflection(world: World) -> None:
    world.service.remove_member(world.owner, world.cohort.id, world.learner.user_id)
    players = world.learners(5)
    play_and_answer(world, players)
    cohort_id = world.cohort.id
    debrief = world.reports.debrief(world.owner, cohort_id, MODULE)
    first = debrief.scenarios[0].decisions[0].choices.value
    assert first is not None
    assert {c.choice_id: c.learners for c in first} == {"thank": 5, "explain": 0, "later": 0}
    assert debrief.quizzes[0].questions.value is not None
    outcomes = debrief.commitments.value
    assert outcomes is not None and sum(o.commitments for o in outcomes) == 5
    board = world.reports.dashboard(world.owner, cohort_id)
    assert board.totals.finished_course == 5

    world.service.assign(world.owner, cohort_id, [MODULE], date.today() - timedelta(days=1))
    seen = [
        repr(board),
        repr(debrief),
        repr(world.reports.reminders(world.owner, cohort_id)),
        repr(world.service.members(world.owner, cohort_id)),
        world.reports.export_csv(world.owner, cohort_id).decode("utf-8-sig"),
    ]
    assert "Zebra-private" in repr(SECRET)  # the needle can be found where it is
    for shown in seen:
        assert "Zebra-private" not in shown
        assert "night shift" not in shown


# The attacks on the debrief, through the services the Cohorts page calls


def test_removing_a_member_changes_no_figure(world: World) -> None:
    """The attack in the issue: note decision 1, remove X, reload: nothing may move."""
    cohort_id = world.cohort.id
    world.service.remove_member(world.owner, cohort_id, world.learner.user_id)
    players = world.learners(5)
    play_and_answer(world, players)
    x = world.person("x@example.org", "Xavier Explains", join=True)
    first_player_choices(world, [x], ("explain", "ignore"))
    for newcomer in world.learners(4, prefix="newcomer"):  # four more: X is in the figures now
        first_player_choices(world, [newcomer], BEST_PATH)
    before = world.reports.debrief(world.owner, cohort_id, MODULE)
    spread = before.scenarios[0].decisions[0].choices.value
    assert spread is not None and {c.choice_id: c.learners for c in spread}["explain"] == 1
    board = world.reports.dashboard(world.owner, cohort_id)

    world.service.remove_member(world.owner, cohort_id, x.user_id)

    assert world.reports.debrief(world.owner, cohort_id, MODULE) == before
    after = world.reports.dashboard(world.owner, cohort_id)
    assert (after.self_assessment, after.self_assessment_basis) == (
        board.self_assessment,
        board.self_assessment_basis,
    )
    assert x.user_id not in {r.user_id for r in after.learners}  # status: he is gone from it


def test_one_more_learner_finishing_or_playing_on_changes_no_figure(world: World) -> None:
    cohort_id = world.cohort.id
    world.service.remove_member(world.owner, cohort_id, world.learner.user_id)
    players = world.learners(5)
    play_and_answer(world, players)
    before = world.reports.debrief(world.owner, cohort_id, MODULE)
    assert before.scenarios[0].basis.learners == 5
    assert before.scenarios[0].basis.as_of is not None

    late = world.person("late@example.org", "Late Learner", join=True)
    play_and_answer(world, [late], path=("explain", "ignore"), outcome="not_yet")
    for player in players:  # everyone plays on: second attempts, check-ins, new ratings
        play_scenario(world, player, ("later", "joke"))
        take_quiz(world, player, WRONG_ANSWERS)
        world.learning.save_self_assessment(player, Phase.AFTER, {"ask": 1, "credit": 1})

    assert world.reports.debrief(world.owner, cohort_id, MODULE) == before


def test_the_self_assessment_counts_learners_who_answered_both_phases(world: World) -> None:
    cohort_id = world.cohort.id
    world.service.remove_member(world.owner, cohort_id, world.learner.user_id)
    players = world.learners(5)
    play_and_answer(world, players)
    board = world.reports.dashboard(world.owner, cohort_id)
    ask = next(s for s in board.self_assessment if s.item_id == "ask").means.value
    assert ask is not None and (ask.before, ask.after) == (2.0, 4.0)
    assert board.self_assessment_basis.learners == 5
    for player in players:  # rating again after both phases were complete changes nothing
        world.learning.save_self_assessment(player, Phase.AFTER, {"ask": 1, "credit": 1})
    assert world.reports.dashboard(world.owner, cohort_id).self_assessment == board.self_assessment


# The export


def test_the_export_and_reminders_from_the_pages_dashboard_are_the_same_and_build_none(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    cohort_id = world.cohort.id
    world.service.assign(world.owner, cohort_id, [MODULE], date.today() - timedelta(days=1))
    complete_module(world, world.person("done@example.org", "Dana Done", join=True))
    board = world.reports.dashboard(world.owner, cohort_id)
    built: list[int] = []
    build = world.reports.dashboard
    monkeypatch.setattr(world.reports, "dashboard", lambda a, c: built.append(c) or build(a, c))
    exported = world.reports.export_csv(world.owner, cohort_id, board)
    reminded = world.reports.reminders(world.owner, cohort_id, board)
    assert built == []
    assert exported == world.reports.export_csv(world.owner, cohort_id)
    assert reminded == world.reports.reminders(world.owner, cohort_id)
    emails = {r.email for r in reminded}
    assert emails and "done@example.org" not in emails  # the others are overdue; Dana is done
    assert built == [cohort_id, cohort_id]  # only the calls without the page's dashboard
    # The dashboard in hand is no pass: both still check who asks.
    for outsider in (world.learner, world.other):
        with pytest.raises(PermissionDenied):
            world.reports.export_csv(outsider, cohort_id, board)
        with pytest.raises(PermissionDenied):
            world.reports.reminders(outsider, cohort_id, board)


def test_the_export_parses_back_and_no_cell_is_a_formula(world: World) -> None:
    cohort_id = world.cohort.id
    hacker = world.person("hack@example.org", '=HYPERLINK("http://x")', join=True)
    plus = world.person("plus@example.org", "+1 Plus", join=True)
    complete_module(world, hacker)
    world.learning.complete_lesson(plus, MODULE, "why")
    play_scenario(world, plus, ("explain", "ignore"))
    take_quiz(world, plus, WRONG_ANSWERS)

    data = world.reports.export_csv(world.owner, cohort_id)
    assert b"\r\n" in data
    rows = parse_csv(data)
    assert tuple(rows[0].keys()) == HEADER
    assert not any("scenario" in column.lower() for column in HEADER)
    by_email = {r["email"]: r for r in rows}
    assert len(rows) == 3 == len(by_email)  # one module, three learners

    hacked = by_email["hack@example.org"]
    assert hacked["learner"] == '\'=HYPERLINK("http://x")'
    assert hacked["status"] == "Completed"
    assert hacked["completed"] == world.reports.dashboard(world.owner, cohort_id).today.isoformat()
    assert hacked["best knowledge-check score (%)"] == "100"
    assert by_email["plus@example.org"]["learner"] == "'+1 Plus"
    assert by_email["plus@example.org"]["status"] == "In progress"
    assert by_email["plus@example.org"]["best knowledge-check score (%)"] == "0"
    assert by_email["lee@example.org"]["status"] == "Not started"
    assert by_email["lee@example.org"]["started"] == ""
    for row in rows:
        for cell in row.values():
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
    body = data.decode("utf-8-sig").lower()
    for scenario_word in ("thank", "explain", "ignore", "poor", "flat-end", "rounds"):
        assert scenario_word not in body
