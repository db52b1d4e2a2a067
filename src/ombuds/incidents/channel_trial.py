"""A test alert: proof that a channel delivers, sent the way real alerts go.

It is written to the outbox like any alert, sent by ``delivery.send_alert`` and its outcome
stored by ``actions.record_delivery``, so what the administrator sees is what an incident would
meet. It is tried once, at once: the person is waiting for the answer.
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx
from sqlalchemy.orm import Session, sessionmaker

from ombuds import outbound
from ombuds.clock import utcnow
from ombuds.errors import InvalidInput, NotFound
from ombuds.incidents import actions
from ombuds.incidents.delivery import send_alert
from ombuds.incidents.models import AlertChannel, AlertKind, AlertStatus
from ombuds.settings import Settings

TRIAL_PATH = "/admin/alerts"


@dataclass(frozen=True)
class TrialSend:
    alert_id: int
    status: AlertStatus
    error: str | None


def trial_payload(channel_name: str, *, sender: str) -> dict[str, object]:
    """A short message that says what it is, in the shape every channel reads."""
    text = f"Test alert from Ombuds for the channel {channel_name!r}, sent by {sender}.\n{TRIAL_PATH}"
    return {
        "text": text,
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": f"*Test alert* for {channel_name}"}},
            {"type": "context", "elements": [{"type": "mrkdwn", "text": f"sent by {sender}"}]},
        ],
        "path": TRIAL_PATH,
    }


def send_test_alert(
    factory: sessionmaker[Session],
    *,
    brand_id: int,
    channel_id: int,
    sender: str,
    settings: Settings,
    client: httpx.Client | None = None,
) -> TrialSend:
    """Queue one test alert on the brand's channel, send it now, and say how it went."""
    with factory.begin() as session:
        channel = session.get(AlertChannel, channel_id)
        if channel is None or channel.brand_id != brand_id:
            raise NotFound(f"no alert channel {channel_id}")
        if channel.kind is AlertKind.IN_APP:
            raise InvalidInput("channel: in-app alerts show in the app; there is nothing to send")
        alert = actions.queue_test_alert(
            session, channel=channel, payload=trial_payload(channel.name, sender=sender)
        )
        alert_id, kind, target, payload = alert.id, channel.kind, channel.target, dict(alert.payload)
    http = client or outbound.client(timeout=settings.alerts_timeout_seconds)
    try:
        error = send_alert(kind, target, payload, settings=settings, client=http)
    finally:
        if client is None:
            http.close()
    with factory.begin() as session:
        status = actions.record_delivery(
            session, alert_id=alert_id, error=error, now=utcnow(), max_attempts=1
        )
    return TrialSend(alert_id=alert_id, status=status, error=error)
