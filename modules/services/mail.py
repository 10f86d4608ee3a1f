"""Emailing a password link, when an SMTP server is configured (it is optional)."""

from __future__ import annotations

import smtplib
from collections.abc import Callable
from email.message import EmailMessage

from modules.settings import SmtpSettings

COURSE_NAME = "Leading as an Ally"


class MailNotSent(Exception):
    """The message could not be handed to the mail server; the message is safe to show."""


def send_account_link(
    smtp: SmtpSettings,
    to: str,
    name: str,
    link: str,
    invitation: bool,
    connect: Callable[[str, int], smtplib.SMTP] = lambda host, port: smtplib.SMTP(
        host, port, timeout=15
    ),
) -> None:
    """Send `link` to `to`: an invitation to set a first password, or a reset link."""
    message = EmailMessage()
    message["From"] = smtp.sender
    message["To"] = to
    if invitation:
        message["Subject"] = f"You are invited to {COURSE_NAME}"
        opening = f"You have been invited to the course {COURSE_NAME}. Choose a password here:"
    else:
        message["Subject"] = f"Set a new password for {COURSE_NAME}"
        opening = "An administrator created a link for you to set a new password:"
    message.set_content(
        f"Hello {name},\n\n{opening}\n\n{link}\n\n"
        "The link works once and expires. If you did not expect this, you can ignore it.\n"
    )
    try:
        with connect(smtp.host, smtp.port) as client:
            if smtp.starttls:
                client.starttls()
            if smtp.username:
                client.login(smtp.username, smtp.password or "")
            client.send_message(message)
    except (OSError, smtplib.SMTPException) as error:
        raise MailNotSent(
            f"The email could not be sent ({type(error).__name__}). Copy the link instead."
        ) from None
