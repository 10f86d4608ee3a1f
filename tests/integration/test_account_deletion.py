"""Deleting an account: confirmed, all or nothing, everything personal gone, tallies untouched."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from modules.services.account_deletion import delete_own_account
from modules.services.accounts import AccountProblem
from modules.services.actors import Actor
from modules.services.certificates import verify
from modules.services.errors import SignedOut, StorageUnavailable
from progress import auth_repo, cohort_repo, sso_repo
from progress.account_repo import create_user
from progress.database import utcnow
from progress.personal_data_repo import personal_tables
from progress.tables import Base
from tests.integration import records_world
from tests.integration.records_world import PASSWORD, World
from tests.integration.test_fault_injection import WriteFault, snapshot

TALLIES = ("cohort_tallies", "cohort_figures")

world = records_world.world  # the fixture, used by name below


def rows_about(w: World, user_id: int) -> dict[str, int]:
    """How many rows of each table name the person (directly, or through a row of his)."""
    counts = {}
    with w.rt.transaction() as session:
        for table, column, parent in personal_tables():
            query = select(func.count()).select_from(table)
            if parent is None:
                query = query.where(column == user_id)
            else:
                query = query.where(
                    column.in_(select(parent.c.id).where(parent.c.user_id == user_id))
                )
            counts[table.name] = session.scalar(query) or 0
    return counts


def tallies(w: World) -> dict[str, list[str]]:
    every = snapshot(w.rt)
    return {name: every[name] for name in TALLIES}


def learner_with_everything(w: World) -> str:
    """The learner completes the course, is counted in the tallies and holds a certificate."""
    w.complete_course()
    w.cohorts.assign(w.owner, w.cohort_id, ["sample"], date.today() + timedelta(days=9))
    w.cohorts.assign(w.owner, w.cohort_id, ["sample"], date.today() + timedelta(days=9))
    (commitment,) = w.learning.record(w.learner).commitments
    w.learning.check_in(w.learner, commitment.id, "partly", "Asked one")
    return w.certificates.issue(w.learner).code


def test_deleting_removes_every_personal_record_and_leaves_the_tallies(world: World) -> None:
    code = learner_with_everything(world)
    before = rows_about(world, world.learner.user_id)
    assert before["reflections"] and before["scenario_choices"] and before["certificates"]
    assert before["commitment_check_ins"] and before["cohort_members"]
    counted = tallies(world)
    assert counted["cohort_tallies"], "the learner's first answers are in the tallies"
    owner_rows = rows_about(world, world.owner.user_id)

    delete_own_account(world.rt, world.learner, PASSWORD)

    assert set(rows_about(world, world.learner.user_id).values()) == {0}
    assert tallies(world) == counted
    assert rows_about(world, world.owner.user_id) == owner_rows
    assert not verify(world.rt, code, "192.0.2.9").valid
    with pytest.raises(SignedOut):
        world.learning.record(world.learner)


def test_every_table_naming_a_person_is_covered() -> None:
    """A table added later with a user id is exported and deleted without a change elsewhere."""
    covered = {table.name for table, _column, _parent in personal_tables()}
    naming = {
        t.name
        for t in Base.metadata.sorted_tables
        if any(fk.column.table.name == "users" for c in t.columns for fk in c.foreign_keys)
        and "user_id" in t.c
    }
    assert naming <= covered
    assert {"commitment_check_ins", "scenario_choices", "users"} <= covered


def test_a_wrong_password_deletes_nothing(world: World) -> None:
    learner_with_everything(world)
    before = rows_about(world, world.learner.user_id)
    with pytest.raises(AccountProblem, match="not your password. Nothing was deleted"):
        delete_own_account(world.rt, world.learner, "not the passphrase")
    with pytest.raises(AccountProblem, match="Enter your password"):
        delete_own_account(world.rt, world.learner, "")
    assert rows_about(world, world.learner.user_id) == before


def test_wrong_passwords_are_throttled_like_sign_ins(world: World) -> None:
    now = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)  # every attempt at one moment
    for _ in range(5):
        with pytest.raises(AccountProblem, match="not your password"):
            delete_own_account(world.rt, world.learner, "guess", now=now)
    with pytest.raises(AccountProblem, match="Too many wrong passwords"):
        delete_own_account(world.rt, world.learner, PASSWORD, now=now)
    assert rows_about(world, world.learner.user_id)["users"] == 1


def test_an_account_without_a_password_needs_a_fresh_sign_in(world: World) -> None:
    """A fresh sign-in at the provider (/auth/sso/reauth) within ten minutes, from this browser:
    a new session alone is not one (the provider may sign him in without asking)."""
    with world.rt.transaction() as session:
        sso = create_user(session, "sso@example.org", "Sam Single", None)
        fresh = auth_repo.start_auth_session(session, sso.id)
        stale = auth_repo.start_auth_session(session, sso.id)
        other = auth_repo.start_auth_session(session, sso.id)
        minutes_ago = utcnow() - timedelta(minutes=11)
        sso_repo.record_reauthentication(session, auth_repo.token_hash(stale.token), minutes_ago)
        sso_repo.record_reauthentication(session, auth_repo.token_hash(fresh.token), utcnow())
    actor = Actor(sso.id, sso.display_name, frozenset(sso.roles))
    with pytest.raises(AccountProblem, match="sign in again"):
        delete_own_account(world.rt, actor, "")  # no browser session at all
    for session_of in (stale, other):  # signed in afresh too long ago; never
        browser = Actor(sso.id, "", frozenset(), auth_repo.token_hash(session_of.token))
        with pytest.raises(AccountProblem, match="sign in again"):
            delete_own_account(world.rt, browser, "")
    assert rows_about(world, sso.id)["users"] == 1
    fresh_actor = Actor(sso.id, "", frozenset(), auth_repo.token_hash(fresh.token))
    delete_own_account(world.rt, fresh_actor, "")
    assert rows_about(world, sso.id)["users"] == 0


def test_the_last_administrator_cannot_delete_himself(world: World) -> None:
    world.cohorts.add_facilitator(world.owner, world.cohort_id, "olu@example.org")
    with pytest.raises(AccountProblem, match="only administrator"):
        delete_own_account(world.rt, world.owner, PASSWORD)
    assert rows_about(world, world.owner.user_id)["users"] == 1


def test_a_cohort_is_never_left_without_a_facilitator(world: World) -> None:
    fay = world.person("fay@example.org", "Fay Facilitator", ("facilitator",))
    cohort = world.cohorts.create(fay, "Surgery leads", "UTC")
    with pytest.raises(AccountProblem, match="only facilitator of “Surgery leads”"):
        delete_own_account(world.rt, fay, PASSWORD)
    assert rows_about(world, fay.user_id)["cohort_facilitators"] == 1
    assert world.cohorts.facilitators(world.owner, cohort.id)[0].user_id == fay.user_id


def test_a_facilitators_assignments_stay_and_his_cohort_passes_on(world: World) -> None:
    fay = world.person("fay@example.org", "Fay Facilitator", ("facilitator",))
    cohort = world.cohorts.create(fay, "Surgery leads", "UTC")
    world.cohorts.add_facilitator(fay, cohort.id, "olu@example.org")
    world.cohorts.assign(fay, cohort.id, ["sample"], date.today() + timedelta(days=5))
    delete_own_account(world.rt, fay, PASSWORD)
    (assignment,) = world.cohorts.assignments(world.owner, cohort.id)
    assert (assignment.module_id, assignment.assigned_by, assignment.assigned_by_name) == (
        "sample", None, None,
    )  # fmt: skip
    (heir,) = world.cohorts.facilitators(world.owner, cohort.id)
    assert (heir.user_id, heir.is_owner) == (world.owner.user_id, True)
    with world.rt.transaction() as session:
        assert cohort_repo.get_cohort(session, cohort.id) is not None


def test_a_fault_at_any_write_of_a_deletion_keeps_everything(world: World) -> None:
    learner_with_everything(world)
    fault = WriteFault(world.rt.engine)
    faults = 0
    for n in range(1, 80):
        before = snapshot(world.rt)
        fault.arm(n)
        try:
            delete_own_account(world.rt, world.learner, PASSWORD)
        except StorageUnavailable:
            assert fault.fired
            after = snapshot(world.rt)
            # The password check's throttle bucket is committed on its own, before deleting.
            for throttle in ("sign_in_clients", "sign_in_attempts"):
                before.pop(throttle), after.pop(throttle)
            assert after == before, f"write {n} failed but the deletion left a change"
            faults += 1
            continue
        finally:
            fault.disarm()
        break
    else:
        pytest.fail("still failing after 79 writes")
    assert faults >= 10, "the deletion writes in several steps, each faulted once"
    assert set(rows_about(world, world.learner.user_id).values()) == {0}
