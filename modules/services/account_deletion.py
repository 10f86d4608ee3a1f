"""Deleting one's own account: confirmed, then everything personal goes in one unit of work.

Confirmation is the account's password (throttled like a sign-in), or, for an account without
one (single sign-on), a fresh sign-in: the browser session must have been signed in within
FRESH_SIGN_IN (`reauthenticated_at`); the identity provider's "sign in again" satisfies it.

In the one transaction: the rules first (the last administrator stays; no cohort is left
without a facilitator; a cohort he owns passes to a remaining facilitator), then each of
FORGETTERS with the open session and the user id, then the account row. Assignments he made
stay, shown as made by "a former facilitator"; anonymous cohort tallies hold no user id and
stay exactly as they are, so no comparison of views before and after reveals him.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from modules.services import authz, xapi_outbox
from modules.services.accounts import AccountProblem, TooManyAttempts
from modules.services.actors import ADMIN, Actor
from modules.services.runtime import Runtime
from modules.services.throttle import NO_WAIT, Refused, admit, client_key, succeeded
from progress import account_repo, auth_repo, cohort_repo, personal_data_repo, sso_repo
from progress.database import as_utc, lock_for_write
from progress.passwords import verify_password
from progress.people_repo import SqlPeopleRepository

# Each is given the open session and the user id, in this order, before the account row goes.
Forgetter = Callable[[Session, int], object]  # what one returns is not used
FORGETTERS: tuple[Forgetter, ...] = (
    personal_data_repo.forget_learning,
    personal_data_repo.forget_journal,
    personal_data_repo.forget_certificates,
    personal_data_repo.forget_cohort_places,
    personal_data_repo.forget_sign_in,
    xapi_outbox.forget,  # his pending statements go; what reached the LRS is voided
)
FRESH_SIGN_IN = timedelta(minutes=10)
WRONG_PASSWORD = "That is not your password. Nothing was deleted."
SIGN_IN_AGAIN = (
    "To delete an account without a password, sign in again with your organisation first,"
    f" then delete it within {int(FRESH_SIGN_IN.total_seconds() // 60)} minutes."
)


def delete_own_account(
    rt: Runtime,
    actor: Actor,
    password: str,
    *,
    client: str = "",
    now: datetime | None = None,
    wait: Callable[[float], None] = time.sleep,
) -> None:
    """Delete the caller's account and everything personal, once he has confirmed it."""
    moment = as_utc(now)
    with rt.transaction() as session:
        actor = authz.current(SqlPeopleRepository(session), actor)
        person = account_repo.get_user(session, actor.user_id)
    assert person is not None  # authz.current found him
    if person.has_password:
        _confirm_password(rt, person.email, password, client_key(client), moment, wait)
    with rt.transaction() as session:
        lock_for_write(session, "users")  # beside set_roles: the last administrator stays
        actor = authz.current(SqlPeopleRepository(session), actor)
        if not person.has_password:
            _require_fresh_sign_in(session, actor, moment)
        _check_who_remains(session, actor)
        _hand_over_cohorts(session, actor.user_id)
        for forget in FORGETTERS:
            forget(session, actor.user_id)
        personal_data_repo.delete_user_row(session, actor.user_id)


def confirms_with_password(rt: Runtime, actor: Actor) -> bool:
    """True when deleting the caller's account asks for his password, else a fresh sign-in."""
    with rt.transaction() as session:
        actor = authz.current(SqlPeopleRepository(session), actor)
        person = account_repo.get_user(session, actor.user_id)
    return person is not None and person.has_password


def reauthenticated_at(session: Session, actor: Actor) -> datetime | None:
    """When the caller last signed in afresh at the identity provider from this browser
    (/auth/sso/reauth, which asks the provider for a new sign-in); None if never."""
    if actor.session_hash is None:
        return None
    return sso_repo.reauthenticated_at(session, actor.session_hash)


def _require_fresh_sign_in(session: Session, actor: Actor, moment: datetime) -> None:
    signed_in = reauthenticated_at(session, actor)
    if signed_in is None or signed_in < moment - FRESH_SIGN_IN:
        raise AccountProblem(SIGN_IN_AGAIN)


def _confirm_password(
    rt: Runtime,
    email: str,
    password: str,
    client: str,
    moment: datetime,
    wait: Callable[[float], None],
) -> None:
    """Check the password, counted by the sign-in throttle (a borrowed browser cannot guess)."""
    if not password:
        raise AccountProblem("Enter your password to confirm. Nothing was deleted.")
    with rt.transaction() as session:
        counters = auth_repo.lock_sign_in_counters(session, email, client, moment)
        decision = admit(counters, moment)
        if isinstance(decision, Refused):
            raise TooManyAttempts(
                "Too many wrong passwords were tried. Nothing was deleted; try again after"
                f" {decision.retry_at:%H:%M} UTC.",
                decision.retry_at,
            )
        auth_repo.save_sign_in_counters(session, email, client, decision.counters)
        credentials = account_repo.sign_in_credentials(session, email)
    if decision.wait > NO_WAIT:
        wait(decision.wait.total_seconds())
    stored = credentials.password_hash if credentials else None
    if not verify_password(stored, password[:1024]):
        raise AccountProblem(WRONG_PASSWORD)
    with rt.transaction() as session:
        counters = auth_repo.lock_sign_in_counters(session, email, client, moment)
        auth_repo.save_sign_in_counters(session, email, client, succeeded(counters))


def _check_who_remains(session: Session, actor: Actor) -> None:
    if ADMIN in actor.roles:
        others = [p for p in account_repo.list_users(session) if p.id != actor.user_id]
        if not any(ADMIN in p.roles for p in others):
            raise AccountProblem(
                "You are the only administrator. Give someone else the administrator role"
                " (People page) first; then you can delete your account."
            )
    alone = [
        cohort.name
        for cohort in cohort_repo.cohorts_facilitated_by(
            session, actor.user_id, include_archived=True
        )
        if len(cohort_repo.facilitators(session, cohort.id)) == 1
    ]
    if alone:
        raise AccountProblem(
            f"You are the only facilitator of {_names(alone)}. Add another facilitator"
            f" to {'it' if len(alone) == 1 else 'each'} (Cohorts, Facilitators), then delete"
            " your account. Nothing was deleted."
        )


def _hand_over_cohorts(session: Session, user_id: int) -> None:
    """A cohort he owns passes to its first remaining facilitator (by name)."""
    for cohort in cohort_repo.cohorts_facilitated_by(session, user_id, include_archived=True):
        facilitators = cohort_repo.facilitators(session, cohort.id)
        mine = next(f for f in facilitators if f.user_id == user_id)
        if not mine.is_owner or any(f.is_owner for f in facilitators if f.user_id != user_id):
            continue
        heir = next(f for f in facilitators if f.user_id != user_id)
        cohort_repo.add_facilitator(session, cohort.id, heir.user_id, owner=True)


def _names(cohorts: list[str]) -> str:
    quoted = [f"“{name}”" for name in cohorts]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]
