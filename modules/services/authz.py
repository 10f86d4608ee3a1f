"""The one place that checks who may do what; every service calls it in its unit of work.

`current` re-reads the caller from the database (one indexed lookup) so that a sign-out, an
expired or deleted account, or a role change takes effect on the very next call, in every tab.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from modules.services.actors import FACILITATOR, Actor
from modules.services.errors import NotFound, PermissionDenied, SignedOut
from modules.services.uow import PeopleRepository

SIGNED_OUT = "You are signed out (here or in another tab). Please sign in again to continue."


def current(people: PeopleRepository, actor: Actor) -> Actor:
    """`actor` with the roles the database holds now; SignedOut when his session has ended."""
    roles = people.current_roles(actor.user_id, actor.session_hash)
    if roles is None:
        raise SignedOut(SIGNED_OUT)
    return dataclasses.replace(actor, roles=roles)


def require_facilitator(actor: Actor) -> None:
    if not actor.is_facilitator:
        raise PermissionDenied("Only facilitators and administrators can do this.")


def require_admin(actor: Actor) -> None:
    if not actor.is_admin:
        raise PermissionDenied("Only administrators can do this.")


def require_preview_allowed(actor: Actor, preview: bool) -> None:
    """Preview mode (records that never count) is for facilitators and administrators."""
    if preview:
        require_facilitator(actor)


def require_cohort_manager(
    actor: Actor, cohort_exists: bool, facilitates: Callable[[], bool]
) -> None:
    """Administrators manage every cohort; facilitators the ones they own or co-facilitate.

    Someone who may not manage a cohort gets the same answer whether or not it exists, so
    cohort ids cannot be probed; only administrators learn that an id is unknown.
    """
    if actor.is_admin:
        if not cohort_exists:
            raise NotFound("That cohort does not exist.")
        return
    if cohort_exists and FACILITATOR in actor.roles and facilitates():
        return
    raise PermissionDenied("Only the facilitators of this cohort and administrators can do this.")


def learner(people: PeopleRepository, actor: Actor, preview: bool) -> Actor:
    """The caller acting on his own records (in preview only as a facilitator), checked now."""
    checked = current(people, actor)
    require_preview_allowed(checked, preview)
    return checked


def session_checked_by_write(actor: Actor, preview: bool) -> str | None:
    """The browser session a learner's write may check in its own statement, instead of
    `learner`'s read before it: one statement fewer for a scenario's choice.

    Only for his own records outside preview (which needs a role), and only with a browser
    session. The write stores nothing unless that session is live; the caller then checks
    with `learner`, which raises SignedOut when that was why.
    """
    return None if preview else actor.session_hash


def facilitator(people: PeopleRepository, actor: Actor) -> Actor:
    checked = current(people, actor)
    require_facilitator(checked)
    return checked


def admin(people: PeopleRepository, actor: Actor) -> Actor:
    checked = current(people, actor)
    require_admin(checked)
    return checked
