"""Single sign-on as use cases: send a browser to the organisation's OpenID provider, take its
answer back, and the fresh sign-in that deleting a single-sign-on account asks for.

A sign-in's state, nonce and PKCE verifier are kept in the database (progress/sso_repo), so the
replica that takes the provider's answer need not be the one that sent the browser away. The
state also goes into a cookie of this browser: an answer that arrives in another browser, or
twice, is refused. Who signed in is found by the provider's (issuer, subject) if linked before,
else by the VERIFIED email address: an existing account is linked, or a learner is created.
"""

from __future__ import annotations

import hmac
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import quote

from sqlalchemy.orm import Session

from modules.services import accounts
from modules.services import identity_provider as idp
from modules.services.accounts import SignedIn
from modules.services.actors import Actor
from modules.services.errors import InvalidInput
from modules.services.runtime import Runtime
from modules.services.text import clean_text, is_refused
from modules.settings import OidcSettings
from progress import account_repo, auth_repo, sso_repo
from progress.account_repo import UserRecord
from progress.database import as_utc
from progress.errors import EmailTaken
from progress.sso_repo import LoginRecord
from progress.tables.single_sign_on import REAUTH, SIGN_IN

log = logging.getLogger(__name__)

CALLBACK_PATH = "/auth/sso/callback"
START_PATH = "/auth/sso/start"
REAUTH_PATH = "/auth/sso/reauth"
LOGIN_LIFETIME = sso_repo.LOGIN_LIFETIME  # from the start to the provider's answer
FRESH_FOR = timedelta(minutes=10)  # how long a fresh sign-in counts as fresh
CLOCK_SKEW = timedelta(minutes=2)


class SsoProblem(Exception):
    """A sign-in that cannot go on; `title` and the message are safe to show the person."""

    status = 400
    title = "This sign-in cannot be finished"


class NotConfigured(SsoProblem):
    status = 404
    title = "Single sign-on is not set up here"


class WrongState(SsoProblem):
    """The answer does not belong to a sign-in this browser started (forged, or another tab)."""


class LoginSpent(SsoProblem):
    """The sign-in was finished already (a replay), or it expired."""


class ProviderDown(SsoProblem):
    status = 503
    title = "Please try again soon"


class ProviderSaidNo(SsoProblem):
    """The provider refused, or answered with something that does not verify."""


class UnverifiedEmail(SsoProblem):
    status = 403
    title = "Your email address is not confirmed"


class WrongPerson(SsoProblem):
    status = 403
    title = "This sign-in is not yours"


@dataclass(frozen=True)
class Started:
    """Send the browser to `url`; `state` goes into its cookie."""

    url: str
    state: str


@dataclass(frozen=True)
class Finished:
    """Where to go next; `signed_in` is the new session (None after a fresh sign-in)."""

    next_path: str
    signed_in: SignedIn | None


def redirect_uri(rt: Runtime) -> str:
    """The callback registered with the provider: ALLY_PUBLIC_URL + /auth/sso/callback."""
    return rt.settings.public_url + CALLBACK_PATH


def start(
    rt: Runtime, next_path: str, *, session_token: str | None = None, now: datetime | None = None
) -> Started:
    """A sign-in (or, with the browser's `session_token`, a fresh sign-in) at the provider."""
    oidc = _configured(rt)
    session_hash = None
    if session_token is not None:
        if accounts.actor_for_session(rt, session_token) is None:
            raise WrongPerson("You are signed out. Sign in again, then try once more.")
        session_hash = auth_repo.token_hash(session_token)
    found = _provider(oidc)
    state, nonce, verifier = (secrets.token_urlsafe(32) for _ in range(3))
    purpose = SIGN_IN if session_hash is None else REAUTH
    login = LoginRecord(nonce, verifier, next_path, purpose, session_hash, as_utc(now))
    with rt.transaction() as session:
        sso_repo.save_login(session, state, login)
    url = idp.authorization_url(
        oidc,
        found,
        redirect_uri(rt),
        state=state,
        nonce=nonce,
        code_verifier=verifier,
        fresh=purpose == REAUTH,
    )
    return Started(url, state)


def finish(
    rt: Runtime,
    *,
    state: str,
    cookie_state: str | None,
    code: str,
    error: str = "",
    session_token: str | None = None,
    now: datetime | None = None,
) -> Finished:
    """Take the provider's answer: verify it, then sign in (or record the fresh sign-in)."""
    oidc = _configured(rt)
    moment = as_utc(now)
    if not cookie_state:  # spent by its first arrival here, or never started in this browser
        raise WrongState(
            "This answer from the sign-in service was used already, or the sign-in was not "
            "started in this browser. Nothing was changed."
        )
    if not state or not hmac.compare_digest(state, cookie_state):
        raise WrongState(
            "This answer from the sign-in service does not belong to the sign-in started in "
            "this browser, or a newer one was started since (in another tab?). Nothing was "
            "changed."
        )
    with rt.transaction() as session:
        login = sso_repo.find_login(session, state, moment)
    if login is None:
        raise LoginSpent(
            "This sign-in was finished already, or it took longer than "
            f"{int(LOGIN_LIFETIME.total_seconds() // 60)} minutes. Nothing was changed."
        )
    if error or not code:
        raise ProviderSaidNo(f"{oidc.organisation} did not sign you in ({error or 'no code'}).")
    person = _identity(rt, oidc, login, code)
    if login.purpose == REAUTH:
        _check_fresh(person, login)
    with rt.transaction() as session:
        if not sso_repo.spend_login(session, state):  # the same answer twice, at once
            raise LoginSpent("This sign-in was finished already. Nothing was changed.")
        user = _account_for(session, oidc, person, moment, create=login.purpose == SIGN_IN)
        if login.purpose == REAUTH:
            _record_fresh(session, login, user, session_token, moment)
            return Finished(login.next_path, None)
        return Finished(login.next_path, accounts.start_session(session, user, moment))


def is_single_sign_on_account(rt: Runtime, actor: Actor) -> bool:
    """True when the account signs in through the provider (its deletion asks for a fresh
    sign-in there instead of a password)."""
    with rt.transaction() as session:
        return sso_repo.has_identity(session, actor.user_id)


def signed_in_freshly(
    rt: Runtime, actor: Actor, within: timedelta = FRESH_FOR, now: datetime | None = None
) -> bool:
    """True when this browser session's person signed in afresh at the provider within
    `within` (through REAUTH_PATH); what deleting a single-sign-on account checks."""
    if actor.session_hash is None:
        return False
    with rt.transaction() as session:
        when = sso_repo.reauthenticated_at(session, actor.session_hash)
    return when is not None and as_utc(now) - when <= within


def reauth_path(next_path: str) -> str:
    """The link that sends a signed-in person to sign in afresh, then back to `next_path`."""
    return f"{REAUTH_PATH}?next={quote(next_path, safe='')}"


def _configured(rt: Runtime) -> OidcSettings:
    if rt.settings.oidc is None:
        raise NotConfigured("This course is not set up for sign-in with an organisation.")
    return rt.settings.oidc


def _provider(oidc: OidcSettings) -> idp.Provider:
    try:
        return idp.provider(oidc)
    except idp.ProviderUnavailable as error:
        log.warning("single sign-on provider unavailable: %s", error)
        raise _down(oidc) from None


def _down(oidc: OidcSettings) -> ProviderDown:
    return ProviderDown(
        f"{oidc.organisation}'s sign-in service is not answering just now. Nothing was "
        "changed. Try again in a few minutes; if it goes on, tell your IT support."
    )


def _identity(rt: Runtime, oidc: OidcSettings, login: LoginRecord, code: str) -> idp.Identity:
    found = _provider(oidc)
    try:
        return idp.identity(
            oidc,
            found,
            redirect_uri(rt),
            code=code,
            code_verifier=login.code_verifier,
            nonce=login.nonce,
        )
    except idp.ProviderUnavailable as error:
        log.warning("single sign-on provider unavailable: %s", error)
        raise _down(oidc) from None
    except idp.ProviderRefused as error:
        log.warning("single sign-on answer refused: %s", error)
        raise ProviderSaidNo(
            f"The answer from {oidc.organisation}'s sign-in service could not be verified, or "
            "was used already. Nothing was changed."
        ) from None


def _check_fresh(person: idp.Identity, login: LoginRecord) -> None:
    if person.auth_time is None or person.auth_time < login.created_at - CLOCK_SKEW:
        raise ProviderSaidNo(
            "The sign-in service did not ask for your password again, so this does not count "
            "as a fresh sign-in. Nothing was changed."
        )


def _account_for(
    session: Session, oidc: OidcSettings, person: idp.Identity, now: datetime, *, create: bool
) -> UserRecord:
    """The account this identity signs in as: linked before, or by verified email."""
    linked = sso_repo.user_for_identity(session, person.issuer, person.subject)
    user = account_repo.get_user(session, linked) if linked is not None else None
    if user is not None:
        sso_repo.note_sign_in(session, person.issuer, person.subject, now)
        return user
    email = _verified_email(oidc, person)
    user = account_repo.find_user_by_email(session, email)
    if user is None and create:
        try:
            user = account_repo.create_user(session, email, _display_name(person), None, now=now)
        except EmailTaken:  # created by a concurrent first sign-in of the same person
            user = account_repo.find_user_by_email(session, email)
    if user is None:
        raise WrongPerson("This is not the account you are signed in with. Nothing was changed.")
    if user.synthetic:  # a sample cohort's made-up learner never signs in
        raise WrongPerson("This account cannot be signed in to. Nothing was changed.")
    linked = sso_repo.link_identity(session, person.issuer, person.subject, user.id, email, now)
    if linked != user.id:
        raise WrongPerson("This sign-in belongs to another account. Nothing was changed.")
    log.info("single sign-on identity linked to account %s", user.id)
    return user


def _verified_email(oidc: OidcSettings, person: idp.Identity) -> str:
    if person.email is None or not person.email_verified:
        raise UnverifiedEmail(
            f"{oidc.organisation}'s sign-in service did not confirm your email address, so "
            "this course cannot tell which account is yours. Nothing was changed. Ask your IT "
            "support to confirm the address on your account, then sign in again."
        )
    try:
        clean_text(person.email, "The email address")
        unusable = account_repo.email_problem(person.email) is not None
    except InvalidInput:
        unusable = True
    if unusable:
        raise ProviderSaidNo(
            f"{oidc.organisation}'s sign-in service gave an email address this course cannot "
            "use. Nothing was changed. Tell your IT support."
        )
    return account_repo.normalize_email(person.email)


def _display_name(person: idp.Identity) -> str:
    """The provider's name for the person, without characters that cannot be stored."""
    name = "".join(char for char in person.name if not is_refused(char)).strip()
    return name[: accounts.MAX_NAME_LENGTH] or "Colleague"


def _record_fresh(
    session: Session,
    login: LoginRecord,
    user: UserRecord,
    session_token: str | None,
    now: datetime,
) -> None:
    current = auth_repo.user_for_auth_session(session, session_token) if session_token else None
    session_hash = auth_repo.token_hash(session_token) if session_token else None
    if current is None or session_hash is None or session_hash != login.session_hash:
        raise WrongPerson("You were signed out meanwhile. Sign in again. Nothing was changed.")
    if current.id != user.id:
        raise WrongPerson(
            "You signed in at the sign-in service as someone else than the person signed in "
            "here. Nothing was changed."
        )
    sso_repo.record_reauthentication(session, session_hash, now)
