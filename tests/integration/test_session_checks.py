"""A sign-out, an expired session, a deleted account or a role change takes effect on the very
next service call, in every tab: services check the caller in their own unit of work.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select, update

from modules.course.validation import validate_directory
from modules.services import accounts as account_services
from modules.services.actors import Actor
from modules.services.cohorts import CohortService
from modules.services.errors import PermissionDenied, SignedOut
from modules.services.learning import LearningService
from modules.services.practice import Practice
from modules.services.runtime import Runtime, runtime
from modules.settings import Settings
from progress import account_repo
from progress.database import utcnow
from progress.tables import AuthSessionRow, ScenarioChoiceRow, UserRow

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "tests" / "data" / "valid"
PASSWORD = "a long enough password"


@pytest.fixture
def rt(database_url: str) -> Iterator[Runtime]:
    made = runtime(Settings(database_url=database_url, content_dir=SAMPLE))
    yield made
    made.engine.dispose()


@pytest.fixture
def learning(rt: Runtime) -> LearningService:
    content = validate_directory(SAMPLE).content
    assert content is not None
    return LearningService(rt.uow, content)


def signed_in(rt: Runtime, email: str) -> tuple[Actor, str]:
    """Sign up (a password account) and return the actor a browser tab holds, with its token."""
    account_services.sign_up(rt, email, "Someone", PASSWORD)
    tab = account_services.sign_in(rt, email, PASSWORD)
    return tab.actor, tab.token


def end_by_sign_out(rt: Runtime, token: str, actor: Actor) -> None:
    account_services.sign_out(rt, token)


def end_by_expiry(rt: Runtime, token: str, actor: Actor) -> None:
    with rt.transaction() as session:
        session.execute(update(AuthSessionRow).values(expires_at=utcnow()))


def end_by_deletion(rt: Runtime, token: str, actor: Actor) -> None:
    with rt.transaction() as session:
        session.execute(delete(UserRow).where(UserRow.id == actor.user_id))


Ending = Callable[[Runtime, str, Actor], None]


@pytest.mark.parametrize("end", [end_by_sign_out, end_by_expiry, end_by_deletion])
def test_a_tab_whose_session_ended_is_refused_on_its_next_call(
    rt: Runtime, learning: LearningService, end: Ending
) -> None:
    signed_in(rt, "admin@example.org")  # the first account: administrator
    actor, token = signed_in(rt, "lee@example.org")
    other_tab = actor  # the same person in another tab holds the same Actor
    assert learning.overview(other_tab).modules
    practice = Practice(learning)
    shown = practice.scenario_view(other_tab, "sample", "rounds")  # on screen in that tab
    end(rt, token, actor)
    calls: list[Callable[[], object]] = [
        lambda: practice.choose(
            other_tab, "sample", "rounds", shown.attempt_id, 0, "thank", shown=shown
        ),
        lambda: learning.overview(other_tab),
        lambda: learning.complete_lesson(other_tab, "sample", "why"),
        lambda: learning.save_reflection(other_tab, "sample", "think", "Ask Dr. Rivera"),
        lambda: practice.scenario_view(other_tab, "sample", "rounds"),
    ]
    for call in calls:
        with pytest.raises(SignedOut):
            call()
    with rt.transaction() as session:  # the choice was not stored
        assert session.scalar(select(func.count()).select_from(ScenarioChoiceRow)) == 0


def test_a_demoted_facilitator_loses_preview_and_cohorts_on_the_next_call(
    rt: Runtime, learning: LearningService
) -> None:
    admin, _ = signed_in(rt, "admin@example.org")
    fay, _ = signed_in(rt, "fay@example.org")
    account_services.set_roles(rt, admin, fay.user_id, ["learner", "facilitator"])
    fay = account_services.sign_in(rt, "fay@example.org", PASSWORD).actor
    cohorts = CohortService(rt, learning.content)
    cohorts.create(fay, "Medicine chiefs", "America/Chicago")
    Practice(learning).scenario_view(fay, "sample", "rounds", preview=True)
    account_services.set_roles(rt, admin, fay.user_id, ["learner"])
    assert fay.is_facilitator  # the tab's Actor still says so: the services must not trust it
    with pytest.raises(PermissionDenied):
        Practice(learning).scenario_view(fay, "sample", "rounds", preview=True)
    with pytest.raises(PermissionDenied):
        cohorts.mine(fay)
    with rt.transaction() as session:
        assert account_repo.get_user(session, fay.user_id) is not None  # still a learner
    assert learning.overview(fay).modules
