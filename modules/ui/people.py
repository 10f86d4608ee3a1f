"""Pieces of the People page: the table, and a new one-time link shown once to copy."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import streamlit as st

from modules.services.accounts import AccountLink, Person
from modules.services.actors import ADMIN, FACILITATOR, LEARNER
from modules.services.mail import MailNotSent, send_account_link
from modules.services.runtime import Runtime
from modules.ui.render import option, plain

ROLE_LABELS = {LEARNER: "Learner", FACILITATOR: "Facilitator", ADMIN: "Administrator"}
_NEW_LINK_KEY = "people_new_link"


@dataclass(frozen=True)
class NewLink:
    name: str
    url: str
    expires: str
    invitation: bool
    mail_note: str | None


def person_label(person: Person) -> str:
    """A person in a select box (plain text): the name isolated, so it cannot move the address."""
    return f"{option(person.display_name)} <{option(person.email)}>"


def people_table(people: list[Person]) -> list[dict[str, Any]]:
    return [
        {
            "Name": person.display_name,
            "Email": person.email,
            "Roles": ", ".join(ROLE_LABELS[r] for r in sorted(person.roles) if r in ROLE_LABELS),
            "Status": "Active" if person.has_password else "Invited, no password yet",
            "Joined": person.created_at.date().isoformat(),
        }
        for person in people
    ]


def absolute(path: str) -> str:
    """`path` on this site as a full URL (the browser's address), to paste into a message."""
    parts = urlsplit(st.context.url or "")
    return f"{parts.scheme}://{parts.netloc}{path}" if parts.scheme and parts.netloc else path


def send_link_by_mail(rt: Runtime, link: AccountLink, invitation: bool) -> str | None:
    """Email the link when SMTP is configured; a note on what happened, or None without SMTP."""
    if rt.settings.smtp is None:
        return None
    try:
        send_account_link(
            rt.settings.smtp,
            link.person.email,
            link.person.display_name,
            absolute(link.path),
            invitation,
        )
    except MailNotSent as error:
        return str(error)
    return f"It was also sent by email to {link.person.email}."


def remember_link(link: AccountLink, invitation: bool, sent: str | None) -> None:
    st.session_state[_NEW_LINK_KEY] = NewLink(
        name=link.person.display_name,
        url=absolute(link.path),
        expires=f"{link.expires_at:%Y-%m-%d %H:%M} UTC",
        invitation=invitation,
        mail_note=sent,
    )


def show_new_link() -> None:
    """The link made just now, once: it is not stored anywhere it could be shown again."""
    new = st.session_state.pop(_NEW_LINK_KEY, None)
    if not isinstance(new, NewLink):
        return
    what = "Invitation" if new.invitation else "Reset link"
    st.success(
        f"{what} for {plain(new.name)} created. Copy it now and send it to them: it is shown "
        f"only this once, works once, and expires {plain(new.expires)}."
    )
    st.code(new.url, language=None)
    if new.mail_note:
        st.caption(plain(new.mail_note))
