"""`python -m progress`: migrate and create-user, with one-line errors and exit codes 0/1/2."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from progress.__main__ import main
from progress.account_repo import list_users
from progress.database import make_engine, session_factory
from progress.migrate import head_revision

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "correct horse battery staple\n"


@pytest.fixture
def cli_database(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.chdir(tmp_path)  # no .streamlit/secrets.toml to read
    monkeypatch.setenv("ALLY_DATABASE_URL", database_url)
    return database_url


def _run(argv: list[str], stdin: str = "") -> int:
    return main(argv, stdin=io.StringIO(stdin))


def _users(database_url: str) -> list[tuple[str, frozenset[str]]]:
    engine = make_engine(database_url)
    session: Session
    with session_factory(engine).begin() as session:
        users = [(user.email, user.roles) for user in list_users(session)]
    engine.dispose()
    return users


def test_migrate_reports_the_revision(
    cli_database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run(["migrate"]) == 0
    assert capsys.readouterr().out.strip().endswith(f"is at revision {head_revision()}")


def test_create_user_reads_the_password_from_stdin(
    cli_database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run(["create-user", "Ann@Example.org", "--name", "Ann"], PASSWORD) == 0
    assert "first account" in capsys.readouterr().out
    roles = ["--role", "facilitator", "--role", "learner"]
    assert _run(["create-user", "bo@example.org", "--name", "Bo", *roles], PASSWORD) == 0
    assert "first account" not in capsys.readouterr().out
    assert _users(cli_database) == [
        ("ann@example.org", frozenset({"admin", "facilitator", "learner"})),
        ("bo@example.org", frozenset({"facilitator", "learner"})),
    ]


@pytest.mark.parametrize(
    ("argv", "stdin", "status", "message"),
    [
        (["create-user", "ann@example.org", "--name", "Ann"], "short\n", 2, "12 characters"),
        (["create-user", "ann@example.org", "--name", "Ann"], "", 2, "no password"),
        (["create-user", "not-an-address", "--name", "Ann"], PASSWORD, 2, "not an email"),
        (["create-user", "ann@example.org", "--name", " "], PASSWORD, 2, "name is empty"),
    ],
)
def test_bad_input_exits_2_with_one_line(
    cli_database: str,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    stdin: str,
    status: int,
    message: str,
) -> None:
    assert _run(["migrate"]) == 0
    capsys.readouterr()
    assert _run(argv, stdin) == status
    error = capsys.readouterr().err
    assert message in error
    assert error.count("\n") == 1
    assert _users(cli_database) == []


def test_a_taken_address_exits_1(cli_database: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(["create-user", "ann@example.org", "--name", "Ann"], PASSWORD) == 0
    assert _run(["create-user", "ANN@example.org", "--name", "Ann"], PASSWORD) == 1
    assert "exists already" in capsys.readouterr().err


def test_a_bad_setting_exits_2(
    cli_database: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ALLY_DATABASE_URL", "mysql://somewhere/ally")
    assert _run(["migrate"]) == 2
    assert "ALLY_DATABASE_URL" in capsys.readouterr().err


def test_an_unknown_role_is_a_usage_error(cli_database: str) -> None:
    with pytest.raises(SystemExit) as exit_info:
        _run(["create-user", "ann@example.org", "--name", "Ann", "--role", "boss"])
    assert exit_info.value.code == 2


def test_an_unreachable_database_exits_1_without_a_traceback(tmp_path: Path) -> None:
    environment = dict(os.environ, ALLY_DATABASE_URL="postgresql://nobody@127.0.0.1:9/none")
    environment["PYTHONPATH"] = str(ROOT)
    finished = subprocess.run(
        [sys.executable, "-m", "progress", "migrate"],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert finished.returncode == 1
    assert "Traceback" not in finished.stderr
    assert finished.stderr.startswith("python -m progress: error: database error:")
