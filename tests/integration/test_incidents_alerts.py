"""Alerts reach PR where they work: a Slack-compatible webhook, email, and the in-app list.

Real servers on loopback receive them: an HTTP server for the webhook, an SMTP server (aiosmtpd)
for email. Thresholds and quiet hours are the brand's own.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ombuds.accounts.models import Brand
from ombuds.incidents import actions
from ombuds.incidents.actions import add_channel, queue_alerts
from ombuds.incidents.alerts import in_quiet_hours
from ombuds.incidents.delivery import deliver_due_alerts
from ombuds.incidents.detectors import Severity
from ombuds.incidents.models import Alert, AlertKind, AlertStatus, Incident
from ombuds.incidents.queries import count_unread_alerts, list_alerts
from ombuds.settings import Settings
from tests.integration.test_surveys_and_outcomes import write
from tests.support.smtp_server import LoopbackController

NOON = datetime(2026, 3, 3, 12, 0, tzinfo=UTC)


class Inbox:
    """What the loopback servers received."""

    def __init__(self) -> None:
        self.posts: list[dict[str, Any]] = []
        self.emails: list[bytes] = []
        self.status = 200
        self.lock = threading.Lock()


@pytest.fixture
def inbox() -> Inbox:
    return Inbox()


@pytest.fixture
def webhook(inbox: Inbox) -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            with inbox.lock:
                if inbox.status == 200:
                    inbox.posts.append(json.loads(body))
                status = inbox.status
            self.send_response(status)
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args: object) -> None:  # keep the test output clean
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hooks/pr-room"
    server.shutdown()
    server.server_close()
    thread.join(5)


@pytest.fixture
def smtp(inbox: Inbox) -> Iterator[Settings]:
    class Handler:
        async def handle_DATA(self, server: object, session: object, envelope: Any) -> str:  # noqa: N802 (aiosmtpd's name)
            with inbox.lock:
                inbox.emails.append(envelope.content)
            return "250 Message accepted for delivery"

    controller = LoopbackController(Handler())
    controller.start()
    port = controller.port
    yield Settings(
        alerts_smtp_host="127.0.0.1",
        alerts_smtp_port=port,
        alerts_public_url="https://ombuds.example",
        alerts_max_attempts=3,
    )
    controller.stop()


def _incident(session: Session, brand: Brand, severity: Severity) -> Incident:
    incident = actions.open_incident(
        session,
        brand_id=brand.id,
        title="Many people saying “our fleet's on fleek”",
        actor_id=None,
        now=NOON,
        severity=severity,
    )
    incident.representative_text = (
        "STAHP “@Skyways: Our fleet's on fleek.” and you charged my card 4111 1111 1111 1111 twice, "
        "mail me at mara.lind@example.org"
    )
    incident.mention_count = 42
    return incident


def test_a_new_incident_reaches_the_webhook_the_mailbox_and_the_app(
    session_factory: sessionmaker[Session], brand: Brand, webhook: str, smtp: Settings, inbox: Inbox
) -> None:
    with session_factory.begin() as session:
        add_channel(session, brand_id=brand.id, name="#pr-room", kind=AlertKind.WEBHOOK, target=webhook)
        add_channel(
            session, brand_id=brand.id, name="PR lead", kind=AlertKind.EMAIL, target="pr@skyways.test"
        )
        incident = _incident(session, brand, Severity.HIGH)
        queue_alerts(session, incident=incident, reason="opened", at=NOON)
        incident_id = incident.id

    report = deliver_due_alerts(session_factory, now=lambda: NOON, settings=smtp)

    assert len(report.sent) == 2
    (post,) = inbox.posts
    assert set(post) == {"text", "blocks"}
    assert "fleet's on fleek" in post["text"]
    # a chat room has no roles: the customer's card and address stay out of it and the mailbox
    assert "charged my card [card] twice" in post["text"]
    assert "4111" not in json.dumps(post)
    assert "mara.lind" not in json.dumps(post)
    assert f"https://ombuds.example/incidents/{incident_id}" in post["text"]
    assert any(
        f"<https://ombuds.example/incidents/{incident_id}|" in b["text"]["text"]
        for b in post["blocks"]
        if "text" in b
    )
    (raw,) = inbox.emails
    email = message_from_bytes(raw, policy=default)
    assert email["To"] == "pr@skyways.test"
    assert "New incident" in str(email["Subject"])
    assert isinstance(email, EmailMessage)
    body = email.get_body()
    assert body is not None
    assert "fleek" in body.get_content()
    assert "charged my card [card] twice" in body.get_content()
    assert "mara.lind" not in body.get_content()
    with session_factory() as session:
        (in_app,) = list_alerts(session, brand_ids=[brand.id])
        assert in_app.incident_id == incident_id
        assert count_unread_alerts(session, brand_ids=[brand.id]) == 1
    # sent once: a second round has nothing left to send
    assert deliver_due_alerts(session_factory, now=lambda: NOON, settings=smtp).sent == []


def test_quiet_hours_hold_alerts_until_morning_but_not_critical_ones(
    session_factory: sessionmaker[Session], brand: Brand, webhook: str, smtp: Settings, inbox: Inbox
) -> None:
    night = datetime(2026, 3, 3, 23, 30, tzinfo=UTC)  # 00:30 in Paris
    assert in_quiet_hours(night, quiet_from=22, quiet_until=7, timezone="Europe/Paris")
    with session_factory.begin() as session:
        add_channel(
            session,
            brand_id=brand.id,
            name="#pr-room",
            kind=AlertKind.WEBHOOK,
            target=webhook,
            min_severity=Severity.LOW,
            quiet_from_hour=22,
            quiet_until_hour=7,
            timezone="Europe/Paris",
        )
        queue_alerts(session, incident=_incident(session, brand, Severity.MEDIUM), reason="opened", at=night)
        queue_alerts(
            session, incident=_incident(session, brand, Severity.CRITICAL), reason="opened", at=night
        )

    deliver_due_alerts(session_factory, now=lambda: night, settings=smtp)
    assert [post["text"].split(":")[0] for post in inbox.posts] == ["🔴 New incident"]

    with session_factory() as session:
        held = session.scalars(select(Alert).where(Alert.status == AlertStatus.HELD)).one()
        assert held.due_at == datetime(2026, 3, 4, 6, 0, tzinfo=UTC)  # 07:00 in Paris
    deliver_due_alerts(session_factory, now=lambda: datetime(2026, 3, 4, 6, 1, tzinfo=UTC), settings=smtp)
    assert len(inbox.posts) == 2


def test_incidents_below_a_channel_s_threshold_do_not_disturb_it(
    session_factory: sessionmaker[Session], brand: Brand, webhook: str, smtp: Settings, inbox: Inbox
) -> None:
    with session_factory.begin() as session:
        add_channel(
            session,
            brand_id=brand.id,
            name="exec",
            kind=AlertKind.WEBHOOK,
            target=webhook,
            min_severity=Severity.HIGH,
        )
        queue_alerts(session, incident=_incident(session, brand, Severity.MEDIUM), reason="opened", at=NOON)
    deliver_due_alerts(session_factory, now=lambda: NOON, settings=smtp)
    assert inbox.posts == []
    with session_factory() as session:
        skipped = session.scalars(select(Alert).where(Alert.kind == AlertKind.WEBHOOK)).one()
        assert skipped.status is AlertStatus.SKIPPED
        assert len(list_alerts(session, brand_ids=[brand.id])) == 1  # still in the app


def test_a_failing_webhook_is_tried_again_later_then_given_up(
    session_factory: sessionmaker[Session], brand: Brand, webhook: str, smtp: Settings, inbox: Inbox
) -> None:
    inbox.status = 503
    with session_factory.begin() as session:
        add_channel(session, brand_id=brand.id, name="#pr-room", kind=AlertKind.WEBHOOK, target=webhook)
        queue_alerts(session, incident=_incident(session, brand, Severity.HIGH), reason="opened", at=NOON)

    first = deliver_due_alerts(session_factory, now=lambda: NOON, settings=smtp)
    assert len(first.retrying) == 1
    assert (
        deliver_due_alerts(session_factory, now=lambda: NOON + timedelta(minutes=1), settings=smtp).retrying
        == []
    )
    inbox.status = 200
    later = deliver_due_alerts(session_factory, now=lambda: NOON + timedelta(minutes=3), settings=smtp)
    assert later.sent == first.retrying
    assert len(inbox.posts) == 1


def test_an_alert_masks_a_value_the_quoted_customer_gave_in_another_message(
    session: Session, brand: Brand, webhook: str
) -> None:
    """A booking reference is found only after "booking ref"; repeated bare in the message an alert
    quotes, it is masked as the customer's other messages show it to be."""
    write(session, brand, text="My booking ref QX7Y92 was cancelled overnight", at=NOON - timedelta(hours=3))
    quoted = write(session, brand, text="Still nothing for QX7Y92, day four", at=NOON - timedelta(hours=1))
    add_channel(session, brand_id=brand.id, name="#pr-room", kind=AlertKind.WEBHOOK, target=webhook)
    incident = _incident(session, brand, Severity.HIGH)
    incident.representative_mention_id = quoted.id
    incident.representative_text = quoted.text
    alerts = queue_alerts(session, incident=incident, reason="opened", at=NOON)  # the room's and the app's
    session.commit()

    assert {alert.channel_id is None for alert in alerts} == {True, False}
    shown = json.dumps([alert.payload for alert in alerts])
    assert "Still nothing for" in shown
    assert "QX7Y92" not in shown
