"""The digest by email, over the SMTP server alerts use (``alerts_smtp_*`` settings)."""

from __future__ import annotations

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
    """What went wrong sending, in words a person can act on: the server and its own answer."""
    where = f"{settings.alerts_smtp_host}:{settings.alerts_smtp_port}"
    if isinstance(exc, smtplib.SMTPResponseException):
        said = (
            exc.smtp_error.decode(errors="replace")
            if isinstance(exc.smtp_error, bytes)
            else str(exc.smtp_error)
        )
        return f"the SMTP server {where} refused it: {exc.smtp_code} {said}"[:1000]
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return f"the SMTP server {where} refused the recipients: {', '.join(exc.recipients)}"[:1000]
    if isinstance(exc, smtplib.SMTPException):  # a disconnect, a missing extension
        return f"sending through the SMTP server {where} failed: {type(exc).__name__}: {exc}"[:1000]
    return f"the SMTP server {where} could not be reached: {type(exc).__name__}: {exc}"[:1000]


def send_digest(digest: Digest, *, to: Sequence[str], settings: Settings) -> None:
    """Send one email to every address; raises the SMTP or connection error as it comes."""
    message = digest_message(
        digest, sender=settings.alerts_smtp_sender, to=to, dashboard_url=dashboard_url(settings)
    )
    send_by_alerts_smtp(message, settings=settings)
