"""The ombudsman's report by email, like the digest: the same readers, SMTP server and PDF printer.

It leaves the desk, so every customer's word in it is masked, whoever reads it.
"""

from __future__ import annotations

from collections.abc import Sequence
from email.message import EmailMessage
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from ombuds.cases.privacy import mask_found
from ombuds.incidents.delivery import send_by_alerts_smtp
from ombuds.metrics.pdf import html_to_pdf
from ombuds.reports.ombudsman import OmbudsmanReport
from ombuds.settings import Settings

TEMPLATES = Path(__file__).with_name("templates")


def percent(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.0f}%"


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["mask"] = mask_found
    env.filters["percent"] = percent
    return env


def report_url(settings: Settings) -> str:
    """Where the reader finds the report in the app, each figure linked to its cases."""
    return settings.alerts_public_url.rstrip("/") + "/reports/ombudsman"


def render_html(report: OmbudsmanReport, *, url: str) -> str:
    return _environment().get_template("ombudsman.html").render(report=report, url=url)


def render_text(report: OmbudsmanReport, *, url: str) -> str:
    """The plain-text part, for readers that show no HTML."""
    lines = [report.subject, ""]
    if report.costliest:
        lines.append("Problems costing customers most:")
        lines += [
            f"- {mask_found(p.title)}: {p.cases} cases, {p.reach:,} reached, {p.days_open} days open, "
            f"{p.team or 'no team'}{' / ' + p.owner if p.owner else ''} ({p.status})"
            for p in report.costliest
        ]
    else:
        lines.append("No open problem.")
    if report.fixed:
        lines += ["", "Fixed in the last four weeks:"]
        lines += [
            f"- {mask_found(f.title)}: {f.customers_told} of {f.customers_to_tell} customers told; negative "
            f"{percent(f.before.negative_share)} before, {percent(f.after.negative_share)} after: {f.verdict}"
            for f in report.fixed
        ]
    if report.promises:
        lines += ["", "Promises customers contradict most:"]
        for line in report.promises:
            lines.append(
                f"- {line.text} ({line.contradicting} contradict, aligned {percent(line.alignment)})"
            )
            lines += [f'    "{mask_found(voice.text)}"' for voice in line.voices]
    lines += ["", f"The report in Ombuds: {url}"]
    return "\n".join(lines) + "\n"


def report_message(report: OmbudsmanReport, *, sender: str, to: Sequence[str], url: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = ", ".join(to)
    message["Subject"] = report.subject
    message.set_content(render_text(report, url=url))
    html = render_html(report, url=url)
    message.add_alternative(html, subtype="html")
    message.add_attachment(
        html_to_pdf(html),
        maintype="application",
        subtype="pdf",
        filename=f"ombudsman-{report.brand_slug}-{report.first_day:%Y-%m-%d}.pdf",
    )
    return message


def send_report(report: OmbudsmanReport, *, to: Sequence[str], settings: Settings) -> None:
    """One email to every address; raises the SMTP or connection error as it comes."""
    message = report_message(report, sender=settings.alerts_smtp_sender, to=to, url=report_url(settings))
    send_by_alerts_smtp(message, settings=settings)
