"""The facilitator's Cohorts page, the Join page and Home's assignments, through AppTest."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from modules.course.models import CourseContent
from modules.course.validation import validate_directory
from modules.services.actors import Actor
from modules.services.cohort_reports import CohortReports
from modules.services.cohorts import CohortService
from modules.services.learning import LearningService
from modules.services.practice import Practice
from modules.services.runtime import runtime
from progress import account_repo, cohort_repo
from progress.cohort_repo import CohortRecord
from tests.ui.conftest import SAMPLE

AppAs = Callable[..., AppTest]
MakePerson = Callable[..., Actor]
TABS = ["Dashboard", "Debrief", "People", "Assignments", "Settings"]
FACILITATING = ("learner", "facilitator")
MODULE = "sample"


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
    """A facilitator (not an administrator: `facilitator`, the first account, is one)."""
    return make_person("olu@example.org", "Olu Owner", FACILITATING)


@pytest.fixture
def cohort(service: CohortService, owner: Actor) -> CohortRecord:
    return service.create(owner, "Cardiology crew", "America/Chicago")


def cohorts_page(app_as: AppAs, actor: Actor, **query: str) -> AppTest:
    at = app_as(actor, **query)
    at.switch_page("pages/cohorts.py")
    at.run()
    assert not at.exception, at.exception
    return at


def walk(node: Any) -> Iterator[Any]:
    yield node
    for child in getattr(node, "children", {}).values():
        yield from walk(child)


def page_text(at: AppTest) -> str:
    """Every element's content, widgets' options and tables included."""
    parts = []
    for node in [*walk(at.main), *walk(at.sidebar)]:
        parts.append(str(getattr(node, "proto", "")))
        value: Any = getattr(node, "value", None)
        if hasattr(value, "to_csv"):  # a dataframe
            parts.append(value.to_csv())
    return "\n".join(parts)


def tab_text(at: AppTest, label: str) -> str:
    (tab,) = [t for t in at.tabs if t.label == label]
    return "\n".join(str(getattr(node, "proto", "")) for node in walk(tab))


def table(at: AppTest, tab: str, index: int = 0) -> list[dict[str, Any]]:
    (found,) = [t for t in at.tabs if t.label == tab]
    frames = [node for node in walk(found) if type(node).__name__ == "Dataframe"]
    records: list[dict[str, Any]] = frames[index].value.to_dict("records")
    return records


def complete_module(
    content: CourseContent, actor: Actor, path: tuple[str, ...] = ("thank", "plan", "follow")
) -> None:
    learning = LearningService(runtime().uow, content)
    practice = Practice(learning)
    learning.complete_lesson(actor, MODULE, "why")
    view = practice.scenario_view(actor, MODULE, "rounds")
    for position, choice in enumerate(path):
        view = practice.choose(actor, MODULE, "rounds", view.attempt_id, position, choice)
    quiz = practice.quiz_view(actor, MODULE, "check")
    practice.submit_quiz(actor, MODULE, "check", quiz.attempt_id, {"q1": ["a"], "q2": ["a", "c"]})
    learning.save_reflection(actor, MODULE, "think", "Private words about my own team.")
    learning.save_commitment(
        actor, MODULE, "plan", "rounds end", "ask a resident", date.today() + timedelta(days=7)
    )


# The Cohorts page


def test_every_tab_renders_for_an_empty_cohort(
    app_as: AppAs, owner: Actor, cohort: CohortRecord
) -> None:
    at = cohorts_page(app_as, owner)
    assert at.title[0].value == "Cohorts"
    assert [t.label for t in at.tabs] == TABS
    assert not at.error
    assert "Nobody has joined yet" in tab_text(at, "Dashboard")
    assert "Scenario: After rounds" in tab_text(at, "Debrief")
    people = tab_text(at, "People")
    assert cohort.join_code in people and "Members (0)" in people and "Nobody yet." in people
    assignments = tab_text(at, "Assignments")
    assert "Nothing assigned yet" in assignments
    assert "Nobody has an assigned module overdue or due within 3 days" in assignments
    assert "Cardiology crew" in tab_text(at, "Settings")
    assert at.query_params["cohort"] == str(cohort.id)


def test_every_tab_renders_with_members_progress_and_an_overdue_assignment(
    app_as: AppAs,
    make_person: MakePerson,
    owner: Actor,
    cohort: CohortRecord,
    service: CohortService,
    content: CourseContent,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    people = [make_person(f"l{n}@example.org", f"Learner {n}") for n in range(6)]
    for person in people:
        service.join(person, cohort.join_code)
    for person in people[:5]:  # enough for the debrief to show its spreads
        complete_module(content, person)
    service.assign(owner, cohort.id, [MODULE], date.today() - timedelta(days=20))
    built: list[int] = []
    build = CohortReports.dashboard
    monkeypatch.setattr(
        CohortReports, "dashboard", lambda self, a, c: built.append(c) or build(self, a, c)
    )

    at = cohorts_page(app_as, owner)
    # One build for the dashboard, its export and the reminders: each takes ~60-130 ms for a
    # cohort of 500 (bench/dashboard.py).
    assert built == [cohort.id]
    assert [t.label for t in at.tabs] == TABS
    assert not at.error
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Learners"] == "6" and metrics["Overdue"] == "1"
    assert metrics["Modules completed"] == "83%"
    matrix = {row["Learner"]: row["1"] for row in table(at, "Dashboard")}
    assert matrix["Learner 0"] == "✓ Done"
    assert matrix["Learner 5"] == "– Late"
    assert "Download progress (CSV)" in tab_text(at, "Dashboard")
    assert "1 A sample module" in tab_text(at, "Dashboard")  # the numbered columns' legend

    first = {row["Option"]: row["Learners"] for row in table(at, "Debrief")}
    assert first == {
        "Thank her and ask for an example.": 5,
        "Explain that rounds ran late today.": 0,
        "Say you will talk about it later.": 0,
    }
    assert "Private words" not in page_text(at)

    assert [r["Name"] for r in table(at, "People")] == [f"Learner {n}" for n in range(6)]
    (assigned,) = table(at, "Assignments")
    assert assigned["Module"] == "A sample module"
    reminders = tab_text(at, "Assignments")
    assert "1 learner has an assigned module past its due date" in reminders
    assert "Learner 5 · 1 overdue" in reminders
    assert "Hi Learner 5," in reminders
    assert "Cardiology crew" in tab_text(at, "Settings")


def test_the_debrief_says_its_basis_and_removing_a_member_moves_nothing(
    app_as: AppAs,
    make_person: MakePerson,
    owner: Actor,
    cohort: CohortRecord,
    service: CohortService,
    content: CourseContent,
) -> None:
    people = [make_person(f"l{n}@example.org", f"Learner {n}") for n in range(6)]
    for person in people:
        service.join(person, cohort.join_code)
    for person in people[:5]:
        complete_module(content, person)
    complete_module(content, people[5], ("explain", "ignore"))  # the only one: 'explain'

    at = cohorts_page(app_as, owner)
    first = table(at, "Debrief")
    assert {row["Option"]: row["Learners"] for row in first}[
        "Explain that rounds ran late today."
    ] == 1
    debrief = tab_text(at, "Debrief")
    assert "Over 6 learners, as of " in debrief
    assert "not even by comparing two views" in debrief

    service.remove_member(owner, cohort.id, people[5].user_id)
    again = cohorts_page(app_as, owner)
    assert table(again, "Debrief") == first
    assert "Over 6 learners, as of " in tab_text(again, "Debrief")
    assert [r["Name"] for r in table(again, "People")] == [f"Learner {n}" for n in range(5)]


def test_the_privacy_page_says_how_answers_join_the_group_views(
    app_as: AppAs, learner: Actor
) -> None:
    at = app_as(learner)
    at.switch_page("pages/privacy.py")
    at.run()
    text = " ".join(" ".join(str(m.value) for m in at.markdown).split())
    for promise in (
        "Only your first answers count",
        "the group views only change once several people have finished since the last change",
        "comparing the views before and after you finish never shows your answers",
        "If you leave the group or your account is deleted, your answers stay in them",
    ):
        assert promise in text


def test_a_learner_is_refused_and_sees_no_cohort(
    app_as: AppAs, learner: Actor, cohort: CohortRecord, service: CohortService
) -> None:
    service.join(learner, cohort.join_code)
    at = cohorts_page(app_as, learner, cohort=str(cohort.id))
    refusal = "Only facilitators and administrators can open this page."
    assert [e.value for e in at.error] == [refusal]
    assert not at.tabs
    text = page_text(at)
    assert "Cardiology crew" not in text and cohort.join_code not in text


def test_a_facilitator_whose_role_was_removed_is_refused_without_a_traceback(
    app_as: AppAs, owner: Actor, cohort: CohortRecord
) -> None:
    with runtime().sessions.begin() as session:
        account_repo.set_roles(session, owner.user_id, ["learner"])
    at = cohorts_page(app_as, owner)  # the Actor in the session still says facilitator
    assert at.error and "facilitators and administrators" in at.error[0].value
    assert "Cardiology crew" not in page_text(at)


@pytest.mark.parametrize("has_own_cohort", [False, True])
def test_the_facilitator_of_another_cohort_cannot_see_it(
    app_as: AppAs,
    make_person: MakePerson,
    cohort: CohortRecord,
    service: CohortService,
    has_own_cohort: bool,
) -> None:
    other = make_person("otto@example.org", "Otto Other", FACILITATING)
    if has_own_cohort:
        service.create(other, "Surgery leads", "Europe/London")
    at = cohorts_page(app_as, other, cohort=str(cohort.id))  # asking for it by id
    text = page_text(at)
    assert "Cardiology crew" not in text and cohort.join_code not in text
    if has_own_cohort:
        assert "Surgery leads" in text
        assert at.query_params["cohort"] != str(cohort.id)
    else:
        assert "You have no cohorts yet" in at.info[0].value
        assert not at.tabs


def test_a_facilitator_creates_a_cohort_through_the_form(
    app_as: AppAs, owner: Actor, service: CohortService
) -> None:
    at = cohorts_page(app_as, owner)
    assert "You have no cohorts yet" in at.info[0].value
    at.text_input[0].input("   ")  # a form sends its values with the submit
    at.button(key="FormSubmitter:create-cohort-Create").click().run()
    assert at.error and "name" in at.error[0].value.lower()
    assert service.mine(owner) == []

    at.text_input[0].input("Spring chiefs")
    next(s for s in at.selectbox if s.label == "Time zone").select("America/Denver")
    at.button(key="FormSubmitter:create-cohort-Create").click().run()
    assert not at.exception and not at.error
    (made,) = service.mine(owner)
    assert (made.name, made.time_zone) == ("Spring chiefs", "America/Denver")
    assert at.query_params["cohort"] == str(made.id)
    assert [t.label for t in at.tabs] == TABS
    assert made.join_code in tab_text(at, "People")


# Joining


def join_page(app_as: AppAs, actor: Actor | None, **query: str) -> AppTest:
    at = app_as(actor, **query)
    at.switch_page("pages/join.py")
    at.run()
    assert not at.exception, at.exception
    return at


def active_members(cohort_id: int) -> set[int]:
    with runtime().sessions.begin() as session:
        return {m.user_id for m in cohort_repo.members(session, cohort_id)}


def test_a_learner_joins_with_a_code(app_as: AppAs, learner: Actor, cohort: CohortRecord) -> None:
    at = join_page(app_as, learner)
    at.text_input[0].input("WRONG-CODE")  # a form sends its values with the submit
    at.button[0].click().run()
    assert "does not match an open cohort" in at.error[0].value
    assert not at.success
    assert learner.user_id not in active_members(cohort.id)

    at.text_input[0].input(cohort.join_code.lower())
    at.button[0].click().run()
    assert not at.error
    assert "You joined Cardiology crew" in at.success[0].value
    assert learner.user_id in active_members(cohort.id)


def test_an_invite_link_fills_in_the_code(
    app_as: AppAs, learner: Actor, cohort: CohortRecord
) -> None:
    at = join_page(app_as, learner, code=cohort.join_code)
    assert at.text_input[0].value == cohort.join_code
    at.button[0].click().run()
    assert at.success and learner.user_id in active_members(cohort.id)


def test_a_visitor_is_asked_to_sign_in_first(app_as: AppAs, cohort: CohortRecord) -> None:
    at = join_page(app_as, None, code=cohort.join_code)
    links = "\n".join(element.proto.body for element in at.get("html"))
    assert f"/auth/login?next=%2Fjoin%3Fcode%3D{cohort.join_code}" in links
    assert not at.text_input


# Home


def home_assignments(app_as: AppAs, actor: Actor) -> list[str]:
    at = app_as(actor)
    at.run()
    assert not at.exception, at.exception
    return [m.value for m in at.markdown if str(m.value).startswith("- A sample module")]


@pytest.mark.parametrize(("days", "mark"), [(-2, "**overdue**"), (0, "due"), (10, "due")])
def test_home_shows_an_assignment_with_its_due_date(
    app_as: AppAs,
    learner: Actor,
    owner: Actor,
    cohort: CohortRecord,
    service: CohortService,
    days: int,
    mark: str,
) -> None:
    service.update(owner, cohort.id, name=cohort.name, time_zone="UTC", inactive_after_days=14)
    service.join(learner, cohort.join_code)
    due = datetime.now(UTC).date() + timedelta(days=days)
    service.assign(owner, cohort.id, [MODULE], due)
    (line,) = home_assignments(app_as, learner)
    assert line == f"- A sample module: {mark} {due:%A, %B %-d} (Cardiology crew)"


def test_home_marks_a_finished_assignment_done_not_overdue(
    app_as: AppAs,
    learner: Actor,
    owner: Actor,
    cohort: CohortRecord,
    service: CohortService,
    content: CourseContent,
) -> None:
    service.join(learner, cohort.join_code)
    service.assign(owner, cohort.id, [MODULE], date.today() - timedelta(days=5))
    complete_module(content, learner)
    (line,) = home_assignments(app_as, learner)
    assert line.startswith("- A sample module: ✓ done")


def test_home_shows_no_assignments_outside_a_cohort(
    app_as: AppAs, learner: Actor, owner: Actor, cohort: CohortRecord, service: CohortService
) -> None:
    service.assign(owner, cohort.id, [MODULE], date.today() - timedelta(days=5))
    assert home_assignments(app_as, learner) == []


ROSTER = b"email,name\nnew.person@example.org,New Person\nnot-an-email,Broken Row\n"


def test_a_roster_is_checked_first_then_imported_with_links_to_send(
    app_as: AppAs,
    owner: Actor,
    cohort: CohortRecord,
    service: CohortService,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import streamlit as st

    import modules.ui.facilitate.people as people_tab

    sent: list[tuple[str, str]] = []
    monkeypatch.setattr(
        people_tab,
        "send_account_link",
        lambda smtp, to, name, link, invitation: sent.append((to, link)),
    )
    at = cohorts_page(app_as, owner, cohort=str(cohort.id))
    at.file_uploader(key="roster-file").upload("roster.csv", ROSTER, "text/csv").run()
    assert not at.exception, at.exception
    page = "\n".join(str(m.value) for m in at.markdown)
    assert "**1** to add, **0** already in the cohort, **1** not imported." in page
    assert service.members(owner, cohort.id) == []  # the dry run changed nothing
    monkeypatch.setenv("ALLY_SMTP_HOST", "mail.example.org")  # a mail server is configured
    monkeypatch.setenv("ALLY_SMTP_FROM", "course@example.org")
    st.cache_resource.clear()
    at.button(key="roster-confirm").click().run()
    assert not at.exception, at.exception
    assert [m.email for m in service.members(owner, cohort.id)] == ["new.person@example.org"]
    # The page is drawn again after the import: its dashboard counts the new member already.
    assert {m.label: m.value for m in at.metric}["Learners"] == "1"
    links = [c.value for c in at.code if "/auth/reset?token=" in str(c.value)]
    assert len(links) == 1
    email_button = next(b for b in at.button if b.label.startswith("Email each person"))
    email_button.click().run()
    assert sent == [("new.person@example.org", links[0])]
    assert "Sent 1 email." in at.success[-1].value
