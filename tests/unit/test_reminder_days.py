"""ALLY_REMINDER_DAYS: how many days ahead facilitators' reminders look, as well as overdue."""

from __future__ import annotations

from pathlib import Path

import pytest

from modules.settings import SettingsError, load_settings


@pytest.mark.parametrize(("value", "days"), [(None, 3), ("", 3), ("0", 0), (" 7 ", 7), ("60", 60)])
def test_reminder_days_default_and_values(tmp_path: Path, value: str | None, days: int) -> None:
    environ = {} if value is None else {"ALLY_REMINDER_DAYS": value}
    assert load_settings(environ, cwd=tmp_path).reminder_days == days


@pytest.mark.parametrize("value", ["-1", "61", "three", "2.5"])
def test_a_bad_reminder_days_names_the_setting(tmp_path: Path, value: str) -> None:
    with pytest.raises(SettingsError, match="ALLY_REMINDER_DAYS must be a whole number 0 to 60"):
        load_settings({"ALLY_REMINDER_DAYS": value}, cwd=tmp_path)


def test_the_secrets_file_can_set_it(tmp_path: Path) -> None:
    (tmp_path / ".streamlit").mkdir()
    (tmp_path / ".streamlit" / "secrets.toml").write_text("ALLY_REMINDER_DAYS = 5\n")
    assert load_settings({}, cwd=tmp_path).reminder_days == 5
