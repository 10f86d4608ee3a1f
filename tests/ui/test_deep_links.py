"""A link to any page, through AppTest: never Streamlit's "Page not found", and for someone
signed out a Sign in link that comes back to the page with its query."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

import pytest
from streamlit.testing.v1 import AppTest

from modules.services.actors import Actor

AppAs = Callable[..., AppTest]


def sign_in_links(at: AppTest) -> list[str]:
    links = []
    for element in at.get("html"):
        body = element.proto.body
        if ">Sign in</a>" in body:
            links.append(body.split('href="')[1].split('"')[0].replace("&amp;", "&"))
    return links


def opened(at: AppTest, script: str) -> AppTest:
    """Open `script` (AppTest names a page by its file: use pages whose address is its name)."""
    at.context["url"] = "http://127.0.0.1:8501/"
    at.switch_page(script)
    at.run()
    assert not at.exception, at.exception
    return at


@pytest.mark.parametrize(
    ("script", "query", "target"),
    [
        ("pages/player.py", {"module": "sample", "step": "why"}, "/player?module=sample&step=why"),
        ("pages/progress.py", {}, "/progress"),
        ("pages/cohorts.py", {"cohort": "4"}, "/cohorts?cohort=4"),
    ],
)
def test_signed_out_a_page_asks_to_sign_in_and_comes_back_to_it(
    app_as: AppAs, app_env: object, script: str, query: dict[str, str], target: str
) -> None:
    at = opened(app_as(None, **query), script)
    assert [w.value for w in at.warning] == ["Please sign in to continue."]
    (link,) = sign_in_links(at)
    parts = urlsplit(link)
    assert parts.path == "/auth/login"
    assert parse_qs(parts.query) == {"next": [target]}


def test_a_learner_who_opens_a_facilitator_page_is_told_why(app_as: AppAs, learner: Actor) -> None:
    at = opened(app_as(learner), "pages/cohorts.py")
    assert "Only facilitators" in at.error[0].value
    assert not at.warning  # signed in: no sign-in prompt
