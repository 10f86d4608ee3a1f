"""The facilitator's views through AppTest: reminders for overdue and due-soon modules with a
link to each, the sample cohort filled in and labelled, the roster's wording, the Assign form
starting afresh, and Course content without the server's paths."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest
from streamlit.testing.v1 import AppTest

from modules.cohorts.sample import LEARNERS
from modules.course.models import CourseContent
from modules.course.validation import validate_directory
from modules.services.actors import Actor
from modules.services.cohorts import CohortService
from modules.services.runtime import runtime
from modules.services.sample_cohort import create_sample_cohort
from modules.ui.facilitate import TABS
from progress.cohort_repo import CohortRecord
from tests.ui.conftest import SAMPLE
from tests.ui.test_cohort_pages import cohorts_page, tab_text, table

AppAs = Callable[..., AppTest]
MakePerson = Callable[..., Actor]


@pytest.fixture
def content(app_env: object) -> CourseContent:
    found = validate_directory(SAMPLE).content
    assert found is not None
    return found


@pytest.fixture
def service(content: CourseContent) -> CohortService:
    return CohortService(runtime(), content)


@pytest.fixture
def owner(facilitator: Actor, make_person: MakePerson) -> Actor:
    return make_person("olu@example.org", "Olu Owner", ("learner", "facilitator"))


@pytest.fixture
def cohort(service: CohortService, owner: Actor) -> CohortRecord:
    return service.create(owner, "Cardiology crew", "UTC")


def joined(service: CohortService, cohort: CohortRecord, make_person: MakePerson) -> Actor:
    person = make_person("lee@example.org", "Lee Late")
    service.join(person, cohort.join_code)
    return person


# Reminders


@pytest.mark.parametrize(
    ("days", "title", "says"),
    [
        (-2, "Lee Late · 1 overdue", "was due on"),
        (0, "Lee Late · 1 due soon", "is due today."),
        (3, "Lee Late · 1 due soon", "is due on"),
    ],
)
def test_reminders_for_overdue_and_due_soon_link_the_module(
    app_as: AppAs,
    owner: Actor,
    cohort: CohortRecord,
    service: CohortService,
    make_person: MakePerson,
    monkeypatch: pytest.MonkeyPatch,
    days: int,
    title: str,
    says: str,
) -> None:
    monkeypatch.setenv("ALLY_PUBLIC_URL", "https://ally.example-hospital.org/")
    joined(service, cohort, make_person)
    service.assign(owner, cohort.id, ["sample"], date.today() + timedelta(days=days))
    at = cohorts_page(app_as, owner, cohort=str(cohort.id))
    assert [e.label for e in at.expander if "Lee" in e.label] == [title]
    (message,) = [c.value for c in at.code if str(c.value).startswith("Hi Lee Late,")]
    assert says in message
    assert "Open it here: https://ally.example-hospital.org/player?module=sample" in message
    assert message.rstrip().endswith("Olu Owner")


def test_no_reminder_before_the_due_soon_window_and_the_window_is_a_setting(
    app_as: AppAs,
    owner: Actor,
    cohort: CohortRecord,
    service: CohortService,
    make_person: MakePerson,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    joined(service, cohort, make_person)
    service.assign(owner, cohort.id, ["sample"], date.today() + timedelta(days=6))
    at = cohorts_page(app_as, owner, cohort=str(cohort.id))
    assert not [e for e in at.expander if "Lee" in e.label]
    assert "overdue or due within 3 days" in tab_text(at, "Assignments")
    monkeypatch.setenv("ALLY_REMINDER_DAYS", "7")
    at = cohorts_page(app_as, owner, cohort=str(cohort.id))
    assert [e.label for e in at.expander if "Lee" in e.label] == ["Lee Late · 1 due soon"]
    assert "1 learner has one due within 7 days. Copy a message" in tab_text(at, "Assignments")


# The sample cohort


def test_the_sample_cohort_is_labelled_and_every_view_is_filled_in(
    app_as: AppAs, owner: Actor, content: CourseContent, service: CohortService
) -> None:
    made = create_sample_cohort(runtime(), content, "olu@example.org")
    at = cohorts_page(app_as, owner, cohort=str(made.cohort.id))
    assert not at.error
    assert [t.label for t in at.tabs] == list(TABS)
    (chooser,) = [s for s in at.selectbox if s.label == "Cohort"]
    assert chooser.options == ["Sample cohort (made-up learners)"]
    assert "A sample cohort of made-up learners" in at.info[0].value
    assert "python -m progress demo --remove" in at.info[0].value
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Learners"] == str(len(LEARNERS))
    names = {row["Learner"] for row in table(at, "Dashboard")}
    assert names == {learner.name for learner in LEARNERS}
    dashboard = tab_text(at, "Dashboard")
    assert "A sample cohort has no export" in dashboard
    assert "Download progress (CSV)" not in dashboard
    assert "Self-assessment: before and after" in dashboard
    assert "Shown once" not in dashboard  # the means are shown, not withheld
    spread = table(at, "Debrief")  # the first decision's first choices, not withheld
    assert sum(row["Learners"] for row in spread) >= runtime().settings.min_group
    people = tab_text(at, "People")
    assert "nobody can join it" in people and made.cohort.join_code not in people
    assert not at.get("file_uploader")  # no roster import into a sample
    assert "Hi " in tab_text(at, "Assignments")  # its reminders are there to look at


def test_a_new_cohorts_debrief_says_once_why_it_is_empty_and_where_to_see_one_filled(
    app_as: AppAs, owner: Actor, cohort: CohortRecord
) -> None:
    at = cohorts_page(app_as, owner, cohort=str(cohort.id))
    debrief = tab_text(at, "Debrief")
    assert debrief.count("Nothing to show yet") == 1
    assert "python -m progress demo --owner" in debrief
    assert "Decision 1" not in debrief  # no box per decision saying the same thing


# Smaller things


ONE_NEW = b"email,name\nnew.person@example.org,New Person\n"


def test_a_roster_of_one_says_person_not_people(
    app_as: AppAs, owner: Actor, cohort: CohortRecord
) -> None:
    at = cohorts_page(app_as, owner, cohort=str(cohort.id))
    at.file_uploader(key="roster-file").upload("roster.csv", ONE_NEW, "text/csv").run()
    assert at.button(key="roster-confirm").label == "Add 1 person"
    at.button(key="roster-confirm").click().run()
    assert not at.exception, at.exception
    assert at.success[0].value == "Added 1 person."


def test_the_assign_form_starts_empty_after_an_assignment_and_keeps_a_failed_one(
    app_as: AppAs, owner: Actor, cohort: CohortRecord, service: CohortService
) -> None:
    at = cohorts_page(app_as, owner, cohort=str(cohort.id))
    (assign,) = [m for m in at.multiselect if m.label == "Or these modules"]
    assign.set_value(["sample"])
    next(b for b in at.button if b.label == "Assign").click().run()
    assert not at.exception, at.exception
    assert [a.module_id for a in service.assignments(owner, cohort.id)] == ["sample"]
    (fresh,) = [m for m in at.multiselect if m.label == "Or these modules"]
    assert fresh.value == []  # not the module just assigned, ready to be assigned again
    next(b for b in at.button if b.label == "Assign").click().run()  # nothing chosen
    assert [e.value for e in at.error] == ["Choose modules of this course to assign."]


def test_course_content_names_the_folder_not_the_servers_absolute_path(
    app_as: AppAs, owner: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(SAMPLE.parents[2])  # the app's folder: the repository
    at = app_as(owner)
    at.switch_page("pages/content_health.py")
    at.run()
    assert not at.exception, at.exception
    commands = [c.value for c in at.code if "python -m modules validate" in str(c.value)]
    assert commands == ["python -m modules validate tests/data/valid"]
    assert str(SAMPLE) not in "\n".join(str(c.value) for c in at.code)
