"""People in a cohort: the join code, the members, a roster import, the co-facilitators."""

from __future__ import annotations

import csv
import io

import streamlit as st

from modules.cohorts.export import inert
from modules.services.cohorts import ImportResult
from modules.services.errors import ServiceError
from modules.services.mail import MailNotSent, send_account_link
from modules.services.runtime import runtime
from modules.ui.facilitate.common import CohortTab
from modules.ui.people import absolute
from modules.ui.render import option, plain

STATUS = {"add": "Will be added", "already": "Already in the cohort", "rejected": "Not imported"}


def render(tab: CohortTab) -> None:
    if tab.cohort.is_sample:
        st.caption(
            "A sample cohort: its learners are made up, and nobody can join it. Create a cohort"
            " of your own for real learners."
        )
    else:
        _join_code(tab)
    _members(tab)
    if not tab.cohort.is_sample:
        _roster(tab)
    _facilitators(tab)


def people(count: int) -> str:
    """'1 person', '3 people'."""
    return f"{count:d} {'person' if count == 1 else 'people'}"


def _join_code(tab: CohortTab) -> None:
    st.subheader("Invite learners")
    left, right = st.columns(2)
    left.metric("Join code", tab.cohort.join_code)
    with right:
        st.caption("Invite link (learners sign in or create an account, then join)")
        st.code(absolute(f"/join?code={tab.cohort.join_code}"), language=None, wrap_lines=True)
    if st.button("Make a new code", help="The old code and link stop working.", key="new-code"):
        tab.service.new_join_code(tab.actor, tab.cohort.id)
        st.rerun()


def _members(tab: CohortTab) -> None:
    members = tab.service.members(tab.actor, tab.cohort.id)
    st.subheader(f"Members ({len(members)})")
    if not members:
        st.caption("Nobody yet.")
        return
    st.dataframe(
        [
            {"Name": m.display_name, "Email": m.email, "Joined": f"{m.joined_at:%b %-d, %Y}"}
            for m in members
        ],
        hide_index=True,
        width="stretch",
    )
    with st.form("remove-member"):
        who = st.selectbox(
            "Remove someone from this cohort",
            [m.user_id for m in members],
            index=None,
            format_func={
                m.user_id: f"{option(m.display_name)} <{option(m.email)}>" for m in members
            }.__getitem__,
        )
        st.caption("Their account and everything they did stay; they just leave this cohort.")
        if st.form_submit_button("Remove") and who is not None:
            tab.service.remove_member(tab.actor, tab.cohort.id, who)
            st.rerun()


def _roster(tab: CohortTab) -> None:
    st.subheader("Import a roster")
    st.caption(
        "A CSV file with an email and a name for each person (Excel's 'CSV UTF-8' works)."
        " You see what would happen first; nothing changes until you confirm."
    )
    upload = st.file_uploader("Roster (CSV)", type=["csv", "txt"], key="roster-file")
    if upload is None:
        return
    data = upload.getvalue()
    try:
        with st.spinner("Checking the roster..."):
            rows = tab.service.preview_roster(tab.actor, tab.cohort.id, data)
    except ServiceError as error:
        st.error(plain(str(error)))
        return
    counts = {s: sum(r.status == s for r in rows) for s in STATUS}
    st.markdown(
        f"**{counts['add']:d}** to add, **{counts['already']:d}** already in the cohort, "
        f"**{counts['rejected']:d}** not imported."
    )
    st.dataframe(
        [
            {
                "Line": r.line,
                "Email": r.email,
                "Name": r.name,
                "Result": STATUS[r.status],
                "Why": r.reason,
            }
            for r in rows
        ],
        hide_index=True,
        width="stretch",
    )
    if counts["add"] and st.button(
        f"Add {people(counts['add'])}", type="primary", key="roster-confirm"
    ):
        try:
            with st.spinner(f"Adding {people(counts['add'])}..."):
                result = tab.service.import_roster(tab.actor, tab.cohort.id, data)
        except ServiceError as error:
            st.error(plain(str(error)))
            return
        st.session_state["roster-result"] = result
        st.rerun()  # every tab, drawn again, counts the new members (and shows this result)
    imported = st.session_state.get("roster-result")
    if isinstance(imported, ImportResult):
        _imported(imported)


def _imported(result: ImportResult) -> None:
    st.success(f"Added {people(result.added)}.", icon=":material/group_add:")
    if not result.links:
        return
    st.markdown(
        f"{len(result.links)} of them are new here. Send each their link to set a "
        "password (each works once, for 14 days). **This is the only time the links are "
        "shown.**"
    )
    links = [
        (link.person.display_name, link.person.email, absolute(link.path)) for link in result.links
    ]
    for name, email, url in links:
        st.markdown(f"{plain(name)} <{plain(email)}>")
        st.code(url, language=None, wrap_lines=True)
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["name", "email", "set-password link"])
    writer.writerows([inert(cell) for cell in row] for row in links)
    st.download_button(
        "Download the links (CSV)",
        ("\ufeff" + buffer.getvalue()).encode(),
        file_name="set-password-links.csv",
        mime="text/csv",
    )
    _email_links(links)


def _email_links(links: list[tuple[str, str, str]]) -> None:
    """With a mail server configured, send each new person their link."""
    smtp = runtime().settings.smtp
    if smtp is None or not st.button(f"Email each person their link ({len(links)})"):
        return
    failed = []
    with st.spinner("Sending..."):
        for name, email, url in links:
            try:
                send_account_link(smtp, email, name, url, invitation=True)
            except MailNotSent:
                failed.append(email)
    if failed:
        st.warning(
            f"{len(failed)} email(s) could not be sent: {plain(', '.join(failed))}."
            " Send those links yourself."
        )
    else:
        st.success(plain(f"Sent {len(links)} email{'s' * (len(links) != 1)}."))


def _facilitators(tab: CohortTab) -> None:
    st.subheader("Facilitators")
    people = tab.service.facilitators(tab.actor, tab.cohort.id)
    for person in people:
        owner = " (owner)" if person.is_owner else ""
        st.markdown(f"- {plain(person.display_name)} <{plain(person.email)}>{owner}")
    with st.form("add-facilitator", clear_on_submit=True):
        email = st.text_input("Add a co-facilitator by email address")
        if st.form_submit_button("Add"):
            try:
                tab.service.add_facilitator(tab.actor, tab.cohort.id, email)
            except ServiceError as error:
                st.error(plain(str(error)))
            else:
                st.rerun()
