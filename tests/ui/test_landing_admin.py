"""The landing page for visitors and the People page for administrators, through AppTest."""

from __future__ import annotations

from collections.abc import Callable

from streamlit.testing.v1 import AppTest

from modules.services import accounts
from modules.services.actors import Actor
from modules.services.runtime import runtime

AppAs = Callable[..., AppTest]


def people_page(app_as: AppAs, actor: Actor) -> AppTest:
    at = app_as(actor)
    at.switch_page("pages/admin.py")
    at.run()
    assert not at.exception, at.exception
    return at


def table(at: AppTest) -> list[dict[str, str]]:
    records: list[dict[str, str]] = at.dataframe[0].value.to_dict("records")
    return records


def test_a_visitor_sees_the_course_and_the_ways_in(app_as: AppAs, app_env: object) -> None:
    at = app_as(None)
    at.run()
    assert not at.exception, at.exception
    assert at.title[0].value == "Test course"
    assert "A small course for the tests" in at.markdown[0].value
    links = [element.proto.body for element in at.get("html")]
    assert any('href="/auth/login"' in body and ">Sign in<" in body for body in links)
    assert any('href="/auth/signup"' in body and ">Create an account<" in body for body in links)
    assert at.caption[0].value.startswith("1 module · about")


def test_an_administrator_sees_everyone_with_their_roles(
    app_as: AppAs, facilitator: Actor, learner: Actor
) -> None:
    rows = table(people_page(app_as, facilitator))
    assert [(r["Name"], r["Roles"]) for r in rows] == [
        ("Fay Okoro", "Administrator, Facilitator, Learner"),
        ("Dev Patel", "Learner"),
    ]
    assert rows[1]["Status"] == "Invited, no password yet"


def test_an_administrator_changes_a_persons_roles(
    app_as: AppAs, facilitator: Actor, learner: Actor
) -> None:
    at = people_page(app_as, facilitator)
    at.selectbox[0].select_index(1).run()
    at.multiselect(key=f"roles_{learner.user_id}").select("facilitator").run()
    at.button(key=f"save_{learner.user_id}").click().run()
    assert not at.exception and not at.error
    assert table(at)[1]["Roles"] == "Facilitator, Learner"


def test_removing_the_last_administrator_is_refused_with_a_message(
    app_as: AppAs, facilitator: Actor, learner: Actor
) -> None:
    at = people_page(app_as, facilitator)
    at.multiselect(key=f"roles_{facilitator.user_id}").unselect("admin").run()
    at.button(key=f"save_{facilitator.user_id}").click().run()
    assert "At least one administrator must remain." in at.error[0].value


def test_a_reset_link_is_shown_once_to_copy(
    app_as: AppAs, facilitator: Actor, learner: Actor
) -> None:
    at = people_page(app_as, facilitator)
    at.selectbox[0].select_index(1).run()
    at.button(key=f"reset_{learner.user_id}").click().run()
    assert "Reset link for Dev Patel created" in at.success[0].value
    url = at.code[0].value
    assert "/auth/reset?token=" in url
    person = accounts.reset_link_person(runtime(), url.split("token=")[1])
    assert person is not None and person.id == learner.user_id
    at.run()
    assert not at.code  # not shown again


def test_an_invitation_creates_an_account_and_a_link(app_as: AppAs, facilitator: Actor) -> None:
    at = people_page(app_as, facilitator)
    at.text_input[0].input("new@example.org")
    at.text_input[1].input("Nia *New*")
    at.button[-1].click().run()  # the form's submit button
    assert not at.error, [e.value for e in at.error]
    assert "Invitation for Nia \\*New\\* created" in at.success[0].value
    assert "/auth/reset?token=" in at.code[0].value
    assert table(at)[-1] == {
        "Name": "Nia *New*",
        "Email": "new@example.org",
        "Roles": "Learner",
        "Status": "Invited, no password yet",
        "Joined": table(at)[-1]["Joined"],
    }


def test_someone_who_is_no_longer_an_administrator_is_told_so(
    app_as: AppAs, facilitator: Actor, learner: Actor
) -> None:
    stale = Actor(learner.user_id, learner.display_name, frozenset({"admin", "learner"}))
    at = people_page(app_as, stale)
    assert at.error[0].value == "Only administrators can do this."
    assert not at.dataframe
