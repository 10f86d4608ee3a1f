"""A real OpenID Connect provider on loopback for the single sign-on tests: oidc-provider-mock.

It lives in a virtual environment of its own (its Flask and uvicorn stay out of the app's):
`.ci/run` builds it at ~/.cache/ally/oidc-provider-mock; ALLY_TEST_OIDC_PROVIDER may name
another `oidc-provider-mock` executable. Tests that need it skip, saying so, where it is absent.
It runs with client registration required, so the client secret and redirect URI are checked.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx2

DEFAULT_VENV = Path.home() / ".cache" / "ally" / "oidc-provider-mock"
START_TIMEOUT_S = 30


def provider_executable() -> Path | None:
    named = os.environ.get("ALLY_TEST_OIDC_PROVIDER")
    candidates = [
        Path(named) if named else None,
        DEFAULT_VENV / "bin" / "oidc-provider-mock",
        Path(found) if (found := shutil.which("oidc-provider-mock")) else None,
    ]
    return next((path for path in candidates if path is not None and path.is_file()), None)


SKIP_REASON = (
    "oidc-provider-mock is not installed (python3 -m venv ~/.cache/ally/oidc-provider-mock && "
    "~/.cache/ally/oidc-provider-mock/bin/pip install 'oidc-provider-mock>=0.3,<0.4'; "
    ".ci/run does this): single sign-on tests against a real provider skipped"
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass(frozen=True)
class Provider:
    """A running oidc-provider-mock: its issuer URL, and the calls the tests make to it."""

    issuer: str
    # One client for all calls: each new one builds a TLS context (over a second here).
    http: httpx2.Client = field(default_factory=lambda: httpx2.Client(timeout=10, verify=False))

    def register_client(self, redirect_uri: str) -> tuple[str, str]:
        """A client that may send browsers back only to `redirect_uri`: (id, secret)."""
        body = {"redirect_uris": [redirect_uri]}
        answer = self.http.post(f"{self.issuer}/oauth2/clients", json=body)
        answer.raise_for_status()
        client = answer.json()
        return str(client["client_id"]), str(client["client_secret"])

    def set_user(self, subject: str, **claims: Any) -> None:
        """The claims the provider gives for `subject` (email, email_verified, name ...)."""
        answer = self.http.put(f"{self.issuer}/users/{subject}", json=claims)
        answer.raise_for_status()

    def authorize(self, authorization_url: str, subject: str) -> str:
        """What a person does on the provider's page: sign in as `subject`; the callback URL."""
        answer = self.http.post(authorization_url, data={"sub": subject})
        assert answer.status_code in (302, 303), answer.text
        return str(answer.headers["location"])


def query_of(url: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


@contextmanager
def running_provider(log_dir: Path) -> Iterator[Provider]:
    """oidc-provider-mock on a free loopback port, stopped afterwards."""
    executable = provider_executable()
    assert executable is not None, SKIP_REASON
    port = free_port()
    log = log_dir / "oidc-provider.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [str(executable), "--port", str(port), "--require-registration", "true"],
            stdout=output,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    provider = Provider(f"http://127.0.0.1:{port}")
    try:
        _wait_until_up(provider, process, log)
        yield provider
    finally:
        provider.http.close()
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_up(provider: Provider, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"oidc-provider-mock exited:\n{log.read_text()}")
        try:
            url = f"{provider.issuer}/.well-known/openid-configuration"
            if provider.http.get(url, timeout=2).status_code == 200:
                return
        except httpx2.HTTPError:
            time.sleep(0.2)
    raise RuntimeError(f"oidc-provider-mock silent for {START_TIMEOUT_S} s:\n{log.read_text()}")
