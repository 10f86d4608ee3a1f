"""A sample cohort's made-up learner cannot sign in through /auth/login, even with a password."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, update
from starlette.testclient import TestClient

from modules.services.accounts import SESSION_COOKIE
from modules.services.runtime import Runtime
from progress import account_repo
from progress.passwords import hash_password
from progress.tables import AuthSessionRow, UserRow
from tests.web.conftest import PASSWORD, post_form

MADE_UP = "leo.sample.1@" + account_repo.SYNTHETIC_DOMAIN


@pytest.mark.parametrize("with_password", [False, True])
def test_a_synthetic_account_is_refused_like_an_unknown_address(
    client: TestClient, rt: Runtime, with_password: bool
) -> None:
    with rt.sessions.begin() as session:
        account_repo.create_user(session, "ada@example.org", "Ada", hash_password(PASSWORD))
        made_up = account_repo.create_user(session, MADE_UP, "Leo Sample", None, synthetic=True)
        if with_password:  # as if someone wrote one into the database: still refused
            session.execute(
                update(UserRow)
                .where(UserRow.id == made_up.id)
                .values(password_hash=hash_password(PASSWORD))
            )
    response = post_form(client, "/auth/login", {"email": MADE_UP, "password": PASSWORD})
    assert response.status_code == 400  # the form again, as for a wrong password
    assert "The email address or the password is not right." in response.text
    assert SESSION_COOKIE not in client.cookies
    with rt.sessions.begin() as session:
        assert session.scalar(select(func.count()).select_from(AuthSessionRow)) == 0
    signed_in = post_form(client, "/auth/login", {"email": "ada@example.org", "password": PASSWORD})
    assert signed_in.status_code == 303  # the real account next to it still can
