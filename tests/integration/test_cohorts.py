"""Cohorts: join codes, facilitators, membership that keeps records, assignments."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from progress.cohort_repo import (
    JOIN_CODE_ALPHABET,
    CohortRecord,
    add_facilitator,
    add_member,
    all_cohorts,
    archive_cohort,
    assignments,
    assignments_for_learner,
    cohort_by_join_code,
    cohorts_facilitated_by,
    cohorts_of_learner,
    create_cohort,
    facilitators,
    get_cohort,
    is_cohort_facilitator,
    members,
    new_join_code,
    remove_assignment,
    remove_facilitator,
    remove_member,
    restore_cohort,
    set_assignment,
    update_cohort,
)
from progress.errors import RecordNotFound
from progress.step_repo import StepRef, mark_step_completed, step_progress
from progress.tables import CohortRow

from .conftest import add_user

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def new_cohort(session: Session, owner: int, name: str = "Spring 2026") -> CohortRecord:
    return create_cohort(
        session, course_id="ally", name=name, time_zone="Europe/London", owner_id=owner, now=NOW
    )


@pytest.fixture
def owner(session: Session) -> int:
    return add_user(session, "owner@example.org")


def test_a_new_cohort_has_its_settings_and_an_unambiguous_code(
    session: Session, owner: int
) -> None:
    cohort = new_cohort(session, owner, name="  Spring 2026 ")
    assert (cohort.course_id, cohort.name) == ("ally", "Spring 2026")
    assert cohort.time_zone == "Europe/London"
    assert (cohort.inactive_after_days, cohort.created_at, cohort.archived_at) == (14, NOW, None)
    assert len(cohort.join_code) == 8
    assert set(cohort.join_code) <= set(JOIN_CODE_ALPHABET)
    assert not set(cohort.join_code) & set("0O1IL")
    assert get_cohort(session, cohort.id) == cohort
    assert get_cohort(session, cohort.id + 100) is None


def test_join_codes_are_unique(session: Session, owner: int) -> None:
    codes = {new_cohort(session, owner, f"Cohort {n}").join_code for n in range(40)}
    assert len(codes) == 40


def test_the_join_code_column_refuses_duplicates(session: Session, owner: int) -> None:
    first, second = new_cohort(session, owner, "A"), new_cohort(session, owner, "B")
    with pytest.raises(IntegrityError):
        with session.begin_nested():
            session.execute(
                update(CohortRow).where(CohortRow.id == second.id).values(join_code=first.join_code)
            )


@pytest.mark.parametrize(
    "typed", ["{code}", "{lower}", " {lower} ", "{a}-{b}", "{a} {b}", "{a}\t- {b}"]
)
def test_a_code_is_found_however_it_is_typed(session: Session, owner: int, typed: str) -> None:
    cohort = new_cohort(session, owner)
    code = cohort.join_code
    text = typed.format(code=code, lower=code.lower(), a=code[:4].lower(), b=code[4:])
    assert cohort_by_join_code(session, text) == cohort


@pytest.mark.parametrize("typed", ["", "ABCDEFGH", "x"])
def test_an_unknown_code_finds_nothing(session: Session, owner: int, typed: str) -> None:
    new_cohort(session, owner)
    assert cohort_by_join_code(session, typed) is None


def test_a_new_join_code_replaces_the_old_one(session: Session, owner: int) -> None:
    cohort = new_cohort(session, owner)
    code = new_join_code(session, cohort.id)
    assert code != cohort.join_code
    assert cohort_by_join_code(session, cohort.join_code) is None
    found = cohort_by_join_code(session, code)
    assert found is not None and found.id == cohort.id
    with pytest.raises(RecordNotFound):
        new_join_code(session, cohort.id + 100)


def test_settings_are_updated_one_by_one(session: Session, owner: int) -> None:
    cohort = new_cohort(session, owner)
    renamed = update_cohort(session, cohort.id, name=" Autumn ")
    assert (renamed.name, renamed.time_zone) == ("Autumn", "Europe/London")
    changed = update_cohort(session, cohort.id, time_zone="America/Toronto", inactive_after_days=7)
    assert (changed.name, changed.time_zone, changed.inactive_after_days) == (
        "Autumn",
        "America/Toronto",
        7,
    )
    with pytest.raises(RecordNotFound):
        update_cohort(session, cohort.id + 100, name="x")


def test_archiving_hides_a_cohort_until_restored(session: Session, owner: int) -> None:
    kept, archived = new_cohort(session, owner, "Kept"), new_cohort(session, owner, "Old")
    later = NOW + timedelta(days=1)
    assert archive_cohort(session, archived.id, now=later).archived_at == later
    assert archive_cohort(session, archived.id, now=later + timedelta(days=1)).archived_at == later
    assert [c.id for c in all_cohorts(session)] == [kept.id]
    assert [c.id for c in all_cohorts(session, include_archived=True)] == [kept.id, archived.id]
    assert [c.id for c in cohorts_facilitated_by(session, owner)] == [kept.id]
    assert restore_cohort(session, archived.id).archived_at is None
    assert [c.name for c in cohorts_facilitated_by(session, owner)] == ["Kept", "Old"]


def test_facilitators_owners_first(session: Session, owner: int) -> None:
    cohort = new_cohort(session, owner)
    helper = add_user(session, "helper@example.org")
    stranger = add_user(session, "stranger@example.org")
    add_facilitator(session, cohort.id, helper)
    add_facilitator(session, cohort.id, helper)
    assert [(f.email, f.is_owner) for f in facilitators(session, cohort.id)] == [
        ("owner@example.org", True),
        ("helper@example.org", False),
    ]
    assert is_cohort_facilitator(session, cohort.id, helper)
    assert not is_cohort_facilitator(session, cohort.id, stranger)
    assert cohorts_facilitated_by(session, stranger) == []
    add_facilitator(session, cohort.id, owner)  # adding again never demotes
    assert facilitators(session, cohort.id)[0].is_owner
    remove_facilitator(session, cohort.id, helper)
    assert not is_cohort_facilitator(session, cohort.id, helper)
    assert [f.user_id for f in facilitators(session, cohort.id)] == [owner]


def test_membership_add_remove_and_readd_keeps_records(session: Session, owner: int) -> None:
    cohort = new_cohort(session, owner)
    learner = add_user(session, "learner@example.org")
    assert add_member(session, cohort.id, learner, now=NOW)
    assert not add_member(session, cohort.id, learner, now=NOW + timedelta(hours=1))
    mark_step_completed(session, learner, StepRef("ally", "m1", "s1"), "v1", now=NOW)
    remove_member(session, cohort.id, learner, now=NOW + timedelta(days=1))
    remove_member(session, cohort.id, learner, now=NOW + timedelta(days=2))
    assert members(session, cohort.id) == []
    assert cohorts_of_learner(session, learner) == []
    assert len(step_progress(session, learner, "ally")) == 1
    rejoined = NOW + timedelta(days=3)
    assert add_member(session, cohort.id, learner, now=rejoined)
    [member] = members(session, cohort.id)
    assert (member.user_id, member.email) == (learner, "learner@example.org")
    assert member.joined_at == rejoined
    assert [c.id for c in cohorts_of_learner(session, learner)] == [cohort.id]


def test_members_are_listed_by_name(session: Session, owner: int) -> None:
    cohort = new_cohort(session, owner)
    for email in ("zed@example.org", "amy@example.org"):
        add_member(session, cohort.id, add_user(session, email))
    assert [m.email for m in members(session, cohort.id)] == ["amy@example.org", "zed@example.org"]


def test_a_learner_sees_only_active_unarchived_cohorts(session: Session, owner: int) -> None:
    learner = add_user(session, "learner@example.org")
    a, b, c = (new_cohort(session, owner, name) for name in ("A", "B", "C"))
    for cohort in (a, b, c):
        add_member(session, cohort.id, learner)
    archive_cohort(session, b.id)
    remove_member(session, c.id, learner)
    assert [cohort.id for cohort in cohorts_of_learner(session, learner)] == [a.id]


def test_an_assignment_is_upserted_per_module(session: Session, owner: int) -> None:
    cohort = new_cohort(session, owner)
    helper = add_user(session, "helper@example.org")
    first = set_assignment(session, cohort.id, "m1", date(2026, 4, 1), owner, now=NOW)
    assert (first.module_id, first.due_date, first.assigned_by, first.created_at) == (
        "m1",
        date(2026, 4, 1),
        owner,
        NOW,
    )
    moved = set_assignment(session, cohort.id, "m1", date(2026, 4, 8), helper)
    assert (moved.due_date, moved.assigned_by, moved.created_at) == (date(2026, 4, 8), helper, NOW)
    set_assignment(session, cohort.id, "m2", date(2026, 3, 20), owner)
    assert [(a.module_id, a.due_date) for a in assignments(session, cohort.id)] == [
        ("m2", date(2026, 3, 20)),
        ("m1", date(2026, 4, 8)),
    ]
    remove_assignment(session, cohort.id, "m2")
    assert [a.module_id for a in assignments(session, cohort.id)] == ["m1"]


def test_a_learner_sees_the_assignments_of_their_active_cohorts(
    session: Session, owner: int
) -> None:
    learner = add_user(session, "learner@example.org")
    mine, left, archived, other = (new_cohort(session, owner, n) for n in "ABCD")
    for cohort in (mine, left, archived):
        add_member(session, cohort.id, learner)
    remove_member(session, left.id, learner)
    archive_cohort(session, archived.id)
    for cohort in (mine, left, archived, other):
        set_assignment(session, cohort.id, "m1", date(2026, 4, 1), owner)
    set_assignment(session, mine.id, "m2", date(2026, 3, 1), owner)
    found = assignments_for_learner(session, learner)
    assert [(c.id, a.module_id) for c, a in found] == [(mine.id, "m2"), (mine.id, "m1")]


def test_deleting_a_cohort_takes_its_memberships_not_the_learner(
    session: Session, owner: int
) -> None:
    cohort = new_cohort(session, owner)
    learner = add_user(session, "learner@example.org")
    add_member(session, cohort.id, learner)
    session.execute(delete(CohortRow).where(CohortRow.id == cohort.id))
    assert cohorts_of_learner(session, learner) == []
    assert members(session, cohort.id) == []
