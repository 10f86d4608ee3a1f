"""An assignment outlives the facilitator who set it: shown as set by "a former facilitator"."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from streamlit.testing.v1 import AppTest

from modules.course.validation import validate_directory
from modules.services.account_deletion import delete_own_account
from modules.services.actors import Actor
from modules.services.cohorts import CohortService
from modules.services.runtime import runtime
from progress.account_repo import create_user
from progress.passwords import hash_password
from tests.ui.conftest import SAMPLE
from tests.ui.test_cohort_pages import cohorts_page, page_text

PASSWORD = "a long passphrase for fay"


def test_the_assignments_table_names_who_set_each(
    app_as: Callable[..., AppTest], facilitator: Actor
) -> None:
    content = validate_directory(SAMPLE).content
    assert content is not None
    service = CohortService(runtime(), content)
    with runtime().sessions.begin() as session:
        user = create_user(
            session, "gus@example.org", "Gus Guest", hash_password(PASSWORD), ("facilitator",)
        )
    gus = Actor(user.id, user.display_name, frozenset(user.roles))
    cohort = service.create(facilitator, "Cardiology crew", "America/Chicago")
    service.add_facilitator(facilitator, cohort.id, "gus@example.org")
    service.assign(gus, cohort.id, ["sample"], date.today() + timedelta(days=7))
    shown = page_text(cohorts_page(app_as, facilitator, cohort=str(cohort.id)))
    assert "Gus Guest" in shown
    delete_own_account(runtime(), gus, PASSWORD)
    shown = page_text(cohorts_page(app_as, facilitator, cohort=str(cohort.id)))
    assert "a former facilitator" in shown and "Gus Guest" not in shown
