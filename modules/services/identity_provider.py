"""The organisation's OpenID Connect provider, through Authlib: discovery, the authorization
URL (a nonce and PKCE), the code exchange and every check of the ID token.

No state is kept here but the provider's published metadata and keys (the same for every
browser); what one sign-in needs is stored by the caller, in the database.
"""

from __future__ import annotations

import logging
import ssl
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, cast

import httpx2
from authlib.integrations.base_client.errors import (  # type: ignore[import-untyped]
    OAuthError,
)
from authlib.integrations.httpx_client import OAuth2Client  # type: ignore[import-untyped]
from authlib.oidc.core import CodeIDToken  # type: ignore[import-untyped]
from joserfc import jwt
from joserfc.errors import InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet, KeySetSerialization
from joserfc.jws import JWSRegistry

from modules.settings import OidcSettings

log = logging.getLogger(__name__)

SCOPE = "openid email profile"
TIMEOUT_S = 10.0
METADATA_LIFETIME_S = 3600.0  # providers rotate keys; an unknown key id refetches at once
CLOCK_LEEWAY_S = 120


class ProviderUnavailable(Exception):
    """The provider did not answer, or not with what an OpenID provider publishes."""


class ProviderRefused(Exception):
    """The provider answered, but not with a sign-in that can be trusted or is allowed."""


@dataclass(frozen=True)
class Provider:
    """What the provider publishes at /.well-known/openid-configuration, and its keys."""

    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    userinfo_endpoint: str | None
    algorithms: tuple[str, ...]
    jwks: Mapping[str, Any] = field(repr=False)


@dataclass(frozen=True)
class Identity:
    """Who the provider says signed in, from a verified ID token (and userinfo)."""

    issuer: str
    subject: str
    email: str | None
    email_verified: bool
    name: str
    auth_time: datetime | None


_cache: dict[str, tuple[float, Provider]] = {}
_cache_lock = threading.Lock()
_tls: list[ssl.SSLContext] = []


def _tls_context() -> ssl.SSLContext:
    """One TLS context per process: building one reads the system's CAs (~0.4 s each time)."""
    with _cache_lock:
        if not _tls:
            _tls.append(httpx2.create_ssl_context())
        return _tls[0]


def provider(oidc: OidcSettings, refresh: bool = False) -> Provider:
    """The provider's metadata and keys, read at most once an hour per process."""
    with _cache_lock:
        cached = _cache.get(oidc.issuer)
    if cached is not None and not refresh and time.monotonic() - cached[0] < METADATA_LIFETIME_S:
        return cached[1]
    found = _discover(oidc.issuer)
    with _cache_lock:
        _cache[oidc.issuer] = (time.monotonic(), found)
    return found


def authorization_url(
    oidc: OidcSettings,
    found: Provider,
    redirect_uri: str,
    *,
    state: str,
    nonce: str,
    code_verifier: str,
    fresh: bool = False,
) -> str:
    """Where to send the browser; `fresh` asks the provider to check the person again now."""
    extra = {"prompt": "login", "max_age": 0} if fresh else {}
    with _client(oidc, redirect_uri) as client:
        url, _ = client.create_authorization_url(
            found.authorization_endpoint,
            state=state,
            code_verifier=code_verifier,
            nonce=nonce,
            **extra,
        )
    return str(url)


def identity(
    oidc: OidcSettings,
    found: Provider,
    redirect_uri: str,
    *,
    code: str,
    code_verifier: str,
    nonce: str,
) -> Identity:
    """Exchange the code and verify the ID token: signature, issuer, audience, expiry, nonce."""
    with _client(oidc, redirect_uri) as client:
        try:
            token = client.fetch_token(
                found.token_endpoint,
                grant_type="authorization_code",
                code=code,
                code_verifier=code_verifier,
            )
        except httpx2.HTTPError as error:
            raise ProviderUnavailable(f"token endpoint: {error}") from error
        except (OAuthError, ValueError) as error:  # invalid_grant: a used or expired code
            raise ProviderRefused(f"token endpoint refused the code: {error}") from error
        claims = _id_token_claims(oidc, found, token, nonce)
        if "email" not in claims and found.userinfo_endpoint:
            claims = {**_userinfo(client, found.userinfo_endpoint, claims["sub"]), **claims}
    return identity_from_claims(found.issuer, claims)


def identity_from_claims(issuer: str, claims: Mapping[str, Any]) -> Identity:
    """The identity in verified claims; a name from what the provider gives."""
    email = claims.get("email")
    email = email.strip() if isinstance(email, str) and email.strip() else None
    # Some providers send the flag as the string "true".
    flag = claims.get("email_verified")
    verified = flag is True or flag == "true"  # not 1: a number is not the boolean asked for
    auth_time = claims.get("auth_time")
    return Identity(
        issuer=issuer,
        subject=str(claims["sub"]),
        email=email,
        email_verified=verified and email is not None,
        name=_name(claims, email),
        auth_time=(
            datetime.fromtimestamp(auth_time, UTC) if isinstance(auth_time, int | float) else None
        ),
    )


def _name(claims: Mapping[str, Any], email: str | None) -> str:
    given, family = claims.get("given_name"), claims.get("family_name")
    candidates = [
        claims.get("name"),
        " ".join(part for part in (given, family) if isinstance(part, str) and part.strip()),
        claims.get("preferred_username"),
        email.split("@", 1)[0] if email else None,
    ]
    for candidate in candidates:
        if isinstance(candidate, str) and candidate.strip():
            return " ".join(candidate.split())
    return "Colleague"


def _client(oidc: OidcSettings, redirect_uri: str) -> Any:
    return OAuth2Client(
        client_id=oidc.client_id,
        client_secret=oidc.client_secret,
        scope=SCOPE,
        redirect_uri=redirect_uri,
        code_challenge_method="S256",
        timeout=TIMEOUT_S,
        verify=_tls_context(),
    )


def _discover(issuer: str) -> Provider:
    try:
        with httpx2.Client(timeout=TIMEOUT_S, verify=_tls_context()) as http:
            answer = http.get(f"{issuer}/.well-known/openid-configuration")
            answer.raise_for_status()
            metadata = answer.json()
            keys = http.get(metadata["jwks_uri"])
            keys.raise_for_status()
            jwks = keys.json()
    except (httpx2.HTTPError, ValueError, KeyError, TypeError) as error:
        raise ProviderUnavailable(f"discovery at {issuer}: {error!r}") from error
    published = str(metadata.get("issuer", ""))
    if published.rstrip("/") != issuer:  # OIDC Discovery 4.3: must be the issuer we asked
        raise ProviderUnavailable(f"{issuer} publishes the issuer {published!r}")
    algorithms = metadata.get("id_token_signing_alg_values_supported") or ["RS256"]
    try:
        return Provider(
            issuer=published,
            authorization_endpoint=str(metadata["authorization_endpoint"]),
            token_endpoint=str(metadata["token_endpoint"]),
            userinfo_endpoint=metadata.get("userinfo_endpoint"),
            algorithms=tuple(str(name) for name in algorithms if name != "none"),
            jwks=jwks,
        )
    except KeyError as error:
        raise ProviderUnavailable(f"{issuer} publishes no {error}") from error


def _id_token_claims(
    oidc: OidcSettings, found: Provider, token: Mapping[str, Any], nonce: str
) -> dict[str, Any]:
    if "id_token" not in token:
        raise ProviderRefused("the token response holds no ID token")
    registry = JWSRegistry(algorithms=list(found.algorithms), strict_check_header=False)
    try:
        try:
            decoded = _decode(token["id_token"], found.jwks, registry)
        except InvalidKeyIdError:  # the provider rotated its keys since we read them
            decoded = _decode(token["id_token"], provider(oidc, refresh=True).jwks, registry)
        options = {
            "iss": {"essential": True, "value": found.issuer},
            "aud": {"essential": True, "value": oidc.client_id},
        }
        params = {
            "nonce": nonce,
            "client_id": oidc.client_id,
            "access_token": token.get("access_token"),
        }
        claims = CodeIDToken(decoded.claims, decoded.header, options, params)
        claims.validate(leeway=CLOCK_LEEWAY_S)
    except (JoseError, ValueError) as error:
        raise ProviderRefused(f"the ID token did not verify: {error!r}") from error
    return dict(claims)


def _decode(id_token: str, jwks: Mapping[str, Any], registry: JWSRegistry) -> jwt.Token:
    keys = KeySet.import_key_set(cast(KeySetSerialization, dict(jwks)))
    return jwt.decode(id_token, keys, registry=registry)


def _userinfo(client: Any, endpoint: str, subject: str) -> dict[str, Any]:
    """The userinfo claims, for providers that leave the email out of the ID token."""
    try:
        answer = client.get(endpoint)
        answer.raise_for_status()
        claims = answer.json()
    except httpx2.HTTPError as error:
        raise ProviderUnavailable(f"userinfo: {error}") from error
    except ValueError as error:
        raise ProviderRefused(f"userinfo is not JSON: {error}") from error
    if not isinstance(claims, dict) or claims.get("sub") != subject:  # OIDC Core 5.3.2
        raise ProviderRefused("userinfo is about another subject")
    return claims
