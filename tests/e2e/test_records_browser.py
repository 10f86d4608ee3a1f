"""Records in real Chromium, on a server of their own: /verify, the data zip, deleting."""

from __future__ import annotations

import io
import json
import urllib.error
import urllib.request
import zipfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from modules.course.certificate import new_code, spaced
from progress import account_repo, certificate_repo
from progress.database import make_engine, session_factory
from progress.passwords import hash_password
from progress.tables import UserRow

from .conftest import DESKTOP, serve_app, skip_reason, wait_for_app

pytestmark = pytest.mark.e2e
PASSWORD = "a long passphrase for leo"


@pytest.fixture(scope="module")
def records_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The app on a database of its own: these tests add accounts the others do not expect."""
    reason = skip_reason()
    if reason:
        pytest.skip(reason)
    database = tmp_path_factory.mktemp("records") / "ally.db"
    with serve_app(database) as base_url:
        yield base_url, database


def sessions(database: Path) -> Any:
    return session_factory(make_engine(f"sqlite:///{database}"))


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_the_running_app_confirms_a_real_code_and_denies_a_forged_one(
    records_server: tuple[str, Path],
) -> None:
    base_url, database = records_server
    code = new_code()
    with sessions(database).begin() as session:
        user = account_repo.create_user(session, "vera@example.org", "Vera Verified", None)
        certificate_repo.add_certificate(
            session, user.id, "ally", code, holder_name="Vera Verified",
            course_title="Leading as an Ally", minutes=160, completed_on=date(2026, 12, 1),
        )  # fmt: skip
    status, page = fetch(f"{base_url}/verify/{spaced(code)}")
    assert status == 200 and "This certificate is valid." in page and "Vera Verified" in page
    assert "December 1, 2026" in page and "vera@example.org" not in page
    forged = "Z" * 16 if code != "Z" * 16 else "Y" * 16
    status, page = fetch(f"{base_url}/verify/{forged}")
    assert status == 404 and "does not belong to a valid certificate" in page
    assert "Vera" not in page


def test_a_learner_downloads_his_data_then_deletes_his_account(
    browser: Any, records_server: tuple[str, Path]
) -> None:
    base_url, database = records_server
    with sessions(database).begin() as session:
        account_repo.create_user(session, "ada@example.org", "Ada Admin", hash_password(PASSWORD))
        leo = account_repo.create_user(
            session, "leo@example.org", "Leo Learner", hash_password(PASSWORD)
        )
    context = browser.new_context(base_url=base_url, viewport=DESKTOP, accept_downloads=True)
    context.set_default_timeout(20_000)
    page = context.new_page()
    try:
        page.goto("/auth/login?next=/account")
        page.get_by_label("Email address").fill("leo@example.org")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url("**/account")
        wait_for_app(page)
        page.get_by_role("heading", name="My data and account").wait_for()

        with page.expect_download() as download:
            page.get_by_role("button", name="Download my data (zip)").click()
        archive = zipfile.ZipFile(io.BytesIO(Path(download.value.path()).read_bytes()))
        tables = json.loads(archive.read("my-data.json"))["tables"]
        assert [u["email"] for u in tables["users"]] == ["leo@example.org"]
        assert len(tables["auth_sessions"]) == 1  # this browser

        page.get_by_label("Your password, to confirm").fill("not my passphrase")
        page.get_by_text("I understand that this cannot be undone.").click()
        page.get_by_role("button", name="Delete my account").click()
        page.get_by_text("That is not your password. Nothing was deleted.").wait_for()
        with sessions(database).begin() as session:
            assert session.get(UserRow, leo.id) is not None

        page.get_by_label("Your password, to confirm").fill(PASSWORD)
        page.get_by_text("I understand that this cannot be undone.").click()
        page.get_by_role("button", name="Delete my account").click()
        page.get_by_text("have been deleted").wait_for()
        with sessions(database).begin() as session:
            assert session.scalar(select(UserRow.id).where(UserRow.id == leo.id)) is None

        page.reload()  # the cookie names a session that is gone: signed out
        page.wait_for_load_state()
        page.get_by_role("button", name="Sign in").or_(
            page.get_by_role("link", name="Sign in")
        ).first.wait_for()
        assert not page.get_by_text("Signed in as").count()
    finally:
        context.close()
