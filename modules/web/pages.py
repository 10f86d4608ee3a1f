"""The /auth pages, one function each: what they say, which fields they ask for."""

from __future__ import annotations

from dataclasses import dataclass

from modules.services.accounts import MAX_NAME_LENGTH, Person
from modules.services.single_sign_on import START_PATH
from modules.settings import Settings
from modules.web import html
from modules.web.html import Field, Form
from modules.web.next_path import sign_in_path
from progress.passwords import MIN_PASSWORD_LENGTH

FIRST_ACCOUNT_NOTICE = (
    "You are the first person here, so you will be the administrator and a facilitator."
)
_NEW_PASSWORD_HINT = f"At least {MIN_PASSWORD_LENGTH} characters. A short sentence works well."


@dataclass(frozen=True)
class SsoOffer:
    """The "Sign in with <organisation>" button, and whether it is the only way in."""

    organisation: str
    start_path: str
    only: bool


def sso_offer(settings: Settings, next_path: str) -> SsoOffer | None:
    """The single sign-on button that comes back to `next_path`, where it is set up."""
    if settings.oidc is None:
        return None
    start = sign_in_path(next_path, START_PATH)
    return SsoOffer(settings.oidc.organisation, start, not settings.passwords)


def login(
    csrf: str,
    email: str = "",
    next_path: str = "",
    problem: str | None = None,
    sso: SsoOffer | None = None,
) -> str:
    if sso is not None and sso.only:
        return _sso_only(sso, problem)
    spec = Form(
        action="/auth/login",
        csrf_token=csrf,
        submit="Sign in",
        fields=(
            Field("email", "Email address", "email", "username", value=email, maxlength=320),
            Field("password", "Password", "password", "current-password"),
        ),
        hidden=(("next", next_path),) if next_path else (),
    )
    body = (
        html.problem(problem)
        + _sso_button(sso)
        + html.form(spec)
        + html.links(
            "No account yet? " + html.link(sign_in_path(next_path, "/auth/signup"), "Create one"),
            "Forgot your password? Ask an administrator of this course for a reset link.",
        )
    )
    return html.document("Sign in", body)


def _sso_button(sso: SsoOffer | None) -> str:
    if sso is None:
        return ""
    button = html.link(sso.start_path, f"Sign in with {sso.organisation}", "button")
    return button + html.divider("or with your email address and password")


def _sso_only(sso: SsoOffer, problem: str | None) -> str:
    body = (
        html.problem(problem)
        + html.paragraph(f"Sign in with your {sso.organisation} account.")
        + html.link(sso.start_path, f"Sign in with {sso.organisation}", "button")
        + html.links(
            "No account yet? Signing in creates one. Trouble signing in? Ask your IT support."
        )
    )
    return html.document("Sign in", body)


def passwords_off(sso: SsoOffer) -> str:
    """Reset and invitation links, where single sign-on is the only way in."""
    body = html.paragraph(
        f"Passwords are not used here: everyone signs in with his {sso.organisation} account, "
        "so there is no password to set."
    ) + html.link(sso.start_path, f"Sign in with {sso.organisation}", "button")
    return html.document("Sign in with your organisation", body)


def signup(
    csrf: str,
    first_account: bool,
    email: str = "",
    name: str = "",
    problem: str | None = None,
    next_path: str = "",
) -> str:
    spec = Form(
        action="/auth/signup",
        csrf_token=csrf,
        submit="Create account",
        hidden=(("next", next_path),) if next_path else (),
        fields=(
            Field("email", "Email address", "email", "email", value=email, maxlength=320),
            Field(
                "name",
                "Your name",
                "text",
                "name",
                value=name,
                hint="Shown to you and, in cohorts, to your facilitator.",
                maxlength=MAX_NAME_LENGTH,
            ),
            _new_password(),
        ),
    )
    intro = html.notice(FIRST_ACCOUNT_NOTICE) if first_account else ""
    body = (
        intro
        + html.problem(problem)
        + html.form(spec)
        + html.links("Have an account already? " + html.link(sign_in_path(next_path), "Sign in"))
    )
    return html.document("Create your account", body)


def signup_closed(no_accounts: bool) -> str:
    body = html.paragraph(
        "New accounts are made by invitation here. Ask an administrator of this course to "
        "invite you; the invitation is a link where you choose your password."
    )
    if no_accounts:
        body += html.paragraph(
            "No one has an account yet. Whoever runs this site can create the first one with "
            "the command: python -m progress create-user EMAIL --name NAME --role admin"
        )
    body += html.links("Have an account already? " + html.link("/auth/login", "Sign in"))
    return html.document("Sign-up is closed", body)


def logout(csrf: str) -> str:
    spec = Form(action="/auth/logout", csrf_token=csrf, submit="Sign out")
    body = (
        html.paragraph("To go on with the course afterwards, you will sign in again.")
        + html.form(spec)
        + html.link("/", "Stay signed in and go back", "secondary")
    )
    return html.document("Sign out?", body)


def reset(csrf: str, token: str, person: Person, problem: str | None = None) -> str:
    invitation = not person.has_password
    spec = Form(
        action="/auth/reset",
        csrf_token=csrf,
        submit="Save password and sign in",
        fields=(
            Field("email", "Email address", "email", "username", value=person.email, readonly=True),
            _new_password(),
        ),
        hidden=(("token", token),),
    )
    opening: tuple[str | html.Name, ...]
    if invitation:
        title = "Welcome: choose your password"
        opening = (
            "Welcome, ",
            html.Name(person.display_name),
            ". Choose a password to open your account.",
        )
    else:
        title = "Choose a new password"
        opening = (
            html.Name(person.display_name),
            ", choose a new password. You will be signed out everywhere else.",
        )
    body = html.paragraph(*opening) + html.problem(problem) + html.form(spec)
    return html.document(title, body)


def link_unusable(message: str) -> str:
    body = html.problem(message) + html.links(html.link("/auth/login", "Go to sign in"))
    return html.document("This link cannot be used", body)


def csrf_refused(retry_path: str) -> str:
    body = html.paragraph(
        "The form was open for too long, came from another site, or your browser did not "
        "send its cookie. Nothing was changed. Open the form again and send it once more."
    ) + html.links(html.link(retry_path, "Open the form again"))
    return html.document("This form could not be accepted", body)


def _new_password() -> Field:
    return Field(
        "password",
        "Password",
        "password",
        "new-password",
        hint=_NEW_PASSWORD_HINT,
        minlength=MIN_PASSWORD_LENGTH,
    )


def unavailable(message: str) -> str:
    return html.document("Please try again soon", html.problem(message))
