"""The digest by email, over the SMTP server alerts use (``alerts_smtp_*`` settings)."""

from __future__ import annotations

import base64
import smtplib
from collections.abc import Sequence
from email.message import EmailMessage

from sqlalchemy import select
from sqlalchemy.orm import Session

from ombuds.accounts.models import Brand, Membership, Role, User
from ombuds.incidents.delivery import send_by_alerts_smtp
from ombuds.metrics.digest import Digest, render_html, render_text
from ombuds.metrics.pdf import html_to_pdf
from ombuds.settings import Settings

#: who gets the digest when no address is given
READERS = (Role.ADMIN, Role.MANAGER)


def digest_readers(session: Session, brand: Brand) -> list[str]:
    """The addresses of the brand's active admins and managers."""
    return list(
        session.scalars(
            select(User.email)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.brand_id == brand.id, Membership.role.in_(READERS), User.is_active.is_(True))
            .order_by(User.email)
        )
    )


def digest_message(digest: Digest, *, sender: str, to: Sequence[str], dashboard_url: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = ", ".join(to)
    message["Subject"] = digest.subject
    message.set_content(render_text(digest, dashboard_url=dashboard_url))
    html = render_html(digest, dashboard_url=dashboard_url)
    message.add_alternative(html, subtype="html")
    # the same page as a PDF, for readers who file or forward the week's figures
    message.add_attachment(
        html_to_pdf(html),
        maintype="application",
        subtype="pdf",
        filename=f"digest-{digest.week:%Y-%m-%d}.pdf",
    )
    return message


def dashboard_url(settings: Settings) -> str:
    """Where the digest's reader finds the week's figures and their cases."""
    return settings.alerts_public_url.rstrip("/") + "/dashboard?period=7"


def smtp_failure(exc: Exception, *, settings: Settings) -> str:
    """What went wrong sending, in words a person can act on: the server and its own answer.

    The answer is shown to a brand's managers and kept on its schedule, and a server may echo what
    it was sent: the SMTP password (the operator's, not theirs) never appears in it, neither in the
    clear nor as AUTH LOGIN or PLAIN sent it.
    """
    return _without_password(_failure(exc, settings=settings), settings=settings)[:1000]


def _failure(exc: Exception, *, settings: Settings) -> str:
    where = f"{settings.alerts_smtp_host}:{settings.alerts_smtp_port}"
    if isinstance(exc, smtplib.SMTPResponseException):
        said = (
            exc.smtp_error.decode(errors="replace")
            if isinstance(exc.smtp_error, bytes)
            else str(exc.smtp_error)
        )
        return f"the SMTP server {where} refused it: {exc.smtp_code} {said}"
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return f"the SMTP server {where} refused the recipients: {', '.join(exc.recipients)}"
    if isinstance(exc, smtplib.SMTPException):  # a disconnect, a missing extension
        return f"sending through the SMTP server {where} failed: {type(exc).__name__}: {exc}"
    return f"the SMTP server {where} could not be reached: {type(exc).__name__}: {exc}"


def _without_password(text: str, *, settings: Settings) -> str:
    password = settings.alerts_smtp_password
    if not password:
        return text
    user = settings.alerts_smtp_username or ""
    forms = {
        password,
        base64.b64encode(password.encode()).decode(),  # AUTH LOGIN
        base64.b64encode(f"\0{user}\0{password}".encode()).decode(),  # AUTH PLAIN
    }
    if len(password) < 4 and any(form in text for form in forms):
        # blanking so short a password would blank ordinary letters too: withhold the whole answer
        return "the SMTP server's answer is not shown: it might repeat the password"
    for form in sorted(forms, key=len, reverse=True):
        if len(form) >= 4:
            text = text.replace(form, "***")
    return text


def send_digest(digest: Digest, *, to: Sequence[str], settings: Settings) -> None:
    """Send one email to every address; raises the SMTP or connection error as it comes."""
    message = digest_message(
        digest, sender=settings.alerts_smtp_sender, to=to, dashboard_url=dashboard_url(settings)
    )
    send_by_alerts_smtp(message, settings=settings)
