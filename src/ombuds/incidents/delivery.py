"""Send queued alerts: a JSON POST to Slack-compatible webhooks, email over SMTP.

Runs outside the transaction that queued the alerts (``ombuds alerts send``, or the embedded
runner after each round). Each alert is sent on its own and its outcome stored in its own
transaction; a failed send is tried again later with a growing pause, up to a limit.
"""

from __future__ import annotations

import smtplib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ombuds import outbound
from ombuds.clock import utcnow
from ombuds.incidents import actions
from ombuds.incidents.models import Alert, AlertChannel, AlertKind, AlertStatus
from ombuds.settings import Settings

BATCH = 100


@dataclass
class DeliveryReport:
    sent: list[int] = field(default_factory=list)
    retrying: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)


def absolute(payload: dict[str, Any], public_url: str) -> dict[str, Any]:
    """The payload with its incident's (or breached case's) path turned into a full link."""
    path = str(payload.get("incident", {}).get("path", "") or payload.get("path", ""))
    url = public_url.rstrip("/") + path
    text = str(payload.get("text", "")).replace(f"\n{path}", f"\n{url}") if path else payload.get("text", "")
    blocks = [
        {**block, "text": {**block["text"], "text": block["text"]["text"].replace(f"<{path}|", f"<{url}|")}}
        if path and isinstance(block.get("text"), dict)
        else block
        for block in payload.get("blocks", [])
    ]
    return {**payload, "text": text, "blocks": blocks, "url": url}


def send_webhook(url: str, payload: dict[str, Any], *, client: httpx.Client) -> None:
    """POST the Slack-compatible body; any non-2xx answer is a failure."""
    response = client.post(url, json={"text": payload["text"], "blocks": payload["blocks"]})
    response.raise_for_status()


def send_email(address: str, payload: dict[str, Any], *, settings: Settings) -> None:
    message = EmailMessage()
    message["From"] = settings.alerts_smtp_sender
    message["To"] = address
    message["Subject"] = str(payload["text"]).split("\n", 1)[0][:200]
    incident = payload.get("incident")
    details = (
        f"\n\nStatus: {incident.get('status')}\nOpened: {incident.get('opened_at')}\n" if incident else "\n"
    )
    message.set_content(f"{payload['text']}{details}")
    send_by_alerts_smtp(message, settings=settings)


def send_by_alerts_smtp(message: EmailMessage, *, settings: Settings) -> None:
    """Hand one message to the SMTP server of the alerts' settings (alerts, digests); errors raise."""
    with smtplib.SMTP(
        settings.alerts_smtp_host, settings.alerts_smtp_port, timeout=settings.alerts_timeout_seconds
    ) as smtp:
        if settings.alerts_smtp_starttls:
            smtp.starttls()
        if settings.alerts_smtp_username:
            smtp.login(settings.alerts_smtp_username, settings.alerts_smtp_password or "")
        smtp.send_message(message)


def send_alert(
    kind: AlertKind, target: str, payload: dict[str, Any], *, settings: Settings, client: httpx.Client
) -> str | None:
    """Send one alert's payload to its channel; the error in words, or None when it went out."""
    try:
        body = absolute(payload, settings.alerts_public_url)
        if kind is AlertKind.WEBHOOK:
            send_webhook(target, body, client=client)
        else:
            send_email(target, body, settings=settings)
    except (httpx.HTTPError, smtplib.SMTPException, OSError) as exc:
        return f"{type(exc).__name__}: {exc}"[:1000]
    return None


def _due(factory: sessionmaker[Session], now: datetime) -> list[tuple[int, AlertKind, str, dict[str, Any]]]:
    with factory() as session:
        rows = session.execute(
            select(Alert.id, Alert.kind, AlertChannel.target, Alert.payload)
            .join(AlertChannel, AlertChannel.id == Alert.channel_id)
            .where(
                Alert.status.in_((AlertStatus.PENDING, AlertStatus.HELD)),
                Alert.due_at <= now,
                Alert.kind != AlertKind.IN_APP,
                AlertChannel.is_active.is_(True),
            )
            .order_by(Alert.due_at, Alert.id)
            .limit(BATCH)
        )
        return [(alert_id, kind, target, dict(payload or {})) for alert_id, kind, target, payload in rows]


def _record(
    factory: sessionmaker[Session], alert_id: int, *, error: str | None, now: datetime, max_attempts: int
) -> AlertStatus:
    with factory.begin() as session:
        return actions.record_delivery(
            session, alert_id=alert_id, error=error, now=now, max_attempts=max_attempts
        )


def deliver_due_alerts(
    factory: sessionmaker[Session],
    *,
    settings: Settings,
    now: Callable[[], datetime] = utcnow,
    client: httpx.Client | None = None,
) -> DeliveryReport:
    """Send every webhook and email alert that is due; returns what happened to each.

    ``settings`` (the ``alerts_*`` fields, environment ``OMBUDS_ALERTS_*``) say where links point
    and how email leaves.
    """
    report = DeliveryReport()
    owned = client is None
    http = client or outbound.client(timeout=settings.alerts_timeout_seconds)
    try:
        for alert_id, kind, target, payload in _due(factory, now()):
            error = send_alert(kind, target, payload, settings=settings, client=http)
            status = _record(
                factory, alert_id, error=error, now=now(), max_attempts=settings.alerts_max_attempts
            )
            {AlertStatus.SENT: report.sent, AlertStatus.FAILED: report.failed}.get(
                status, report.retrying
            ).append(alert_id)
    finally:
        if owned:
            http.close()
    return report
