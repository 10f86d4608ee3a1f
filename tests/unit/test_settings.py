"""The one settings object: environment over secrets file over defaults; clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from modules.settings import Settings, SettingsError, SmtpSettings, load_settings


def _secrets(tmp_path: Path, text: str) -> Path:
    path = tmp_path / ".streamlit" / "secrets.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_run_with_nothing_set(tmp_path: Path) -> None:
    settings = load_settings({}, cwd=tmp_path)
    assert settings == Settings(
        database_url=f"sqlite:///{tmp_path.resolve() / 'data' / 'ally.db'}",
        content_dir=tmp_path / "content",
        allow_signup=True,
        smtp=None,
    )


def test_the_secrets_file_in_the_working_directory_is_read(tmp_path: Path) -> None:
    _secrets(tmp_path, 'ALLY_CONTENT_DIR = "course"\nALLY_ALLOW_SIGNUP = false\n')
    settings = load_settings({}, cwd=tmp_path)
    assert settings.content_dir == tmp_path / "course"
    assert settings.allow_signup is False


def test_the_environment_wins_over_the_secrets_file(tmp_path: Path) -> None:
    path = _secrets(tmp_path, 'ALLY_ALLOW_SIGNUP = false\nALLY_DATABASE_URL = "sqlite:///a.db"\n')
    environ = {"ALLY_ALLOW_SIGNUP": "true", "ALLY_DATABASE_URL": "sqlite:///b.db"}
    settings = load_settings(environ, secrets_path=path, cwd=tmp_path)
    assert settings.allow_signup is True
    assert settings.database_url == "sqlite:///b.db"


@pytest.mark.parametrize(
    ("given", "used"),
    [
        ("postgresql://ally:pw@db:5432/ally", "postgresql+psycopg://ally:pw@db:5432/ally"),
        ("postgres://db/ally", "postgresql+psycopg://db/ally"),
        ("postgresql+psycopg://db/ally", "postgresql+psycopg://db/ally"),
        ("sqlite:////srv/ally.db", "sqlite:////srv/ally.db"),
    ],
)
def test_postgresql_urls_use_psycopg_3(given: str, used: str, tmp_path: Path) -> None:
    assert load_settings({"ALLY_DATABASE_URL": given}, cwd=tmp_path).database_url == used


@pytest.mark.parametrize(
    ("value", "allowed"),
    [("true", True), ("FALSE", False), ("1", True), ("0", False), (" yes ", True), ("off", False)],
)
def test_allow_signup_values(value: str, allowed: bool, tmp_path: Path) -> None:
    assert load_settings({"ALLY_ALLOW_SIGNUP": value}, cwd=tmp_path).allow_signup is allowed


@pytest.mark.parametrize(
    ("environ", "key"),
    [
        ({"ALLY_ALLOW_SIGNUP": "maybe"}, "ALLY_ALLOW_SIGNUP"),
        ({"ALLY_DATABASE_URL": "mysql://db/ally"}, "ALLY_DATABASE_URL"),
        ({"ALLY_DATABASE_URL": "ally.db"}, "ALLY_DATABASE_URL"),
        ({"ALLY_SMTP_HOST": "mail.example.org"}, "ALLY_SMTP_FROM"),
        (
            {"ALLY_SMTP_HOST": "mail", "ALLY_SMTP_FROM": "a@b.c", "ALLY_SMTP_PORT": "x"},
            "ALLY_SMTP_PORT",
        ),
        ({"ALLY_PUBLIC_URL": "ally.example.org"}, "ALLY_PUBLIC_URL"),
        ({"ALLY_PUBLIC_URL": "javascript://x"}, "ALLY_PUBLIC_URL"),
        ({"ALLY_PUBLIC_URL": "https://"}, "ALLY_PUBLIC_URL"),
    ],
)
def test_bad_values_name_their_key(environ: dict[str, str], key: str, tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match=key):
        load_settings(environ, cwd=tmp_path)


def test_a_broken_secrets_file_is_named(tmp_path: Path) -> None:
    path = _secrets(tmp_path, "ALLY_ALLOW_SIGNUP = \n")
    with pytest.raises(SettingsError, match="secrets.toml"):
        load_settings({}, cwd=tmp_path)
    assert path.exists()


def test_a_non_string_value_in_the_secrets_file_is_refused(tmp_path: Path) -> None:
    _secrets(tmp_path, "ALLY_DATABASE_URL = 5\n")
    with pytest.raises(SettingsError, match="ALLY_DATABASE_URL must be a string"):
        load_settings({}, cwd=tmp_path)


def test_smtp_is_optional_and_configured_by_its_keys(tmp_path: Path) -> None:
    environ = {
        "ALLY_SMTP_HOST": "mail.example.org",
        "ALLY_SMTP_FROM": "ally@example.org",
        "ALLY_SMTP_PORT": "2525",
        "ALLY_SMTP_USER": "ally",
        "ALLY_SMTP_PASSWORD": "s3cret",
    }
    smtp = load_settings(environ, cwd=tmp_path).smtp
    assert smtp == SmtpSettings(
        host="mail.example.org",
        port=2525,
        sender="ally@example.org",
        username="ally",
        password="s3cret",
        starttls=True,
    )
    assert "s3cret" not in repr(smtp)


def test_repr_hides_the_database_password(tmp_path: Path) -> None:
    environ = {"ALLY_DATABASE_URL": "postgresql://ally:s3cret@db/ally"}
    settings = load_settings(environ, cwd=tmp_path)
    assert "s3cret" in settings.database_url
    assert "s3cret" not in repr(settings)
    assert "ally:***@db/ally" in repr(settings)


def test_other_environment_variables_are_ignored(tmp_path: Path) -> None:
    environ = {"DATABASE_URL": "postgresql://elsewhere/x", "ALLY_UNKNOWN": "1"}
    assert load_settings(environ, cwd=tmp_path).database_url.startswith("sqlite:///")


@pytest.mark.parametrize(("value", "expected"), [(None, 5), ("", 5), ("3", 3), (" 12 ", 12)])
def test_min_group_defaults_to_five_and_accepts_three_or_more(
    value: str | None, expected: int, tmp_path: Path
) -> None:
    environ = {} if value is None else {"ALLY_MIN_GROUP": value}
    assert load_settings(environ, cwd=tmp_path).min_group == expected


@pytest.mark.parametrize(("value", "gist"), [("2", "at least 3"), ("five", "whole number")])
def test_min_group_below_three_or_not_a_number_is_refused(
    value: str, gist: str, tmp_path: Path
) -> None:
    with pytest.raises(SettingsError, match=gist):
        load_settings({"ALLY_MIN_GROUP": value}, cwd=tmp_path)


@pytest.mark.parametrize(
    ("value", "networks"),
    [
        ("", ()),
        ("10.0.0.5", ("10.0.0.5/32",)),
        (" 10.0.0.0/8, 192.168.1.0/24 ,::1 ", ("10.0.0.0/8", "192.168.1.0/24", "::1/128")),
        ("10.1.2.3/16", ("10.1.0.0/16",)),
        ("fd00::/8,", ("fd00::/8",)),
    ],
)
def test_trusted_proxies_are_addresses_or_networks_separated_by_commas(
    value: str, networks: tuple[str, ...], tmp_path: Path
) -> None:
    settings = load_settings({"ALLY_TRUSTED_PROXIES": value}, cwd=tmp_path)
    assert tuple(str(network) for network in settings.trusted_proxies) == networks


def test_no_proxy_is_trusted_by_default(tmp_path: Path) -> None:
    assert load_settings({}, cwd=tmp_path).trusted_proxies == ()


@pytest.mark.parametrize("value", ["nginx", "10.0.0.0/33", "10.0.0.1;10.0.0.2"])
def test_a_trusted_proxy_that_is_not_an_address_is_refused(value: str, tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="ALLY_TRUSTED_PROXIES"):
        load_settings({"ALLY_TRUSTED_PROXIES": value}, cwd=tmp_path)


def test_the_runtime_reads_the_settings_again_when_the_environment_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from modules.services.runtime import runtime

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ALLY_DATABASE_URL", f"sqlite:///{tmp_path / 'one.db'}")
    first = runtime()
    assert runtime() is first  # unchanged environment: the same runtime, settings not re-read
    monkeypatch.setenv("ALLY_DATABASE_URL", f"sqlite:///{tmp_path / 'two.db'}")
    second = runtime()
    assert second.settings.database_url.endswith("two.db")
    monkeypatch.setenv("UNRELATED_VARIABLE", "changed")
    assert runtime() is second  # only the ALLY_ variables count
    monkeypatch.setenv("ALLY_PUBLIC_URL", "https://ally.example.org")  # a variable added
    assert runtime().settings.public_url == "https://ally.example.org"
    monkeypatch.delenv("ALLY_PUBLIC_URL")  # and taken away again
    assert runtime().settings.public_url == "http://localhost:8501"
    first.engine.dispose()
    second.engine.dispose()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, "http://localhost:8501"),
        ("https://ally.example.org/", "https://ally.example.org"),
        (" https://intranet.example.org/ally ", "https://intranet.example.org/ally"),
    ],
)
def test_public_url(value: str | None, expected: str, tmp_path: Path) -> None:
    environ = {} if value is None else {"ALLY_PUBLIC_URL": value}
    assert load_settings(environ, cwd=tmp_path).public_url == expected
