"""People (administrators only): everyone's roles, reset links, invitations and certificates."""

import streamlit as st

from modules.services import accounts
from modules.services.actors import ADMIN, LEARNER, ROLES
from modules.services.certificates import CertificateService
from modules.services.errors import PermissionDenied, ServiceError
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
from modules.ui.render import option, plain
from modules.ui.state import current_content

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

st.subheader("Certificates")
content = current_content().content
if content is None:
    st.caption("The course is being updated; certificates show again once it loads.")
    st.stop()
certificates = CertificateService(rt, content)
issued = certificates.issued(actor)
if not issued:
    st.caption("No certificates yet. Learners get one on My data and account once they finish.")
    st.stop()
st.dataframe(
    [
        {
            "Holder": option(c.certificate.holder_name),
            "Email": option(c.email),
            "Completed": f"{c.certificate.completed_on:%Y-%m-%d}",
            "Code": c.certificate.code,
            "Status": "revoked" if c.certificate.revoked_at else "valid",
        }
        for c in issued
    ],
    hide_index=True,
)
valid = [c for c in issued if c.certificate.revoked_at is None]
with st.form("revoke-certificate"):
    chosen = st.selectbox(
        "Revoke a certificate (its code is then denied at /verify; this cannot be undone)",
        valid,
        index=None,
        format_func=lambda c: option(f"{c.certificate.holder_name} ({c.email})"),
    )
    if st.form_submit_button("Revoke") and chosen is not None:
        try:
            certificates.revoke(actor, chosen.certificate.id)
        except ServiceError as problem:
            st.error(plain(str(problem)))
        else:
            st.toast(f"The certificate of {plain(chosen.certificate.holder_name)} is revoked.")
            st.rerun()
