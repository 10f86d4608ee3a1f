"""My data and account: the certificate, a copy of everything, and deleting the account."""

import streamlit as st

from modules.services import account_deletion, my_data, single_sign_on
from modules.services.accounts import AccountProblem
from modules.services.certificates import CertificateService
from modules.services.errors import ServiceError
from modules.services.runtime import runtime
from modules.ui.context import signed_in_page
from modules.ui.render import plain, site_link

page = signed_in_page()
rt = runtime()
certificates = CertificateService(rt, page.content)
st.title("My data and account")

deleted = False
st.subheader("Certificate of completion")
state = certificates.state(page.actor)
if state.revoked:
    st.warning(
        "Your certificate was withdrawn by an administrator and is no longer valid."
        " Ask an administrator of this course why."
    )
elif state.certificate is not None:
    st.success(f"Completed on {state.certificate.completed_on:%B %-d, %Y}.")
    st.markdown(f"Verification code: **{plain(state.certificate.code)}**")
    st.caption(f"Anyone can check it at {plain(state.url or '')}")
    st.download_button(
        "Download my certificate (PDF)",
        lambda: certificates.pdf(page.actor),  # made when clicked, not on every run
        file_name="certificate.pdf",
        mime="application/pdf",
        on_click="ignore",
        icon=":material/workspace_premium:",
        type="primary",
    )
elif state.completed_at is not None:
    st.markdown("You have completed the course. Your certificate is ready to be issued.")
    if st.button("Get my certificate", type="primary", icon=":material/workspace_premium:"):
        try:
            certificates.issue(page.actor)
        except ServiceError as problem:
            st.error(plain(str(problem)))
        else:
            st.rerun()
else:
    st.caption(
        "Your certificate appears here once you have completed every module of the course."
        " The self-assessment after the course is offered, not required."
    )

st.subheader("My data")
st.markdown(
    "Download everything the course holds about you: your account, progress, every attempt,"
    " reflections, plans and check-ins, self-assessments and certificates, as JSON and as"
    " spreadsheets (CSV) in one zip file."
)
st.download_button(
    "Download my data (zip)",
    lambda: my_data.export_my_data(rt, page.actor),
    file_name="my-ally-data.zip",
    mime="application/zip",
    icon=":material/download:",
    on_click="ignore",
)

st.subheader("Delete my account")
st.markdown(
    "This deletes your account and everything above for good: progress, attempts,"
    " reflections, plans, self-assessments and certificates. Anonymous cohort counts,"
    " which hold no name, stay as they are."
)
with_password = account_deletion.confirms_with_password(rt, page.actor)
if not with_password:
    st.caption(plain(account_deletion.SIGN_IN_AGAIN))
    site_link("Sign in again with your organisation", single_sign_on.reauth_path("/account"))
with st.form("delete-account", clear_on_submit=True):
    password = st.text_input("Your password, to confirm", type="password") if with_password else ""
    sure = st.checkbox("I understand that this cannot be undone.")
    if st.form_submit_button("Delete my account", icon=":material/delete_forever:"):
        if not sure:
            st.error("Tick the box to confirm that you want this. Nothing was deleted.")
        else:
            try:
                address = st.context.ip_address  # for the password throttle
                account_deletion.delete_own_account(
                    rt, page.actor, password, client=address if isinstance(address, str) else ""
                )
            except (AccountProblem, ServiceError) as problem:
                st.error(plain(str(problem)))
            else:
                deleted = True
if deleted:
    st.success("Your account and everything the course kept about you have been deleted.")
    site_link("Go to the welcome page", "/", primary=True)
