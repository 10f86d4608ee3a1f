"""Accounts and sign-in sessions as services: sign up, sign in and out, reset links, people.

Every function takes the Runtime; those an administrator calls also take the Actor and check,
against the database (not a cached Actor), that the caller is still an administrator.
Messages in AccountProblem and PermissionDenied are safe to show to the person.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from modules.services import authz
from modules.services.actors import ADMIN, LEARNER, ROLES, Actor
from modules.services.errors import InvalidInput
from modules.services.runtime import Runtime
from modules.services.text import clean_text
from modules.services.throttle import (
    FAILURE_WINDOW,
    LOCK_AFTER,
    NO_WAIT,
    SLOW_AFTER,
    SLOW_DOWN,
    Admitted,
    Refusal,
    Refused,
    admit,
    client_key,
    succeeded,
)
from progress import account_repo, auth_repo
from progress.database import as_utc, lock_for_write
from progress.errors import EmailTaken, RecordNotFound
from progress.passwords import hash_password, needs_rehash, password_problem, verify_password
from progress.people_repo import SqlPeopleRepository

SESSION_COOKIE = "ally_session"
SESSION_LIFETIME = auth_repo.SESSION_LIFETIME
RESET_LIFETIME = auth_repo.RESET_LIFETIME
INVITATION_LIFETIME = timedelta(days=14)
MAX_PASSWORD_LENGTH = 1024
MAX_NAME_LENGTH = 200
MAX_EMAIL_LENGTH = 320

WRONG_CREDENTIALS = "The email address or the password is not right."
SIGNUP_CLOSED = "Sign-up is closed here. Ask an administrator for an invitation."

Person = account_repo.UserRecord


class AccountProblem(Exception):
    """Something the person can fix or must wait for; the message is safe to show them."""


class PasswordsOff(AccountProblem):
    """Single sign-on is the only way in (ALLY_OIDC_ONLY): no password is used or set."""


class SignUpClosed(AccountProblem):
    """Open sign-up is turned off (ALLY_ALLOW_SIGNUP=false)."""


class WrongCredentials(AccountProblem):
    """Unknown address, wrong password or no password yet: deliberately not told apart."""


class TooManyAttempts(AccountProblem):
    """Sign-in for this account from this address (or from it at all) waits until `retry_at`."""

    def __init__(self, message: str, retry_at: datetime) -> None:
        super().__init__(message)
        self.retry_at = retry_at


class LinkNotUsable(AccountProblem):
    """A reset or invitation link that is unknown, used already or expired."""


class UnstorableText(AccountProblem, InvalidInput):
    """A name or an address holding a control character or a line break (see clean_text)."""


@dataclass(frozen=True)
class SignedIn:
    """A new browser session: `token` goes into the cookie and is never stored."""

    actor: Actor
    token: str
    expires_at: datetime


def reset_path(token: str) -> str:
    """The page where a one-time link's owner sets a password (resets and invitations)."""
    return f"/auth/reset?token={token}"


@dataclass(frozen=True)
class AccountLink:
    """A one-time link to set a password (a reset or an invitation), shown once."""

    person: Person
    token: str
    expires_at: datetime

    @property
    def path(self) -> str:
        return reset_path(self.token)


@dataclass(frozen=True)
class SignUpState:
    open: bool
    first_account: bool  # the next account will be administrator and facilitator


def session_hash(token: str) -> str:
    """How a browser session is named in the database (and in `Actor.session_hash`)."""
    return auth_repo.token_hash(token)


def actor_for_session(rt: Runtime, token: str) -> Actor | None:
    """The person a session cookie belongs to; None when forged, expired or signed out."""
    if not token or len(token) > 256:
        return None
    with rt.transaction() as session:
        user = auth_repo.user_for_auth_session(session, token)
    if user is None:
        return None
    return _actor(user, token)


def signup_state(rt: Runtime) -> SignUpState:
    with rt.transaction() as session:
        first = account_repo.count_users(session) == 0
    open_ = rt.settings.allow_signup and rt.settings.passwords
    return SignUpState(open=open_, first_account=first)


def sign_up(
    rt: Runtime, email: str, display_name: str, password: str, now: datetime | None = None
) -> SignedIn:
    """Open an account (the very first one becomes administrator and facilitator), signed in."""
    if not rt.settings.allow_signup or not rt.settings.passwords:
        raise SignUpClosed(SIGNUP_CLOSED)
    _check_account_details(email, display_name)
    _check_password(password)
    password_hash = hash_password(password)  # slow: done before the write transaction
    with rt.transaction() as session:
        try:
            user = account_repo.create_user(session, email, display_name, password_hash, now=now)
        except EmailTaken:
            raise AccountProblem(
                "An account with this email address exists already. Sign in instead, or ask "
                "an administrator for a reset link if you forgot the password."
            ) from None
        return start_session(session, user, now)


def sign_in(
    rt: Runtime,
    email: str,
    password: str,
    now: datetime | None = None,
    *,
    client: str = "",
    wait: Callable[[float], None] = time.sleep,
) -> SignedIn:
    """Check the password (argon2id) and start a session; throttled as services.throttle says.

    `client` is the address the request came from (modules.web.client); `wait` holds the
    attempt until that address's turn. The attempt is counted, and committed, before the slow
    password check so that concurrent guesses see each other: one transaction before the
    check, and one after it to sign in.
    """
    _check_passwords_used(rt)
    moment = as_utc(now)
    address = account_repo.normalize_email(email)
    if not address or not password:
        raise AccountProblem("Enter your email address and your password.")
    try:  # before the first query: PostgreSQL cannot even look up an address holding NUL
        clean_text(address, "The email address")
    except InvalidInput as error:
        raise UnstorableText(str(error)) from None
    if len(address) > MAX_EMAIL_LENGTH:
        raise WrongCredentials(WRONG_CREDENTIALS)
    client = client_key(client)
    with rt.transaction() as session:
        admitted = _admit(session, address, client, moment)
        credentials = account_repo.sign_in_credentials(session, address)
    if admitted.wait > NO_WAIT:
        wait(admitted.wait.total_seconds())
    stored = credentials.password_hash if credentials else None
    candidate = password if len(password) <= MAX_PASSWORD_LENGTH else ""
    # Verified even without an account (against a decoy) so the time taken reveals nothing.
    if not verify_password(stored, candidate) or credentials is None:
        raise _failed_sign_in(admitted.failures, moment)
    assert stored is not None  # verify_password is False without a hash
    with rt.transaction() as session:
        if needs_rehash(stored):
            account_repo.set_password_hash(session, credentials.user.id, hash_password(password))
        counters = auth_repo.lock_sign_in_counters(session, address, client, moment)
        auth_repo.save_sign_in_counters(session, address, client, succeeded(counters))
        return start_session(session, credentials.user, moment)


def sign_out(rt: Runtime, token: str) -> None:
    """End this browser's session (nothing happens for an unknown token)."""
    if not token or len(token) > 256:
        return
    with rt.transaction() as session:
        auth_repo.end_auth_session(session, token)


def reset_link_person(rt: Runtime, token: str, now: datetime | None = None) -> Person | None:
    """Whose reset or invitation link this is while it can still be used, else None."""
    if not token or len(token) > 256:
        return None
    with rt.transaction() as session:
        return auth_repo.password_reset_user(session, token, now=now)


def reset_password(rt: Runtime, token: str, password: str, now: datetime | None = None) -> SignedIn:
    """Spend a reset (or invitation) link: set the password, end other sessions, sign in."""
    _check_passwords_used(rt)
    _check_password(password)
    password_hash = hash_password(password)
    with rt.transaction() as session:
        user_id = auth_repo.use_password_reset(session, token, now=now) if token else None
        user = account_repo.get_user(session, user_id) if user_id is not None else None
        if user is None:
            raise LinkNotUsable(
                "This link has been used already, has expired or is not complete. "
                "Ask an administrator for a new one."
            )
        account_repo.set_password_hash(session, user.id, password_hash)
        auth_repo.end_all_auth_sessions(session, user.id)
        auth_repo.forget_sign_in_failures(session, user.email)
        return start_session(session, user, now)


def clean_up(rt: Runtime, now: datetime | None = None) -> None:
    """Forget expired sessions and sign-in failures too old to count; run on start."""
    moment = as_utc(now)
    with rt.transaction() as session:
        auth_repo.delete_expired_auth_sessions(session, now=moment)
        auth_repo.forget_old_sign_in_failures(session, before=moment - FAILURE_WINDOW)


def list_people(rt: Runtime, actor: Actor) -> list[Person]:
    """Every account, oldest first (administrators only)."""
    with rt.transaction() as session:
        _require_admin_now(session, actor)
        return account_repo.list_users(session)


def set_roles(rt: Runtime, actor: Actor, user_id: int, roles: Iterable[str]) -> Person:
    """Replace a person's roles; at least one administrator always remains."""
    wanted = frozenset(roles)
    if not wanted:
        raise AccountProblem("Choose at least one role.")
    if not wanted <= set(ROLES):
        raise AccountProblem(f"Roles are {', '.join(ROLES)}.")
    with rt.transaction() as session:
        lock_for_write(session, "users")  # two admins demoting each other at once
        _require_admin_now(session, actor)
        others = [p for p in account_repo.list_users(session) if p.id != user_id]
        if ADMIN not in wanted and not any(ADMIN in p.roles for p in others):
            raise AccountProblem("At least one administrator must remain.")
        try:
            return account_repo.set_roles(session, user_id, wanted)
        except RecordNotFound:
            raise AccountProblem("There is no such person.") from None


def create_reset_link(
    rt: Runtime, actor: Actor, user_id: int, now: datetime | None = None
) -> AccountLink:
    """A one-time link, valid for RESET_LIFETIME, for `user_id` to set a new password."""
    with rt.transaction() as session:
        _require_admin_now(session, actor)
        person = account_repo.get_user(session, user_id)
        if person is None or person.synthetic:  # a made-up learner never signs in
            raise AccountProblem("There is no such person.")
        new = auth_repo.create_password_reset(session, user_id, actor.user_id, RESET_LIFETIME, now)
    return AccountLink(person, new.token, new.expires_at)


def invite(
    rt: Runtime,
    actor: Actor,
    email: str,
    display_name: str,
    roles: Iterable[str] = (LEARNER,),
    now: datetime | None = None,
) -> AccountLink:
    """An account without a password and a link to set one; works while sign-up is closed."""
    wanted = frozenset(roles) or frozenset({LEARNER})
    _check_account_details(email, display_name)
    with rt.transaction() as session:
        _require_admin_now(session, actor)
        try:
            person = account_repo.create_user(session, email, display_name, None, wanted, now=now)
        except EmailTaken:
            raise AccountProblem(
                "An account with this email address exists already: create a reset link for "
                "that person instead."
            ) from None
        except ValueError as error:
            raise AccountProblem(str(error)) from None
        new = auth_repo.create_password_reset(
            session, person.id, actor.user_id, INVITATION_LIFETIME, now
        )
    return AccountLink(person, new.token, new.expires_at)


def _actor(user: Person, token: str) -> Actor:
    return Actor(user.id, user.display_name, frozenset(user.roles), auth_repo.token_hash(token))


def start_session(session: Session, user: Person, now: datetime | None) -> SignedIn:
    """A new browser session for `user` (a password or a single sign-on checked him)."""
    new = auth_repo.start_auth_session(session, user.id, SESSION_LIFETIME, now)
    return SignedIn(_actor(user, new.token), new.token, new.expires_at)


def _require_admin_now(session: Session, actor: Actor) -> None:
    authz.admin(SqlPeopleRepository(session), actor)


def _check_account_details(email: str, display_name: str) -> None:
    try:  # before anything else: PostgreSQL cannot even look up an address holding NUL
        clean_text(email, "The email address")
        clean_text(display_name, "The name")
    except InvalidInput as error:
        raise UnstorableText(str(error)) from None
    problem = account_repo.email_problem(email)
    if problem:
        raise AccountProblem(problem)
    if not display_name.strip():
        raise AccountProblem("Enter the name others in the course will see.")
    if len(display_name.strip()) > MAX_NAME_LENGTH:
        raise AccountProblem(f"The name can have at most {MAX_NAME_LENGTH} characters.")


def _check_passwords_used(rt: Runtime) -> None:
    if rt.settings.oidc is not None and not rt.settings.passwords:
        raise PasswordsOff(
            f"Passwords are not used here: sign in with {rt.settings.oidc.organisation} instead."
        )


def _check_password(password: str) -> None:
    problem = password_problem(password)
    if problem:
        raise AccountProblem(problem)
    if len(password) > MAX_PASSWORD_LENGTH:
        raise AccountProblem(f"The password can have at most {MAX_PASSWORD_LENGTH} characters.")


def _admit(session: Session, address: str, client: str, moment: datetime) -> Admitted:
    counters = auth_repo.lock_sign_in_counters(session, address, client, moment)
    decision = admit(counters, moment)
    if isinstance(decision, Refused):
        raise _refused(decision, moment)
    auth_repo.save_sign_in_counters(session, address, client, decision.counters)
    return decision


def _refused(refused: Refused, moment: datetime) -> TooManyAttempts:
    if refused.reason is Refusal.LOCKED:
        return _locked(refused.retry_at, moment)
    if refused.reason is Refusal.SLOWED:
        opening = "Several sign-ins for this email address failed."
    else:
        opening = "Many sign-ins are coming from your network just now."
    return _slowed(refused.retry_at, moment, opening)


def _failed_sign_in(failures: int, moment: datetime) -> AccountProblem:
    """The answer to a wrong password, telling what the next attempt will meet."""
    if failures >= LOCK_AFTER:
        return _locked(moment + FAILURE_WINDOW, moment)
    if failures >= SLOW_AFTER:
        return _slowed(moment + SLOW_DOWN, moment, WRONG_CREDENTIALS)
    return WrongCredentials(WRONG_CREDENTIALS)


def _locked(retry_at: datetime, moment: datetime) -> TooManyAttempts:
    minutes = max(1, math.ceil((retry_at - moment).total_seconds() / 60))
    return TooManyAttempts(
        "Too many sign-ins for this email address failed from here, so it is locked for a while. "
        f"Try again in {minutes} minute{'s' if minutes != 1 else ''} "
        f"(after {retry_at:%H:%M} UTC), or ask an administrator for a reset link.",
        retry_at,
    )


def _slowed(retry_at: datetime, moment: datetime, opening: str) -> TooManyAttempts:
    seconds = max(1, math.ceil((retry_at - moment).total_seconds()))
    return TooManyAttempts(f"{opening} Wait {seconds} seconds, then try again.", retry_at)
