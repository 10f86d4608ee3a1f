"""What Chromium shows for the renderer's table: user text as typed, content without traps.

The probe page (render_probe.py) writes every row of tests/unit/test_render.py with
st.markdown, st.caption and as an expander title; the page must fetch no image, show user text
exactly as typed (right-to-left text in its isolate), and link only to https addresses.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest

from modules.ui.render import option
from tests.unit.test_render import CONTENT, USER_TEXT

from .conftest import ROOT, free_port, wait_for_app, wait_until_healthy

pytestmark = pytest.mark.e2e

INVISIBLE = {0x2060: None, 0xA0: " "}  # the word joiner and no-break spaces the renderer adds


@pytest.fixture(scope="module")
def probe(
    browser: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Any, list[str]]]:
    """The probe page loaded in Chromium, and every URL it requested."""
    port = free_port()
    log = tmp_path_factory.mktemp("render-probe") / "server.log"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "streamlit", "run", "tests/e2e/render_probe.py"]
    command += ["--server.port", str(port), "--server.headless", "true"]
    command += ["--browser.gatherUsageStats", "false"]
    with log.open("wb") as output:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(base_url, process, log)
        page = browser.new_page()
        requested: list[str] = []
        page.on("request", lambda request: requested.append(request.url))
        page.goto(base_url)
        wait_for_app(page)
        yield page, requested
        page.close()
    finally:
        process.terminate()
        process.wait(timeout=10)


def words(text: str) -> str:
    return " ".join(text.translate(INVISIBLE).split())


@pytest.mark.parametrize("number", range(len(USER_TEXT)))
def test_user_text_shows_exactly_as_typed(probe: tuple[Any, list[str]], number: int) -> None:
    page, _ = probe
    typed = USER_TEXT[number][0]
    box = page.locator(f".st-key-user-{number}")
    shown = [
        box.locator("[data-testid='stMarkdownContainer']").nth(0).inner_text(),
        box.locator("[data-testid='stCaptionContainer']").inner_text(),
        box.locator("summary [data-testid='stMarkdownContainer']").inner_text(),
    ]
    assert [words(text) for text in shown] == [words(option(typed))] * 3
    markup = "[data-testid='stMarkdownContainer'] :is(a, img, h1, h2, li, blockquote, table, code)"
    assert box.locator(markup).count() == 0


@pytest.mark.parametrize("number", range(len(CONTENT)))
def test_content_links_only_to_https(probe: tuple[Any, list[str]], number: int) -> None:
    page, _ = probe
    box = page.locator(f".st-key-content-{number}")
    assert box.locator("img").count() == 0
    for link in box.locator("a").all():
        assert (link.get_attribute("href") or "").startswith(("https://", "#"))  # "#": headings


def test_no_image_was_fetched(probe: tuple[Any, list[str]]) -> None:
    _, requested = probe
    assert [url for url in requested if "//host/" in url] == []
