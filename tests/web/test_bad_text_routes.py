"""Text no database can keep, and names that could turn a page around, through the /auth forms.

On SQLite and PostgreSQL: a control character or a line break in the sign-up name or address
gets the form back with a message naming the field (never the "database cannot be reached"
page) and no account; a name is set in <bdi> on the pages that greet a person.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from starlette.testclient import TestClient

from modules.services import accounts
from modules.services.actors import Actor
from modules.services.runtime import Runtime
from progress.account_repo import create_user
from progress.tables import UserRow

from .conftest import PASSWORD, post_form

BAD = {
    "NUL": "\x00",
    "BEL": "\x07",
    "DEL": "\x7f",
    "NEL": "\x85",
    "CRLF": "\r\n",
    "CR": "\r",
}
CODES = {"NUL": "U+0000", "BEL": "U+0007", "DEL": "U+007F", "NEL": "U+0085"}
GOOD = {"email": "ann@example.org", "name": "Ann Lee"}


def accounts_stored(rt: Runtime) -> int:
    with rt.sessions.begin() as session:
        return int(session.scalar(select(func.count()).select_from(UserRow)) or 0)


def expected_message(field: str, kind: str) -> str:
    if kind in CODES:
        return f"{field} contains a control character ({CODES[kind]}) that cannot be stored."
    return f"{field} has a line break, and it must fit on one line."


@pytest.mark.parametrize("kind", BAD)
@pytest.mark.parametrize(("field", "label"), [("name", "The name"), ("email", "The email address")])
def test_sign_up_refuses_bad_text_naming_the_field(
    client: TestClient, rt: Runtime, kind: str, field: str, label: str
) -> None:
    data = {**GOOD, "password": PASSWORD}
    data[field] = GOOD[field][:3] + BAD[kind] + GOOD[field][3:]
    response = post_form(client, "/auth/signup", data)
    assert response.status_code == 400  # type: ignore[attr-defined]
    assert expected_message(label, kind) in response.text  # type: ignore[attr-defined]
    assert "Please try again soon" not in response.text  # type: ignore[attr-defined]
    assert accounts_stored(rt) == 0
    fixed = post_form(client, "/auth/signup", {**data, field: GOOD[field]})
    assert fixed.status_code == 303  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("name", "greeting"),
    [
        ("محمد الأحمد", "<bdi>محمد الأحمد</bdi>"),
        ("\u202eEve", "<bdi>\u202eEve\u202c</bdi>"),  # the override closed inside the isolate
        ("Eve\u2069 &lt;", "<bdi>Eve &amp;lt;</bdi>"),  # a stray PDI would end it early
    ],
)
def test_the_invitation_page_isolates_the_name(
    client: TestClient, rt: Runtime, name: str, greeting: str
) -> None:
    with rt.sessions.begin() as session:
        admin = create_user(session, "admin@example.org", "Ada", None)
    actor = Actor(admin.id, admin.display_name, admin.roles)
    link = accounts.invite(rt, actor, "new@example.org", name)
    page = client.get(link.path)
    assert page.status_code == 200
    assert f"<p>Welcome, {greeting}. Choose a password" in page.text


@pytest.mark.parametrize("kind", BAD)
def test_sign_in_with_bad_text_in_the_address_is_not_a_database_error(
    client: TestClient, kind: str
) -> None:
    data = {"email": f"ann{BAD[kind]}@example.org", "password": PASSWORD}
    response = post_form(client, "/auth/login", data)
    assert response.status_code == 400  # type: ignore[attr-defined]
    assert expected_message("The email address", kind) in response.text  # type: ignore[attr-defined]
