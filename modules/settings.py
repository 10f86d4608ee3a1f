"""The one settings object: environment variables win over `.streamlit/secrets.toml`.

No streamlit import here: the app, the CLI and the tests all read settings the same way.
"""

from __future__ import annotations

import ipaddress
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

DEFAULT_DATABASE_PATH = Path("data") / "ally.db"
DEFAULT_CONTENT_DIR = Path("content")
SECRETS_PATH = Path(".streamlit") / "secrets.toml"
DEFAULT_PUBLIC_URL = "http://localhost:8501"

_TRUE = frozenset({"true", "1", "yes", "on"})
_FALSE = frozenset({"false", "0", "no", "off"})
_SUPPORTED_SCHEMES = ("sqlite", "postgresql", "postgres")

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class SettingsError(ValueError):
    """A configuration value is missing or malformed; the message names the key."""


@dataclass(frozen=True, slots=True)
class SmtpSettings:
    """Where to send password-reset links; optional (there may be no mail server)."""

    host: str
    port: int
    sender: str
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    starttls: bool = True


@dataclass(frozen=True, slots=True)
class LrsSettings:
    """The learning record store that xAPI statements go to; optional."""

    url: str  # the xAPI endpoint, without a trailing slash: statements go to url + "/statements"
    username: str
    password: str = field(repr=False)
    actor_email: bool = False  # name the learner by his email instead of an opaque id


@dataclass(frozen=True, slots=True)
class OidcSettings:
    """Single sign-on with the organisation's OpenID Connect provider; optional."""

    issuer: str  # without a trailing slash; its /.well-known/openid-configuration is read
    client_id: str
    client_secret: str = field(repr=False)
    organisation: str = ""  # the button says "Sign in with <organisation>"
    only: bool = False  # password sign-in, sign-up and reset links are turned off


@dataclass(frozen=True, slots=True)
class Settings:
    database_url: str
    content_dir: Path
    allow_signup: bool = True
    smtp: SmtpSettings | None = None
    min_group: int = 5  # the smallest group a facilitator's aggregate may describe (>= 3)
    reminder_days: int = 3  # reminders also for modules due within this many days (0: today)
    # Proxies whose X-Forwarded-For is believed (nginx in front of replicas); none by default.
    trusted_proxies: tuple[Network, ...] = ()
    # Where learners reach the app (no trailing slash): links in reminders, certificates, xAPI.
    public_url: str = DEFAULT_PUBLIC_URL
    oidc: OidcSettings | None = None
    lrs: LrsSettings | None = None

    @property
    def passwords(self) -> bool:
        """False when single sign-on is the only way in (ALLY_OIDC_ONLY)."""
        return self.oidc is None or not self.oidc.only

    def __repr__(self) -> str:
        return (
            f"Settings(database_url={redacted_url(self.database_url)!r}, "
            f"content_dir={self.content_dir!r}, allow_signup={self.allow_signup!r}, "
            f"smtp={self.smtp!r}, min_group={self.min_group!r}, "
            f"reminder_days={self.reminder_days!r}, "
            f"trusted_proxies={self.trusted_proxies!r}, public_url={self.public_url!r}, "
            f"lrs={self.lrs!r}, oidc={self.oidc!r})"
        )


def load_settings(
    environ: Mapping[str, str] | None = None,
    secrets_path: Path | None = None,
    *,
    cwd: Path | None = None,
) -> Settings:
    """Read settings from `environ` (default os.environ) over the secrets file, then defaults."""
    base = cwd if cwd is not None else Path.cwd()
    values: dict[str, Any] = dict(_read_secrets(secrets_path or base / SECRETS_PATH))
    env = os.environ if environ is None else environ
    values.update({key: value for key, value in env.items() if key.startswith("ALLY_")})
    return Settings(
        database_url=_database_url(values.get("ALLY_DATABASE_URL"), base),
        content_dir=_content_dir(values.get("ALLY_CONTENT_DIR"), base),
        allow_signup=_flag("ALLY_ALLOW_SIGNUP", values.get("ALLY_ALLOW_SIGNUP"), default=True),
        smtp=_smtp(values),
        min_group=_min_group(values.get("ALLY_MIN_GROUP")),
        reminder_days=_reminder_days(values.get("ALLY_REMINDER_DAYS")),
        trusted_proxies=_trusted_proxies(values.get("ALLY_TRUSTED_PROXIES")),
        public_url=_public_url(values.get("ALLY_PUBLIC_URL")),
        oidc=_oidc(values),
        lrs=_lrs(values),
    )


def _read_secrets(path: Path) -> Mapping[str, Any]:
    try:
        with path.open("rb") as secrets_file:
            return tomllib.load(secrets_file)
    except FileNotFoundError:
        return {}
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise SettingsError(f"{path}: not valid TOML ({error})") from None


def _text(key: str, value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise SettingsError(f"{key} must be a string, got {value!r}")
    return value.strip() or None


def _database_url(value: Any, base: Path) -> str:
    url = _text("ALLY_DATABASE_URL", value)
    if url is None:
        return f"sqlite:///{(base / DEFAULT_DATABASE_PATH).resolve()}"
    scheme, separator, rest = url.partition("://")
    backend = scheme.split("+", 1)[0]
    if not separator or backend not in _SUPPORTED_SCHEMES:
        raise SettingsError(
            f"ALLY_DATABASE_URL must start with sqlite:/// or postgresql://, got {scheme!r}"
        )
    if scheme in ("postgresql", "postgres"):
        # A plain PostgreSQL URL means psycopg 3, the driver we install.
        return f"postgresql+psycopg://{rest}"
    return url


def _content_dir(value: Any, base: Path) -> Path:
    text = _text("ALLY_CONTENT_DIR", value)
    return base / (Path(text) if text else DEFAULT_CONTENT_DIR)


def _flag(key: str, value: Any, *, default: bool) -> bool:
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise SettingsError(f"{key} must be true or false, got {value!r}")


def _smtp(values: Mapping[str, Any]) -> SmtpSettings | None:
    host = _text("ALLY_SMTP_HOST", values.get("ALLY_SMTP_HOST"))
    if host is None:
        return None
    sender = _text("ALLY_SMTP_FROM", values.get("ALLY_SMTP_FROM"))
    if sender is None:
        raise SettingsError("ALLY_SMTP_FROM is required when ALLY_SMTP_HOST is set")
    return SmtpSettings(
        host=host,
        port=_port(values.get("ALLY_SMTP_PORT")),
        sender=sender,
        username=_text("ALLY_SMTP_USER", values.get("ALLY_SMTP_USER")),
        password=_text("ALLY_SMTP_PASSWORD", values.get("ALLY_SMTP_PASSWORD")),
        starttls=_flag("ALLY_SMTP_STARTTLS", values.get("ALLY_SMTP_STARTTLS"), default=True),
    )


def _reminder_days(value: Any) -> int:
    """ALLY_REMINDER_DAYS: remind of modules due within this many days (0-60), as of overdue."""
    if value is None or str(value).strip() == "":
        return 3
    try:
        number = int(str(value).strip())
    except ValueError:
        number = -1
    if not 0 <= number <= 60:
        raise SettingsError(f"ALLY_REMINDER_DAYS must be a whole number 0 to 60, got {value!r}")
    return number


def _min_group(value: Any) -> int:
    """ALLY_MIN_GROUP: aggregates over fewer learners are withheld; never below 3."""
    if value is None or value == "":
        return 5
    try:
        number = int(str(value).strip())
    except ValueError:
        raise SettingsError(f"ALLY_MIN_GROUP must be a whole number, got {value!r}") from None
    if number < 3:
        raise SettingsError(f"ALLY_MIN_GROUP must be at least 3, got {number}")
    return number


def _trusted_proxies(value: Any) -> tuple[Network, ...]:
    """ALLY_TRUSTED_PROXIES: addresses or CIDR networks, separated by commas."""
    text = _text("ALLY_TRUSTED_PROXIES", value) or ""
    networks = []
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise SettingsError(
                f"ALLY_TRUSTED_PROXIES must list IP addresses or networks, got {item!r}"
            ) from None
    return tuple(networks)


def _public_url(value: Any) -> str:
    """ALLY_PUBLIC_URL: an http(s) address with a host, kept without a trailing slash."""
    url = _text("ALLY_PUBLIC_URL", value)
    if url is None:
        return DEFAULT_PUBLIC_URL
    scheme, separator, rest = url.partition("://")
    host = rest.split("/", 1)[0]
    if scheme not in ("http", "https") or not separator or not host or "?" in url or "#" in url:
        raise SettingsError(f"ALLY_PUBLIC_URL must be an http:// or https:// address, got {url!r}")
    return url.rstrip("/")


def _lrs(values: Mapping[str, Any]) -> LrsSettings | None:
    """ALLY_LRS_URL and its credentials: all of them, or none."""
    url = _text("ALLY_LRS_URL", values.get("ALLY_LRS_URL"))
    if url is None:
        return None
    scheme, separator, rest = url.partition("://")
    if scheme not in ("http", "https") or not separator or not rest.split("/", 1)[0]:
        raise SettingsError(f"ALLY_LRS_URL must be an http:// or https:// address, got {url!r}")
    username = _text("ALLY_LRS_USERNAME", values.get("ALLY_LRS_USERNAME"))
    password = _text("ALLY_LRS_PASSWORD", values.get("ALLY_LRS_PASSWORD"))
    if username is None or password is None:
        raise SettingsError(
            "ALLY_LRS_USERNAME and ALLY_LRS_PASSWORD are required with ALLY_LRS_URL"
        )
    actor_email = _flag("ALLY_LRS_ACTOR_EMAIL", values.get("ALLY_LRS_ACTOR_EMAIL"), default=False)
    return LrsSettings(url.rstrip("/"), username, password, actor_email)


_OIDC_KEYS = ("ALLY_OIDC_ISSUER", "ALLY_OIDC_CLIENT_ID", "ALLY_OIDC_CLIENT_SECRET")
_LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


def _oidc(values: Mapping[str, Any]) -> OidcSettings | None:
    """ALLY_OIDC_*: an issuer, a client id and its secret, all three or none."""
    issuer, client_id, secret = (_text(key, values.get(key)) for key in _OIDC_KEYS)
    only = _flag("ALLY_OIDC_ONLY", values.get("ALLY_OIDC_ONLY"), default=False)
    if issuer is None and client_id is None and secret is None and not only:
        return None
    given = (issuer, client_id, secret)
    missing = [key for key, value in zip(_OIDC_KEYS, given, strict=True) if not value]
    if missing:
        raise SettingsError(f"single sign-on needs {', '.join(missing)} as well")
    assert issuer is not None and client_id is not None and secret is not None
    parts = urlsplit(issuer)
    host = parts.hostname or ""
    # http only on this machine (a test provider); a real provider is reached over TLS.
    secure = parts.scheme == "https" or (parts.scheme == "http" and host in _LOOPBACK_HOSTS)
    if not host or not secure or parts.query or parts.fragment or "#" in issuer:
        raise SettingsError(f"ALLY_OIDC_ISSUER must be an https:// address, got {issuer!r}")
    organisation = _text("ALLY_OIDC_ORGANISATION", values.get("ALLY_OIDC_ORGANISATION"))
    return OidcSettings(issuer.rstrip("/"), client_id, secret, organisation or host, only)


def _port(value: Any) -> int:
    if value is None:
        return 587
    try:
        port = int(str(value).strip())
    except ValueError:
        port = 0
    if not 0 < port < 65536:
        raise SettingsError(f"ALLY_SMTP_PORT must be a port number, got {value!r}")
    return port


def redacted_url(url: str) -> str:
    """The URL with its password replaced by ***, for logs and messages."""
    scheme, separator, rest = url.partition("://")
    credentials, at, host = rest.rpartition("@")
    if not separator or not at or ":" not in credentials:
        return url
    user = credentials.split(":", 1)[0]
    return f"{scheme}://{user}:***@{host}"
