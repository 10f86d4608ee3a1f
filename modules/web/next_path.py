"""Where to go after signing in: the one place that judges a `next` path and writes one.

A signed-out visit to a page goes to sign-in with the page (path and query) as `next`; after
signing in (with a password now, through single sign-on later) the browser is sent there. Only
a path on this site is ever followed, so a link cannot send someone to another site.
"""

from __future__ import annotations

from urllib.parse import quote

SIGN_IN = "/auth/login"
MAX_LENGTH = 2000


def safe_next_path(value: str | None) -> str | None:
    """`value` when it is a path on this site, else None (no open redirects)."""
    if not value or len(value) > MAX_LENGTH or not value.startswith("/"):
        return None
    if value.startswith("//") or "\\" in value:
        return None
    # Browsers drop tabs and newlines inside URLs ("/\t/evil.com" becomes "//evil.com").
    if any(ord(char) < 0x21 or ord(char) == 0x7F for char in value):
        return None
    return value


def page_target(path: str, query: str = "") -> str:
    """A page's path and query string as one `next` value."""
    return f"{path}?{query}" if query else path


def sign_in_path(target: str | None, start: str = SIGN_IN) -> str:
    """The sign-in page (or `start`, e.g. sign-up) that comes back to `target` afterwards."""
    safe = safe_next_path(target)
    if safe is None or safe == "/":
        return start
    return f"{start}?next={quote(safe, safe='')}"
