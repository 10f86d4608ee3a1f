"""AppTest fixtures: a temporary database and the sample course, a signed-in person."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from modules.services.actors import Actor
from modules.services.runtime import runtime
from progress.account_repo import create_user

ROOT = Path(__file__).parent.parent.parent
MAIN = str(ROOT / "modules" / "ui" / "main.py")
SAMPLE = ROOT / "tests" / "data" / "valid"


@pytest.fixture
def app_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Point the app at a fresh SQLite file and the sample course."""
    monkeypatch.setenv("ALLY_DATABASE_URL", f"sqlite:///{tmp_path / 'ally.db'}")
    monkeypatch.setenv("ALLY_CONTENT_DIR", str(SAMPLE))
    st.cache_resource.clear()
    yield tmp_path
    st.cache_resource.clear()


@pytest.fixture
def make_person(app_env: Path) -> Callable[..., Actor]:
    def make(
        email: str = "dev@example.org",
        name: str = "Dev Patel",
        roles: tuple[str, ...] = ("learner",),
    ) -> Actor:
        with runtime().sessions.begin() as session:
            user = create_user(session, email, name, None, roles=roles)
        return Actor(user.id, user.display_name, frozenset(user.roles))

    return make


@pytest.fixture
def facilitator(make_person: Callable[..., Actor]) -> Actor:
    return make_person("fay@example.org", "Fay Okoro")  # the first account: admin, facilitator


@pytest.fixture
def learner(facilitator: Actor, make_person: Callable[..., Actor]) -> Actor:
    return make_person("dev@example.org", "Dev Patel")


@pytest.fixture
def app_as() -> Callable[..., AppTest]:
    def start(actor: Actor | None, **query: str) -> AppTest:
        at = AppTest.from_file(MAIN, default_timeout=30)
        if actor is not None:
            at.session_state["ally_actor"] = actor
        for key, value in query.items():
            at.query_params[key] = value
        return at

    return start
