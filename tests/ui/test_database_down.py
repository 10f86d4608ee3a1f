"""A database that is down gets a clear message, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
import streamlit as st
from starlette.applications import Starlette
from starlette.testclient import TestClient
from streamlit.testing.v1 import AppTest

from modules.services.actors import Actor
from modules.services.errors import DATABASE_DOWN, StorageUnavailable
from modules.services.runtime import Runtime
from modules.settings import Settings
from modules.web import auth_routes, database_down
from progress.database import make_engine, session_factory
from tests.ui.conftest import MAIN, SAMPLE

UNREACHABLE = "postgresql+psycopg://postgres@127.0.0.1:1/nowhere?connect_timeout=2"


def test_pages_say_the_database_is_down(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALLY_DATABASE_URL", UNREACHABLE)
    monkeypatch.setenv("ALLY_CONTENT_DIR", str(SAMPLE))
    st.cache_resource.clear()
    at = AppTest.from_file(MAIN, default_timeout=30)
    at.session_state["ally_actor"] = Actor(1, "Dev", frozenset({"learner"}))
    at.run()
    st.cache_resource.clear()
    assert not at.exception
    assert [e.value for e in at.error] == [DATABASE_DOWN]


def test_auth_forms_say_the_database_is_down(tmp_path: Path) -> None:
    engine = make_engine(UNREACHABLE)
    rt = Runtime(Settings(UNREACHABLE, SAMPLE), engine, session_factory(engine))
    app = Starlette(
        routes=auth_routes(lambda: rt), exception_handlers={StorageUnavailable: database_down}
    )
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/auth/login")
    assert response.status_code == 503
    assert "cannot be reached right now" in response.text
    assert response.headers["retry-after"] == "60"
    assert "Traceback" not in response.text
