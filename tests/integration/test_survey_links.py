"""The survey link goes to the customer by itself when a case is resolved: through the outbox, on
the case's channel (a webhook sink on loopback) or by email (a real SMTP server on loopback) when
the channel has none, worded as the brand chose, once per resolution, and the case's history says so.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx2
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ombuds.accounts import actions as accounts
from ombuds.accounts.models import Brand, User
from ombuds.cases.models import Case, CaseStatus, Identity
from ombuds.cases.timeline import list_case_events
from ombuds.clock import utcnow
from ombuds.responses.models import Reply, ReplySink, ReplyStatus, SinkKind
from ombuds.responses.outbox_round import outbox_round
from ombuds.responses.sending import deliver_due_replies
from ombuds.responses.survey_links import send_survey_links
from ombuds.surveys.models import SurveySetting
from tests.integration.test_surveys_and_outcomes import NOW, conversation, write
from tests.integration.test_web_cases import sign_in
from tests.support.smtp_server import LoopbackController

PUBLIC = "https://desk.skyways.test"
ADDRESS = "maya.k@example.com"


@pytest.fixture
def bearer(session: Session, brand: Brand, agent: User) -> httpx2.Headers:
    _, secret = accounts.create_api_token(session, brand=brand, name="checks", user=agent)
    session.commit()
    return httpx2.Headers({"Authorization": f"Bearer {secret}"})


@dataclass
class Mailbox:
    port: int = 0
    messages: list[tuple[list[str], EmailMessage]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    box = Mailbox()

    class Handler:
        async def handle_DATA(self, server: object, session: object, envelope: Any) -> str:  # noqa: N802 (aiosmtpd's name)
            message = message_from_bytes(envelope.content, policy=policy.default)
            assert isinstance(message, EmailMessage)
            with box.lock:
                box.messages.append((list(envelope.rcpt_tos), message))
            return "250 Message accepted for delivery"

    controller = LoopbackController(Handler())
    controller.start()
    box.port = controller.port
    yield box
    controller.stop()


class Receiver:
    """The brand's webhook for X messages, on loopback: keeps every body it took.

    While ``down`` it answers 503 and takes nothing, like a receiver having a bad hour.
    """

    def __init__(self) -> None:
        self.bodies: list[dict[str, Any]] = []
        self.down = False
        bodies = self.bodies
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                if receiver.down:
                    self.send_response(503)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                bodies.append(body)
                answer = b'{"id": "dm-1"}'
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    found = Receiver()
    thread = threading.Thread(target=found.server.serve_forever, daemon=True)
    thread.start()
    yield found
    found.server.shutdown()
    found.server.server_close()


def smtp_sink(session: Session, brand: Brand, port: int) -> None:
    session.add(
        ReplySink(
            brand_id=brand.id,
            name="Mail",
            kind=SinkKind.SMTP,
            channels=["email"],
            host="127.0.0.1",
            port=port,
            from_address="care@skyways.test",
        )
    )
    session.commit()


def known_by_email(session: Session, case: Case) -> None:
    """The customer wrote on X but is also known by an email address (an earlier email, a booking)."""
    session.add(
        Identity(brand_id=case.brand_id, customer_id=case.customer_id, channel="email", handle=ADDRESS)
    )
    session.commit()


def runner_round(factory: sessionmaker[Session], **at: Any) -> None:
    """What ``ombuds serve`` does after each round for surveys: the outbox's round, links included."""
    outbox_round(factory, public_url=PUBLIC, **at)


def set_status(client: TestClient, case: Case, status: str, headers: httpx2.Headers) -> None:
    answer = client.post(f"/api/v1/cases/{case.id}/status", json={"status": status}, headers=headers)
    assert answer.status_code == 200, answer.text


def survey_path(client: TestClient, case: Case, headers: httpx2.Headers) -> str:
    url = client.get(f"/api/v1/cases/{case.id}", headers=headers).json()["survey_url"]
    assert url is not None
    return str(url).removeprefix("http://testserver")


def history(session: Session, case: Case) -> list[str]:
    session.expire_all()
    return [event.summary for event in list_case_events(session, case=case)]


def test_resolving_emails_the_survey_link_once_and_again_only_after_a_reopen(
    client: TestClient,
    session: Session,
    session_factory: sessionmaker[Session],
    brand: Brand,
    bearer: httpx2.Headers,
    mailbox: Mailbox,
    agent: User,
) -> None:
    smtp_sink(session, brand, mailbox.port)
    case = conversation(session, brand, at=NOW - timedelta(hours=5))  # on X, which has no sink
    known_by_email(session, case)

    set_status(client, case, "resolved", bearer)
    path = survey_path(client, case, bearer)
    for _ in range(3):  # rounds come again and again; the customer hears from us once
        runner_round(session_factory)

    assert len(mailbox.messages) == 1
    recipients, message = mailbox.messages[0]
    assert recipients == [ADDRESS]
    assert message["Subject"] == f"How did we do? {case.subject}"
    body = message.get_content()
    assert f"{PUBLIC}{path}" in body, "the link the agent sees is the one the customer got"
    assert body.startswith("Hello Maya,")
    assert "Survey sent to the customer by email" in history(session, case)
    sent = session.scalars(select(Reply).where(Reply.case_id == case.id)).all()
    assert [(r.is_survey, r.status, r.channel) for r in sent] == [(True, ReplyStatus.SENT, "email")]
    session.refresh(case)
    assert case.first_contact_resolution is True, "a survey is no second reply exchange"
    sign_in(client, agent.email)
    page = client.get(f"/cases/{case.id}")
    assert page.status_code == 200
    assert "Survey link" in page.text
    assert "by the desk, on resolving" in page.text
    assert "Survey sent to the customer by email" in page.text

    # The customer writes again: the case reopens; resolving it again asks again, once.
    write(session, brand, text="The bag came back but the handle is broken", at=utcnow())
    runner_round(session_factory)
    assert len(mailbox.messages) == 1, "nothing is sent while the case is open again"
    set_status(client, case, "resolved", bearer)
    runner_round(session_factory)
    runner_round(session_factory)
    assert len(mailbox.messages) == 2
    assert survey_path(client, case, bearer) == path, "the same link, valid 14 more days"

    # Answered: a later reopen and resolution does not ask the customer a third time.
    client.cookies.clear()
    assert client.post(path, data={"score": "4", "comment": "Handle fixed too"}).status_code == 200
    write(session, brand, text="one more thing about the handle", at=utcnow())
    set_status(client, case, "resolved", bearer)
    runner_round(session_factory)
    assert len(mailbox.messages) == 2
    assert history(session, case).count("Survey sent to the customer by email") == 2


def test_the_link_goes_on_the_cases_own_channel_in_the_brands_words(
    client: TestClient,
    session: Session,
    session_factory: sessionmaker[Session],
    brand: Brand,
    bearer: httpx2.Headers,
    receiver: Receiver,
) -> None:
    session.add(
        ReplySink(brand_id=brand.id, name="X DMs", kind=SinkKind.WEBHOOK, channels=["x"], url=receiver.url)
    )
    session.add(
        SurveySetting(
            brand_id=brand.id, message='Hi {first_name}! Did we fix "{subject}"? Rate us: {survey_url}'
        )
    )
    session.commit()
    case = conversation(session, brand, at=NOW - timedelta(hours=5))

    set_status(client, case, "resolved", bearer)
    path = survey_path(client, case, bearer)
    runner_round(session_factory)
    runner_round(session_factory)

    assert len(receiver.bodies) == 1
    sent = receiver.bodies[0]
    assert sent["text"] == f'Hi Maya! Did we fix "{case.subject}"? Rate us: {PUBLIC}{path}'
    assert (sent["recipient"], sent["channel"], sent["kind"], sent["is_public"]) == (
        "maya_k",
        "x",
        "survey",
        False,
    )
    assert "Survey sent to the customer on X" in history(session, case)


def test_with_no_way_to_reach_the_customer_the_agent_is_told_to_share_the_link(
    client: TestClient,
    session: Session,
    session_factory: sessionmaker[Session],
    brand: Brand,
    bearer: httpx2.Headers,
) -> None:
    case = conversation(session, brand, at=NOW - timedelta(hours=5))  # X, no sink, no email address

    set_status(client, case, "resolved", bearer)
    runner_round(session_factory)
    runner_round(session_factory)

    assert session.scalars(select(Reply).where(Reply.case_id == case.id)).all() == []
    said = [line for line in history(session, case) if line.startswith("Survey")]
    assert said == [
        "Survey not sent: no connector sends on X and the customer has no email "
        "address; share the link from the Outcome card"
    ]
    assert survey_path(client, case, bearer).startswith("/survey/"), "the agent still has the link"


@pytest.mark.parametrize("resolved_as", ["spam", "duplicate"])
def test_a_case_resolved_as_spam_or_a_duplicate_asks_nobody(
    client: TestClient,
    session: Session,
    session_factory: sessionmaker[Session],
    brand: Brand,
    bearer: httpx2.Headers,
    mailbox: Mailbox,
    resolved_as: str,
) -> None:
    smtp_sink(session, brand, mailbox.port)
    case = conversation(session, brand, at=NOW - timedelta(hours=5))
    known_by_email(session, case)

    wrong = client.post(
        f"/api/v1/cases/{case.id}/status",
        json={"status": "pending", "resolved_as": resolved_as},
        headers=bearer,
    )
    assert wrong.status_code == 422
    assert "resolved_as: only with resolved or closed" in wrong.text
    done = client.post(
        f"/api/v1/cases/{case.id}/status",
        json={"status": "resolved", "resolved_as": resolved_as},
        headers=bearer,
    )
    assert done.status_code == 200, done.text
    assert (done.json()["status"], done.json()["survey_url"]) == ("resolved", None)
    runner_round(session_factory)

    assert mailbox.messages == []
    assert f"Status Open → Resolved (as {resolved_as}: no survey)" in history(session, case)


def test_two_runners_at_once_send_the_link_once(
    client: TestClient,
    session: Session,
    session_factory: sessionmaker[Session],
    brand: Brand,
    bearer: httpx2.Headers,
    receiver: Receiver,
) -> None:
    session.add(
        ReplySink(brand_id=brand.id, name="X DMs", kind=SinkKind.WEBHOOK, channels=["x"], url=receiver.url)
    )
    session.commit()
    case = conversation(session, brand, at=NOW - timedelta(hours=5))
    set_status(client, case, "resolved", bearer)

    start = threading.Barrier(2)

    def runner() -> None:
        start.wait()
        runner_round(session_factory)

    threads = [threading.Thread(target=runner) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    runner_round(session_factory)

    assert len(receiver.bodies) == 1
    assert history(session, case).count("Survey sent to the customer on X") == 1


def x_webhook(session: Session, brand: Brand, receiver: Receiver) -> None:
    session.add(
        ReplySink(brand_id=brand.id, name="X DMs", kind=SinkKind.WEBHOOK, channels=["x"], url=receiver.url)
    )
    session.commit()


def surveys_received(receiver: Receiver) -> list[str]:
    return [body["text"] for body in receiver.bodies if body["kind"] == "survey"]


def test_a_link_stuck_in_the_outbox_never_reaches_a_customer_who_wrote_again_and_goes_once_after(
    client: TestClient,
    session: Session,
    session_factory: sessionmaker[Session],
    brand: Brand,
    agent: User,
    bearer: httpx2.Headers,
    receiver: Receiver,
) -> None:
    sign_in(client, agent.email)
    x_webhook(session, brand, receiver)
    case = conversation(session, brand, at=NOW - timedelta(hours=5))
    set_status(client, case, "resolved", bearer)
    receiver.down = True
    runner_round(session_factory)  # the link is queued; the webhook answers 503, so it waits to be retried
    assert surveys_received(receiver) == []

    # The customer writes again: the case is open, and "Was the problem fixed?" must not reach them.
    session.expire_all()  # the case as the API left it
    write(session, brand, text="The bag came back but the handle is broken", at=utcnow())
    session.refresh(case)
    assert case.status is CaseStatus.OPEN
    shown = client.get(f"/cases/{case.id}").text  # before the outbox's next round, the agent reads it already
    assert "Not to be sent: <q>the case was reopened before it went out</q>" in shown
    receiver.down = False
    later = utcnow() + timedelta(hours=2)  # every retry is due by then
    runner_round(session_factory, now=later)
    assert surveys_received(receiver) == [], "no survey while the case is open again"
    session.expire_all()
    withdrawn = session.scalars(select(Reply).where(Reply.case_id == case.id, Reply.is_survey)).one()
    assert withdrawn.status is ReplyStatus.WITHDRAWN, "the stuck message is never sent, nor retried"
    assert withdrawn.decision_note == "Survey link not sent: the case was reopened before it went out"
    page = client.get(f"/cases/{case.id}").text  # the agent reads that the desk held it back
    assert "Withdrawn by the desk: <q>Survey link not sent: the case was reopened" in page

    # Resolved again: the customer is asked once, with the link the agent sees.
    set_status(client, case, "resolved", bearer)
    path = survey_path(client, case, bearer)
    for hours in (3, 4, 5):
        runner_round(session_factory, now=utcnow() + timedelta(hours=hours))
    assert surveys_received(receiver) == [
        f'Hello Maya, we have resolved your case "{case.subject}". '
        f"Was the problem fixed? Tell us in one click, from 1 (poor) to 5 (great): {PUBLIC}{path}\n"
        "The link works for 14 days. Thank you!"
    ]


@pytest.mark.parametrize("resolved_as", ["spam", "duplicate"])
def test_a_case_reopened_and_resolved_again_as_spam_or_a_duplicate_sends_the_earlier_link_to_nobody(
    client: TestClient,
    session: Session,
    session_factory: sessionmaker[Session],
    brand: Brand,
    bearer: httpx2.Headers,
    receiver: Receiver,
    resolved_as: str,
) -> None:
    x_webhook(session, brand, receiver)
    case = conversation(session, brand, at=NOW - timedelta(hours=5))
    set_status(client, case, "resolved", bearer)
    set_status(client, case, "open", bearer)
    done = client.post(
        f"/api/v1/cases/{case.id}/status",
        json={"status": "resolved", "resolved_as": resolved_as},
        headers=bearer,
    )
    assert done.status_code == 200, done.text
    runner_round(session_factory)
    runner_round(session_factory, now=utcnow() + timedelta(hours=2))

    assert receiver.bodies == []
    assert not [line for line in history(session, case) if line.startswith("Survey")]


def test_a_link_stuck_in_the_outbox_is_not_sent_once_the_customer_answered_from_the_case_pages_link(
    client: TestClient,
    session: Session,
    session_factory: sessionmaker[Session],
    brand: Brand,
    agent: User,
    bearer: httpx2.Headers,
    receiver: Receiver,
) -> None:
    x_webhook(session, brand, receiver)
    case = conversation(session, brand, at=NOW - timedelta(hours=5))
    set_status(client, case, "resolved", bearer)
    receiver.down = True
    runner_round(session_factory)  # queued; the webhook answers 503, so it waits to be retried
    path = survey_path(client, case, bearer)  # the agent shares the case page's link by hand

    assert client.post(path, data={"score": "5", "comment": "Thanks"}).status_code == 200
    receiver.down = False
    runner_round(session_factory, now=utcnow() + timedelta(hours=2))

    assert surveys_received(receiver) == [], "nobody is asked a question they have answered"
    session.expire_all()
    link = session.scalars(select(Reply).where(Reply.case_id == case.id, Reply.is_survey)).one()
    assert link.status is ReplyStatus.WITHDRAWN
    assert link.decision_note == "Survey link not sent: the customer has answered the survey already"
    sign_in(client, agent.email)
    assert (
        "Withdrawn by the desk: <q>Survey link not sent: the customer has answered"
        in client.get(f"/cases/{case.id}").text
    )


def test_a_link_left_to_post_by_hand_keeps_its_case_resolved(
    client: TestClient,
    session: Session,
    session_factory: sessionmaker[Session],
    brand: Brand,
    bearer: httpx2.Headers,
    receiver: Receiver,
) -> None:
    sink = ReplySink(brand_id=brand.id, name="X DMs", kind=SinkKind.WEBHOOK, channels=["x"], url=receiver.url)
    session.add(sink)
    session.commit()
    case = conversation(session, brand, at=NOW - timedelta(hours=5))
    set_status(client, case, "resolved", bearer)
    send_survey_links(session_factory, public_url=PUBLIC)  # the link is queued for the X sink ...
    session.delete(sink)  # ... which an admin removes before the outbox's round
    session.commit()

    deliver_due_replies(session_factory)

    session.expire_all()
    link = session.scalars(select(Reply).where(Reply.is_survey.is_(True))).one()
    assert link.status is ReplyStatus.TO_POST, "the agent may still post it by hand"
    assert session.get_one(Case, case.id).status is CaseStatus.RESOLVED, "a survey follows a resolution"
    assert receiver.bodies == []
    posted = client.post(f"/api/v1/replies/{link.id}/posted", headers=bearer)
    assert (posted.status_code, posted.json()["status"]) == (200, "sent")
    session.expire_all()
    assert session.get_one(Case, case.id).status is CaseStatus.RESOLVED
