"""GET /verify/<code> on the real server (`streamlit run app.py`), beside the Streamlit app."""

from __future__ import annotations

import urllib.error
import urllib.request
from datetime import date
from pathlib import Path

from modules.course.certificate import new_code, spaced
from progress import account_repo, certificate_repo
from progress.database import make_engine, session_factory


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_the_running_app_confirms_a_real_code_and_denies_a_forged_one(
    app_server: str, app_database: Path
) -> None:
    engine = make_engine(f"sqlite:///{app_database}")
    code = new_code()
    with session_factory(engine).begin() as session:
        user = account_repo.create_user(session, "verify-e2e@example.org", "Vera Verified", None)
        certificate_repo.add_certificate(
            session, user.id, "ally", code, holder_name="Vera Verified",
            course_title="Leading as an Ally", minutes=160, completed_on=date(2026, 12, 1),
        )  # fmt: skip
    engine.dispose()
    status, page = fetch(f"{app_server}/verify/{spaced(code)}")
    assert status == 200 and "This certificate is valid." in page and "Vera Verified" in page
    assert "December 1, 2026" in page and "verify-e2e@example.org" not in page
    forged = "Z" * 16 if code != "Z" * 16 else "Y" * 16
    status, page = fetch(f"{app_server}/verify/{forged}")
    assert status == 404 and "does not belong to a valid certificate" in page
    assert "Vera" not in page
