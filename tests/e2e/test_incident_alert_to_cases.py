"""PR gets an alert in the team chat, opens the incident, and follows it to the customers' cases.

The alert really travels: the desk's webhook channel points at an HTTP server on loopback, the
delivery job posts the Slack-compatible message there, and the browser opens the link it holds.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ombuds.accounts import actions as accounts
from ombuds.accounts.models import Brand, Role
from ombuds.clock import utcnow
from ombuds.incidents import actions
from ombuds.incidents.actions import add_channel, queue_alerts
from ombuds.incidents.delivery import deliver_due_alerts
from ombuds.incidents.detectors import Severity
from ombuds.incidents.models import AlertKind
from ombuds.mentions.models import Mention
from ombuds.settings import Settings
from tests.e2e.conftest import SeededDesk

pytestmark = pytest.mark.browser

PR_EMAIL = "pia@skyways.test"
PR_PASSWORD = "holding line 2026"


@pytest.fixture
def chat_room() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """A Slack-compatible incoming webhook on loopback, keeping what it is sent."""
    received: list[dict[str, Any]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/services/pr-room", received
    server.shutdown()
    server.server_close()
    thread.join(5)


def test_pr_receives_an_alert_opens_the_incident_and_reaches_the_affected_cases(
    page: Page,
    desk: SeededDesk,
    live_server: str,
    session_factory: sessionmaker[Session],
    chat_room: tuple[str, list[dict[str, Any]]],
    artifacts_dir: Path,
) -> None:
    webhook_url, received = chat_room
    refund = desk.case("Refund promised")
    with session_factory.begin() as session:
        brand = session.scalars(select(Brand).where(Brand.slug == "skyways")).one()
        pr = accounts.create_user(session, email=PR_EMAIL, name="Pia PR", password=PR_PASSWORD)
        accounts.add_membership(session, user=pr, brand=brand, role=Role.PR)
        add_channel(session, brand_id=brand.id, name="#pr-room", kind=AlertKind.WEBHOOK, target=webhook_url)
        mention_ids = list(session.scalars(select(Mention.id).where(Mention.case_id == refund.id)))
        incident = actions.open_incident(
            session,
            brand_id=brand.id,
            title="Many people saying “refunds in 5 days, guaranteed”",
            actor_id=None,
            now=utcnow(),
            severity=Severity.HIGH,
            mention_ids=mention_ids,
        )
        incident.representative_text = refund.mention_texts[1]
        queue_alerts(session, incident=incident, reason="opened", at=utcnow())

    report = deliver_due_alerts(session_factory, settings=Settings(alerts_public_url=live_server))
    assert len(report.sent) == 1
    (message,) = received
    link = re.search(r"<(http://127\.0\.0\.1:\d+/incidents/\d+)\|", json.dumps(message["blocks"]))
    assert link, message

    # The link from the chat asks for a sign-in, then lands on the incident.
    page.goto(link.group(1))
    page.locator('input[name="email"]').fill(PR_EMAIL)
    page.locator('input[name="password"]').fill(PR_PASSWORD)
    page.locator('button[type="submit"]').click()
    page.wait_for_url(re.compile(r"/incidents/\d+$"))
    expect(page.get_by_test_id("incident-title")).to_contain_text("refunds in 5 days")
    expect(page.get_by_test_id("representative")).to_contain_text("Should I call my lawyer?")
    expect(page.get_by_test_id("incident-chart").locator("rect.bar")).not_to_have_count(0)
    mentions = page.get_by_test_id("incident-mentions").locator("li")
    expect(mentions).to_have_count(len(refund.mention_texts))
    page.screenshot(path=artifacts_dir / "incident.png", full_page=True)

    # From a linked mention to the customer's case, with their whole story.
    page.get_by_test_id("mention-case-link").first.click()
    page.wait_for_url(re.compile(rf"/cases/{refund.id}$"))
    expect(page.locator("h1")).to_contain_text(refund.subject)
    expect(page.locator("[data-testid=mention]")).to_have_count(len(refund.mention_texts))

    # The same alert waits in the app; following it marks it read.
    page.goto("/incidents")
    expect(page.get_by_test_id("incident")).to_have_count(1)
    page.get_by_test_id("alert-link").first.click()
    page.wait_for_url(re.compile(r"/incidents/\d+$"))
    expect(page.get_by_test_id("incident-cases").locator("a")).to_have_count(1)
    page.goto("/incidents")
    expect(page.get_by_test_id("alerts")).to_have_count(0)
