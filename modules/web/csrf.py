"""CSRF protection for the /auth forms: a signed double-submit token.

The token is `nonce.signature`, an HMAC-SHA256 of the nonce under a key kept in the database,
so every replica accepts the tokens of every other. It travels twice, in a cookie and in a
hidden form field; a POST is accepted only when both are there, equal and correctly signed.
Another site can make the browser send the cookie, but cannot read it to fill in the field,
and cannot mint a token of its own without the key.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading

from modules.services.runtime import Runtime
from progress.secret_repo import CSRF_KEY, app_secret

CSRF_COOKIE = "ally_csrf"
CSRF_FIELD = "csrf_token"
MAX_TOKEN_LENGTH = 200

_keys: dict[str, str] = {}
_keys_lock = threading.Lock()


def signing_key(rt: Runtime) -> str:
    """The shared CSRF key (created by the first replica that asks), read once per database."""
    url = rt.settings.database_url
    with _keys_lock:
        key = _keys.get(url)
    if key is None:
        with rt.transaction() as session:
            key = app_secret(session, CSRF_KEY)
        with _keys_lock:
            _keys[url] = key
    return key


def new_token(key: str) -> str:
    nonce = secrets.token_urlsafe(24)
    return f"{nonce}.{_signature(key, nonce)}"


def is_valid(key: str, token: str | None) -> bool:
    """True for a token this site signed."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return False
    nonce, dot, signature = token.partition(".")
    return bool(dot and nonce) and hmac.compare_digest(signature, _signature(key, nonce))


def accepts(key: str, cookie: str | None, field: str | None) -> bool:
    """True when the form's field matches the cookie and both carry this site's signature."""
    if not cookie or not field:
        return False
    return hmac.compare_digest(cookie.encode(), field.encode()) and is_valid(key, cookie)


def for_session(key: str, session_hash: str) -> str:
    """The token of a form shown inside the app (sign out), bound to the sign-in session.

    A Streamlit page cannot set the CSRF cookie, but it knows its session: this token is a
    synchronizer token. Another site can neither read it nor make one without the key, and a
    cross-site POST does not carry the (SameSite=Lax) session cookie it would have to match.
    """
    return hmac.new(key.encode(), f"session:{session_hash}".encode(), hashlib.sha256).hexdigest()


def accepts_for_session(key: str, session_hash: str | None, field: str | None) -> bool:
    """True when the form's field is the token of the session the request comes from."""
    if not session_hash or not field or len(field) > MAX_TOKEN_LENGTH:
        return False
    return hmac.compare_digest(field.encode(), for_session(key, session_hash).encode())


def _signature(key: str, nonce: str) -> str:
    return hmac.new(key.encode(), f"csrf:{nonce}".encode(), hashlib.sha256).hexdigest()
