"""deploy/: the nginx site renders for other ports without becoming a copy, and the systemd
units, the environment example, the README and the launcher agree on one replica command."""

from __future__ import annotations

import configparser
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from deploy import replica
from deploy.nginx import SITE, render_site, with_cache_in
from modules.services.accounts import SESSION_COOKIE
from modules.settings import load_settings

ROOT = Path(__file__).resolve().parents[2]
SYSTEMD = ROOT / "deploy" / "systemd"
README = (ROOT / "README.md").read_text(encoding="utf-8")


def unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(SYSTEMD / name)
    return parser


def test_rendering_changes_only_the_replica_and_listen_lines() -> None:
    source = SITE.read_text().splitlines()
    rendered = render_site(SITE.read_text(), [9001, 9002, 9003], "127.0.0.1:7000").splitlines()
    kept = [line for line in source if not re.match(r"\s*(server 127|listen )", line)]
    assert [line for line in rendered if not re.match(r"\s*(server 127|listen )", line)] == kept
    servers = [line.strip() for line in rendered if re.match(r"\s*server 127", line)]
    params = re.search(r"server 127\.0\.0\.1:\d+( [^;]*);", SITE.read_text())
    assert params is not None
    assert servers == [f"server 127.0.0.1:{port}{params[1]};" for port in (9001, 9002, 9003)]
    assert [line.strip() for line in rendered if "listen " in line] == ["listen 127.0.0.1:7000;"]


def test_moving_the_cache_changes_only_its_directory(tmp_path: Path) -> None:
    source = SITE.read_text()
    moved = with_cache_in(source, tmp_path / "cache")
    changed = [
        (a, b) for a, b in zip(source.splitlines(), moved.splitlines(), strict=True) if a != b
    ]
    assert changed == [
        (
            "proxy_cache_path /var/lib/nginx/ally-static levels=1:2 keys_zone=ally_static:1m"
            " max_size=200m",
            f"proxy_cache_path {tmp_path / 'cache'} levels=1:2 keys_zone=ally_static:1m"
            " max_size=200m",
        )
    ]
    with pytest.raises(ValueError, match="proxy_cache_path"):
        with_cache_in("server { listen 80; }\n", tmp_path)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("server { listen 80; }\n", "no 'upstream ally_replicas"),
        ("upstream ally_replicas {\n    hash $x;\n}\nserver { listen 80; }\n", "server lines"),
        ("upstream ally_replicas {\n    server 127.0.0.1:1;\n}\n", "no 'listen' line"),
    ],
)
def test_rendering_refuses_a_file_it_cannot_place_ports_in(text: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        render_site(text, [9001], "127.0.0.1:7000")


def test_the_hash_is_on_the_apps_session_cookie() -> None:
    assert f"map $cookie_{SESSION_COOKIE} $ally_replica_key" in SITE.read_text()
    assert "hash $ally_replica_key consistent;" in SITE.read_text()


def test_nginx_accepts_the_largest_upload_streamlit_does() -> None:
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    limit = re.search(r"client_max_body_size (\d+)m;", SITE.read_text())
    assert limit is not None and int(limit[1]) > config["server"]["maxUploadSize"]


def test_the_replica_unit_runs_the_launcher_after_the_migration() -> None:
    replica_unit, migrate_unit = unit("ally@.service"), unit("ally-migrate.service")
    assert replica_unit["Service"]["ExecStart"].endswith(" -m deploy.replica %i")
    assert "ally-migrate.service" in replica_unit["Unit"]["Requires"]
    assert "ally-migrate.service" in replica_unit["Unit"]["After"]
    assert migrate_unit["Service"]["ExecStart"].endswith(" -m progress migrate")
    assert migrate_unit["Service"]["Type"] == "oneshot"
    for parsed in (replica_unit, migrate_unit):
        assert parsed["Service"]["EnvironmentFile"] == "/etc/ally/ally.env"
        assert parsed["Service"]["User"] == "ally"


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze")
def test_systemd_finds_nothing_wrong_but_the_missing_install() -> None:
    done = subprocess.run(
        ["systemd-analyze", "verify", "ally-migrate.service", "ally@8501.service"],
        cwd=SYSTEMD,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    problems = [
        line
        for line in (done.stdout + done.stderr).splitlines()
        if line and "/opt/ally/.venv/bin/python is not executable" not in line
    ]
    assert problems == []


def test_the_environment_example_is_valid_settings_without_secrets() -> None:
    values = {}
    for line in (SYSTEMD / "ally.env.example").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            key, _, value = line.partition("=")
            values[key] = value
    settings = load_settings(values)
    assert settings.database_url.startswith("postgresql+psycopg://")
    assert settings.trusted_proxies, "nginx must be trusted for X-Forwarded-For"
    assert not any("PASSWORD" in key for key in values), "no secret in the example"
    assert urlsplit(values["ALLY_DATABASE_URL"]).password is None, "peer authentication"


def test_the_launcher_runs_uvicorn_as_the_readme_says() -> None:
    argv = replica.command(8501)
    assert argv[1:] == [
        "-m",
        "uvicorn",
        "app:app",
        "--host",
        "127.0.0.1",
        "--port",
        "8501",
        "--ws",
        "websockets-sansio",
        "--no-access-log",
        "--ws-per-message-deflate",
        "false",
    ]
    assert "python -m deploy.replica 8501" in README
    assert " ".join(argv[1:]) in " ".join(README.split())


@pytest.mark.parametrize("arguments", [[], ["http"], ["0"], ["70000"], ["8501", "8502"]])
def test_the_launcher_refuses_a_bad_port_with_its_usage(arguments: list[str]) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "deploy.replica", *arguments],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode != 0
    assert "usage: python -m deploy.replica PORT" in done.stderr
    assert "Traceback" not in done.stderr
