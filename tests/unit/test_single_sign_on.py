"""Single sign-on without a provider: its settings, and what verified claims say about a person."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from modules.services.identity_provider import identity_from_claims
from modules.settings import OidcSettings, SettingsError, load_settings
from modules.web.pages import sso_offer

ISSUER = "https://login.hospital.example/realms/staff"
ALL_THREE = {
    "ALLY_OIDC_ISSUER": ISSUER + "/",
    "ALLY_OIDC_CLIENT_ID": "ally",
    "ALLY_OIDC_CLIENT_SECRET": "s3cret-value",
}


def test_nothing_set_means_no_single_sign_on(tmp_path: Path) -> None:
    settings = load_settings({}, cwd=tmp_path)
    assert settings.oidc is None and settings.passwords


def test_the_three_settings_turn_it_on_with_the_issuers_host_as_the_name(tmp_path: Path) -> None:
    settings = load_settings(ALL_THREE, cwd=tmp_path)
    assert settings.oidc == OidcSettings(ISSUER, "ally", "s3cret-value", "login.hospital.example")
    assert settings.passwords
    assert "s3cret-value" not in repr(settings)


def test_the_organisation_and_only_settings(tmp_path: Path) -> None:
    environ = {**ALL_THREE, "ALLY_OIDC_ORGANISATION": "Mercy Hospital", "ALLY_OIDC_ONLY": "true"}
    settings = load_settings(environ, cwd=tmp_path)
    assert settings.oidc is not None and settings.oidc.organisation == "Mercy Hospital"
    assert settings.oidc.only and not settings.passwords
    offer = sso_offer(settings, "/progress")
    assert offer is not None and offer.only
    assert offer.start_path == "/auth/sso/start?next=%2Fprogress"


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"ALLY_OIDC_ISSUER": ISSUER}, "ALLY_OIDC_CLIENT_ID, ALLY_OIDC_CLIENT_SECRET"),
        ({"ALLY_OIDC_CLIENT_ID": "ally"}, "ALLY_OIDC_ISSUER, ALLY_OIDC_CLIENT_SECRET"),
        ({"ALLY_OIDC_ONLY": "true"}, "ALLY_OIDC_ISSUER, ALLY_OIDC_CLIENT_ID"),
        ({**ALL_THREE, "ALLY_OIDC_ISSUER": "http://login.hospital.example"}, "https://"),
        ({**ALL_THREE, "ALLY_OIDC_ISSUER": "login.hospital.example"}, "https://"),
        ({**ALL_THREE, "ALLY_OIDC_ISSUER": ISSUER + "?x=1"}, "https://"),
        ({**ALL_THREE, "ALLY_OIDC_ONLY": "sometimes"}, "ALLY_OIDC_ONLY must be true or false"),
    ],
)
def test_an_incomplete_or_unsafe_setup_is_refused_naming_the_key(
    environ: dict[str, str], message: str, tmp_path: Path
) -> None:
    with pytest.raises(SettingsError, match=message):
        load_settings(environ, cwd=tmp_path)


@pytest.mark.parametrize(
    "issuer", ["http://127.0.0.1:9400", "http://localhost:9400", "http://[::1]:9400"]
)
def test_plain_http_is_allowed_on_this_machine_only(issuer: str, tmp_path: Path) -> None:
    settings = load_settings({**ALL_THREE, "ALLY_OIDC_ISSUER": issuer}, cwd=tmp_path)
    assert settings.oidc is not None and settings.oidc.issuer == issuer


@pytest.mark.parametrize(
    ("claims", "email", "verified"),
    [
        ({"email": "ann@h.example", "email_verified": True}, "ann@h.example", True),
        ({"email": "ann@h.example", "email_verified": "true"}, "ann@h.example", True),
        ({"email": "ann@h.example", "email_verified": False}, "ann@h.example", False),
        ({"email": "ann@h.example", "email_verified": "false"}, "ann@h.example", False),
        ({"email": "ann@h.example", "email_verified": 1}, "ann@h.example", False),
        ({"email": "ann@h.example"}, "ann@h.example", False),
        ({"email": "  ", "email_verified": True}, None, False),
        ({"email_verified": True}, None, False),
    ],
)
def test_only_an_address_the_provider_says_is_verified_counts(
    claims: dict[str, Any], email: str | None, verified: bool
) -> None:
    person = identity_from_claims(ISSUER, {"sub": "x", **claims})
    assert (person.email, person.email_verified) == (email, verified)


@pytest.mark.parametrize(
    ("claims", "name"),
    [
        ({"name": "  Dr.  Ann   Lee ", "given_name": "Ann"}, "Dr. Ann Lee"),
        ({"given_name": "Ann", "family_name": "Lee"}, "Ann Lee"),
        ({"preferred_username": "alee"}, "alee"),
        ({"email": "ann.lee@h.example"}, "ann.lee"),
        ({}, "Colleague"),
    ],
)
def test_a_new_account_is_named_from_what_the_provider_gives(
    claims: dict[str, Any], name: str
) -> None:
    assert identity_from_claims(ISSUER, {"sub": "x", **claims}).name == name


def test_the_authentication_time_is_read_when_given() -> None:
    person = identity_from_claims(ISSUER, {"sub": 42, "auth_time": 1_800_000_000})
    assert person.subject == "42"
    assert person.auth_time == datetime.fromtimestamp(1_800_000_000, UTC)
    assert identity_from_claims(ISSUER, {"sub": "x"}).auth_time is None
