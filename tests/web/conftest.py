"""Fixtures: the /auth routes on a fresh, migrated database, driven by Starlette's TestClient.

Each test runs on a temporary SQLite file, and again on PostgreSQL in a fresh schema when
ALLY_TEST_DATABASE_URL names a server.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from modules.services.runtime import Runtime
from modules.settings import Network, Settings
from modules.web import auth_routes
from progress.database import make_engine, session_factory
from progress.migrate import upgrade_to_head
from tests.integration.conftest import POSTGRES_UNSET, fresh_postgres_schema

CONTENT = Path(__file__).resolve().parents[2] / "content"
PASSWORD = "correct horse battery"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'data' / 'ally.db'}"
        return
    server = os.environ.get("ALLY_TEST_DATABASE_URL")
    if not server:
        pytest.skip(POSTGRES_UNSET)
    with fresh_postgres_schema(server) as url:
        yield url


@pytest.fixture
def allow_signup() -> bool:
    return True


@pytest.fixture
def trusted_proxies() -> tuple[Network, ...]:
    return ()


@pytest.fixture
def rt(
    database_url: str, allow_signup: bool, trusted_proxies: tuple[Network, ...]
) -> Iterator[Runtime]:
    engine = make_engine(database_url)
    upgrade_to_head(engine)
    settings = Settings(
        database_url=database_url,
        content_dir=CONTENT,
        allow_signup=allow_signup,
        trusted_proxies=trusted_proxies,
    )
    yield Runtime(settings, engine, session_factory(engine))
    engine.dispose()


def make_client(
    rt: Runtime, base_url: str = "http://testserver", peer: str = "testclient"
) -> TestClient:
    """A client of the /auth routes whose requests come from the socket address `peer`."""
    app = Starlette(routes=auth_routes(lambda: rt))
    return TestClient(app, base_url=base_url, follow_redirects=False, client=(peer, 50000))


@pytest.fixture
def client(rt: Runtime) -> Iterator[TestClient]:
    with make_client(rt) as test_client:
        yield test_client


def form_token(client: TestClient, path: str) -> str:
    """GET the form at `path` (which sets the CSRF cookie) and return its hidden token."""
    page = client.get(path)
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found, f"no CSRF field on {path} ({page.status_code})"
    return found.group(1)


def post_form(client: TestClient, path: str, data: dict[str, str], form_path: str = "") -> object:
    token = form_token(client, form_path or path)
    return client.post(path, data={"csrf_token": token, **data})
