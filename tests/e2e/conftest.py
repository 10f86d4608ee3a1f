"""Browser fixtures: the real app (`streamlit run app.py`) on a free port, and Chromium.

`app_server` (once per session) yields the base URL of a server on a fresh SQLite file;
`browser_page` (per test) is a Playwright page in a new browser context (no cookies) whose
relative URLs resolve against it. Both skip with a reason where Chromium or Playwright is absent.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
START_TIMEOUT_S = 60
DESKTOP = {"width": 1280, "height": 900}


def skip_reason() -> str | None:
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing (apt-get install chromium): browser tests skipped"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Python Playwright is not installed (pip install playwright): browser tests skipped"
    return None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until_healthy(base_url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the app exited ({process.returncode}):\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{base_url}/_stcore/health", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.25)
    raise RuntimeError(f"the app did not answer within {START_TIMEOUT_S} s:\n{log.read_text()}")


@pytest.fixture(scope="session")
def app_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The SQLite file the session's app server uses (tests may add accounts to it)."""
    return tmp_path_factory.mktemp("e2e-app") / "ally.db"


@pytest.fixture(scope="session")
def app_server(app_database: Path) -> Iterator[str]:
    """The app served by `streamlit run app.py` on a fresh database; yields its base URL."""
    reason = skip_reason()
    if reason:
        pytest.skip(reason)
    with serve_app(app_database) as base_url:
        yield base_url


@contextmanager
def serve_app(database: Path, port: int = 0, **settings: str) -> Iterator[str]:
    """`streamlit run app.py` on the SQLite file `database` with ALLY_ `settings`; its URL.

    `port` (default: a free one) lets a test name the URL in settings before the start. The
    server's log is written beside the database; the server is stopped on leaving.
    """
    env = {**os.environ, "ALLY_DATABASE_URL": f"sqlite:///{database}", **settings}
    env.pop("ALLY_ALLOW_SIGNUP", None)
    port = port or free_port()
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        "app.py",
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
    ]
    log = database.parent / "server.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(base_url, process, log)
        yield base_url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")  # not session: Playwright's loop must not outlive these tests
def browser() -> Iterator[Any]:
    reason = skip_reason()
    if reason:
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def browser_page(browser: Any, app_server: str) -> Iterator[Any]:
    """A fresh page (its own cookies) on a desktop-sized viewport; `page.goto("/")` works."""
    context = browser.new_context(base_url=app_server, viewport=DESKTOP)
    context.set_default_timeout(20_000)
    page = context.new_page()
    yield page
    context.close()


def wait_for_app(page: Any, timeout_ms: int = 20_000) -> None:
    """Wait until Streamlit is connected and its script has finished running."""
    page.wait_for_selector(
        "[data-testid='stApp'][data-test-connection-state='CONNECTED']"
        "[data-test-script-state='notRunning']",
        timeout=timeout_ms,
    )


@pytest.fixture
def app_ready() -> Any:
    """`app_ready(page)` waits for the app to be connected and idle (see wait_for_app)."""
    return wait_for_app
