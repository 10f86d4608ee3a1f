"""People (administrators only): everyone's roles, reset links and invitations."""

import streamlit as st

from modules.services import accounts
from modules.services.actors import ADMIN, LEARNER, ROLES
from modules.services.errors import PermissionDenied
from modules.services.runtime import runtime
from modules.ui.context import guard
from modules.ui.people import (
    ROLE_LABELS,
    people_table,
    person_label,
    remember_link,
    send_link_by_mail,
    show_new_link,
)
from modules.ui.render import plain

actor = guard(ADMIN)
st.title("People")
rt = runtime()
try:
    people = accounts.list_people(rt, actor)
except PermissionDenied as denied:
    st.error(plain(str(denied)))
    st.stop()

show_new_link()
st.dataframe(people_table(people), hide_index=True)

st.subheader("Change roles or reset a password")
person = st.selectbox("Person", people, format_func=person_label)
if person is not None:
    roles = st.multiselect(
        "Roles",
        ROLES,
        default=sorted(person.roles),
        format_func=ROLE_LABELS.__getitem__,
        key=f"roles_{person.id}",
    )
    save, reset = st.columns(2)
    try:
        if save.button("Save roles", key=f"save_{person.id}", width="stretch"):
            accounts.set_roles(rt, actor, person.id, roles)
            st.toast(f"Roles of {plain(person.display_name)} saved.")
            st.rerun()
        if reset.button("Create a reset link", key=f"reset_{person.id}", width="stretch"):
            link = accounts.create_reset_link(rt, actor, person.id)
            remember_link(link, invitation=False, sent=send_link_by_mail(rt, link, False))
            st.rerun()
    except (accounts.AccountProblem, PermissionDenied) as problem:
        st.error(plain(str(problem)))

st.subheader("Invite someone")
with st.form("invite", clear_on_submit=True):
    email = st.text_input("Email address", autocomplete="off")
    name = st.text_input("Name")
    invite_roles = st.multiselect(
        "Roles", ROLES, default=[LEARNER], format_func=ROLE_LABELS.__getitem__
    )
    if st.form_submit_button("Create invitation link", type="primary"):
        try:
            link = accounts.invite(rt, actor, email, name, invite_roles)
        except (accounts.AccountProblem, PermissionDenied) as problem:
            st.error(plain(str(problem)))
        else:
            remember_link(link, invitation=True, sent=send_link_by_mail(rt, link, True))
            st.rerun()
