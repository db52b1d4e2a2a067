"""Delivery by email through a real SMTP server on loopback, and which public replies wait for PR."""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.smtp import AuthResult, LoginPassword
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ombuds.accounts import actions as accounts
from ombuds.accounts.models import Brand, Role, User
from ombuds.cases.actions import thread_mentions
from ombuds.cases.models import Case, CaseStatus
from ombuds.clock import utcnow
from ombuds.enrichment.models import Enrichment
from ombuds.incidents import actions as incidents
from ombuds.incidents.detectors import Severity
from ombuds.incidents.models import IncidentStatus
from ombuds.mentions.models import Direction, Mention, Source, Stage
from ombuds.responses.models import Reply, ReplySink, ReplyStatus, SinkKind
from ombuds.responses.sending import deliver_due_replies
from ombuds.responses.values import Visibility
from tests.support.smtp_server import LoopbackController

PASSWORD = "correct horse"
SMTP_USER = "replies@skyways.test"
SMTP_PASSWORD = "smtp-pass-never-shown-7Q"
CUSTOMER = "maria.silva@example.com"


def member(session: Session, brand: Brand, role: Role, name: str) -> User:
    user = accounts.create_user(session, email=f"{name}@skyways.test", name=name.title(), password=PASSWORD)
    accounts.add_membership(session, user=user, brand=brand, role=role)
    session.commit()
    return user


def bearer(session: Session, brand: Brand, user: User | None = None) -> dict[str, str]:
    _, plain = accounts.create_api_token(session, brand=brand, name="test", user=user)
    session.commit()
    return {"Authorization": f"Bearer {plain}"}


def message_case(
    session: Session,
    brand: Brand,
    *,
    text: str,
    channel: str = "x",
    handle: str = "maria",
    name: str = "Maria Silva",
    is_public: bool = True,
    priority: int = 3,
) -> Case:
    """A customer's message threaded into a case, as the pipeline would."""
    source = session.scalar(select(Source).where(Source.brand_id == brand.id, Source.name == channel))
    if source is None:
        source = Source(brand_id=brand.id, kind=channel, name=channel, config={})
        session.add(source)
        session.flush()
    mention = Mention(
        brand_id=brand.id,
        source_id=source.id,
        external_id=f"{channel}-{handle}-{utcnow().timestamp()}",
        channel=channel,
        direction=Direction.INBOUND,
        is_public=is_public,
        author_handle=handle,
        author_name=name,
        text=text,
        created_at=utcnow() - timedelta(minutes=5),
        raw=text.encode(),
        raw_format="text",
        stage=Stage.ROUTED,
    )
    session.add(mention)
    session.flush()
    thread_mentions(session, mentions=[mention])
    assert mention.case_id is not None
    case = session.get(Case, mention.case_id)
    assert case is not None
    case.priority = priority
    session.commit()
    return case


# --- email through a real SMTP server ------------------------------------------------------------


@dataclass
class Mailbox:
    """What the SMTP server on loopback accepted, and how many deliveries it turns away first."""

    port: int = 0
    refuse_first: int = 0
    messages: list[tuple[str, list[str], EmailMessage]] = field(default_factory=list)
    logins: list[tuple[str, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    box = Mailbox()

    class Handler:
        async def handle_DATA(self, server: object, session: object, envelope: Any) -> str:  # noqa: N802 (aiosmtpd's name)
            with box.lock:
                if box.refuse_first > 0:
                    box.refuse_first -= 1
                    return "451 Try again later"
                message = message_from_bytes(envelope.content, policy=policy.default)
                assert isinstance(message, EmailMessage)
                box.messages.append((envelope.mail_from, list(envelope.rcpt_tos), message))
            return "250 Message accepted for delivery"

    def authenticate(
        server: object, session: object, envelope: object, mechanism: str, data: Any
    ) -> AuthResult:
        assert isinstance(data, LoginPassword)
        login, password = data.login.decode(), data.password.decode()
        with box.lock:
            box.logins.append((login, password))
        return AuthResult(success=(login, password) == (SMTP_USER, SMTP_PASSWORD), handled=False)

    controller = LoopbackController(
        Handler(),
        authenticator=authenticate,
        auth_require_tls=False,  # loopback only; a real server would insist on TLS
    )
    controller.start()
    box.port = controller.port
    yield box
    controller.stop()


def test_a_private_email_reply_reaches_the_customer_once_and_the_smtp_password_shows_nowhere(
    client: TestClient,
    session: Session,
    session_factory: sessionmaker[Session],
    brand: Brand,
    agent: User,
    mailbox: Mailbox,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.WARNING, logger="mail.log")  # the test server's own chatter, not ours
    mailbox.refuse_first = 1  # the first attempt meets a busy server: retried, not lost, not doubled
    session.add(
        ReplySink(
            brand_id=brand.id,
            name="Mail",
            kind=SinkKind.SMTP,
            channels=["email"],
            host="127.0.0.1",
            port=mailbox.port,
            username=SMTP_USER,
            from_address="care@skyways.test",
            secret=SMTP_PASSWORD,
        )
    )
    session.commit()
    case = message_case(
        session,
        brand,
        text="Hello, I was charged twice for booking LX-4471. Please refund one of them.",
        channel="email",
        handle=CUSTOMER,
        is_public=False,
    )
    headers = bearer(session, brand, agent)
    text = "Thank you for writing to us, {customer_name}, and sorry about the double charge. We refunded one ({case_ref})."
    created = client.post(
        f"/api/v1/cases/{case.id}/replies", json={"text": text, "visibility": "private"}, headers=headers
    )
    assert created.status_code == 201, created.text
    reply = created.json()
    assert (reply["status"], reply["visibility"]) == ("queued", "private")

    now = utcnow()
    assert deliver_due_replies(session_factory, now=now).retrying == [reply["id"]]
    assert mailbox.messages == []
    now += timedelta(hours=2)
    assert deliver_due_replies(session_factory, now=now).sent == [reply["id"]]
    for _ in range(2):
        now += timedelta(hours=2)
        assert deliver_due_replies(session_factory, now=now).sent == []

    assert len(mailbox.messages) == 1, "the customer hears from us once"
    mail_from, recipients, message = mailbox.messages[0]
    assert mail_from == "care@skyways.test"
    assert recipients == [CUSTOMER]
    assert message["To"] == CUSTOMER
    assert message["Subject"] == f"Re: {case.subject}"
    assert message.get_content().strip() == reply["text"]
    assert "Maria Silva" in reply["text"]
    assert f"#{case.id}" in reply["text"]
    assert mailbox.logins[-1] == (SMTP_USER, SMTP_PASSWORD), "the sink signs in with the stored password"

    session.expire_all()
    stored = session.get(Reply, reply["id"])
    assert stored is not None
    assert (stored.status, stored.attempts) == (ReplyStatus.SENT, 2)
    assert stored.external_id == message["Message-ID"]

    # Everywhere a person or an operator looks: the API, the case page, the approvals queue, the log.
    shown = client.get(f"/api/v1/cases/{case.id}/replies", headers=headers)
    assert shown.status_code == 200
    assert [r["status"] for r in shown.json()] == ["sent"]
    _sign_in(client, agent.email)
    page = client.get(f"/cases/{case.id}")
    assert page.status_code == 200
    assert reply["text"].split(",")[0] in page.text
    everything = "\n".join(
        [
            json.dumps(shown.json()),
            json.dumps(client.get(f"/api/v1/cases/{case.id}").json()),
            page.text,
            client.get("/replies/approvals").text,
            caplog.text,
            *(record.getMessage() for record in caplog.records),
        ]
    )
    assert SMTP_PASSWORD not in everything
    assert "attempt" in caplog.text, "the failed attempt was logged (without the password)"


def test_a_wrong_smtp_password_fails_the_reply_with_the_servers_answer_but_not_the_password(
    client: TestClient,
    session: Session,
    session_factory: sessionmaker[Session],
    brand: Brand,
    agent: User,
    mailbox: Mailbox,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.WARNING, logger="mail.log")
    wrong = "not-the-password-K9"
    session.add(
        ReplySink(
            brand_id=brand.id,
            name="Mail",
            kind=SinkKind.SMTP,
            channels=["email"],
            host="127.0.0.1",
            port=mailbox.port,
            username=SMTP_USER,
            from_address="care@skyways.test",
            secret=wrong,
        )
    )
    session.commit()
    case = message_case(
        session, brand, text="Where is my refund?", channel="email", handle=CUSTOMER, is_public=False
    )
    headers = bearer(session, brand, agent)
    reply_id = client.post(
        f"/api/v1/cases/{case.id}/replies",
        json={"text": "Thanks for asking, and sorry for the wait.", "visibility": "private"},
        headers=headers,
    ).json()["id"]
    assert deliver_due_replies(session_factory).failed == [reply_id]
    assert mailbox.messages == []
    shown = client.get(f"/api/v1/cases/{case.id}/replies", headers=headers).json()[0]
    assert shown["status"] == "failed"
    assert "535" in shown["last_error"], "the server's answer is kept for the agent"
    _sign_in(client, agent.email)
    page = client.get(f"/cases/{case.id}").text
    assert wrong not in json.dumps(shown) + page + caplog.text


def _sign_in(client: TestClient, email_address: str) -> None:
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token
    answer = client.post(
        "/login", data={"email": email_address, "password": PASSWORD, "csrf_token": token.group(1)}
    )
    assert answer.status_code == 303, answer.text


# --- which public replies wait for PR -------------------------------------------------------------

THANKS = "Thank you for telling us, and sorry for the trouble. We are looking into it now."


def media_author(session: Session, case: Case) -> None:
    """The analysis marked the customer as writing for the media (as the signals analyzer does)."""
    mention = session.scalars(select(Mention).where(Mention.case_id == case.id)).one()
    session.add(
        Enrichment(
            brand_id=case.brand_id,
            mention_id=mention.id,
            analyzer="signals",
            model_version="test",
            data={"signals": [{"name": "media_author", "evidence": []}]},
        )
    )
    session.commit()


def active_incident(session: Session, case: Case) -> None:
    mention = session.scalars(select(Mention).where(Mention.case_id == case.id)).one()
    incident = incidents.open_incident(
        session,
        brand_id=case.brand_id,
        title="Check-in systems down",
        actor_id=None,
        now=utcnow(),
        severity=Severity.HIGH,
        mention_ids=[mention.id],
    )
    incident.status = IncidentStatus.ACTIVE
    session.commit()


@pytest.mark.parametrize(
    ("mark", "switch", "reason"),
    [
        (media_author, "on_media_author", "the customer writes for the media"),
        (active_incident, "on_active_incident", "the case is linked to an active incident"),
    ],
)
def test_a_public_reply_waits_for_pr_by_the_brands_policy_and_goes_straight_out_when_switched_off(
    client: TestClient,
    session: Session,
    session_factory: sessionmaker[Session],
    brand: Brand,
    agent: User,
    mark: Callable[[Session, Case], None],
    switch: str,
    reason: str,
) -> None:
    manager = member(session, brand, Role.MANAGER, "mona")
    agent_headers = bearer(session, brand, agent)
    held_case = message_case(session, brand, text="Your check-in is broken and I am writing about it")
    mark(session, held_case)

    held = client.post(f"/api/v1/cases/{held_case.id}/replies", json={"text": THANKS}, headers=agent_headers)
    assert held.status_code == 201, held.text
    assert held.json()["status"] == "awaiting_approval"
    assert held.json()["needs_approval"] == reason
    private = client.post(
        f"/api/v1/cases/{held_case.id}/replies",
        json={"text": THANKS, "visibility": "private"},
        headers=agent_headers,
    )
    assert private.json()["status"] == "queued", "a private answer is no headline: it never waits"
    assert deliver_due_replies(session_factory).manual == [private.json()["id"]]

    policy = client.get("/api/v1/reply-approval-policy", headers=agent_headers).json()
    assert policy == {"on_priority_1": True, "on_media_author": True, "on_active_incident": True}
    switched = policy | {switch: False}
    assert (
        client.put("/api/v1/reply-approval-policy", json=switched, headers=agent_headers).status_code == 403
    )
    saved = client.put(
        "/api/v1/reply-approval-policy", json=switched, headers=bearer(session, brand, manager)
    )
    assert saved.status_code == 200, saved.text
    assert saved.json() == switched
    assert client.get("/api/v1/reply-approval-policy", headers=agent_headers).json() == switched

    free_case = message_case(session, brand, text="Still broken, writing a story", handle="lena")
    mark(session, free_case)
    sent = client.post(f"/api/v1/cases/{free_case.id}/replies", json={"text": THANKS}, headers=agent_headers)
    assert sent.status_code == 201
    assert (sent.json()["status"], sent.json()["needs_approval"]) == ("queued", None)
    assert deliver_due_replies(session_factory).manual == [sent.json()["id"]]
    session.expire_all()
    still = session.get(Reply, held.json()["id"])
    assert still is not None
    assert still.status is ReplyStatus.AWAITING_APPROVAL, "a reply held before the change stays held"


def test_the_approval_policy_takes_managers_or_admins_and_stays_within_the_brand(
    client: TestClient, session: Session, brand: Brand, agent: User
) -> None:
    other = accounts.create_brand(session, slug="rival", name="Rival")
    session.commit()
    admin = member(session, brand, Role.ADMIN, "ada")
    url = "/api/v1/reply-approval-policy"
    off = {"on_priority_1": False, "on_media_author": True, "on_active_incident": True}
    for role in (Role.PR, Role.VIEWER):
        who = member(session, brand, role, role.value)
        assert client.put(url, json=off, headers=bearer(session, brand, who)).status_code == 403
    assert client.put(url, json=off, headers=bearer(session, brand)).status_code == 403, "an integration"
    assert client.put(url, json=off, headers=bearer(session, brand, admin)).status_code == 200
    assert client.get(url, headers=bearer(session, other)).json()["on_priority_1"] is True
    assert client.get(url + "?brand=skyways", headers=bearer(session, other)).status_code == 404
    assert (
        client.put(url, json={"on_priority_1": False}, headers=bearer(session, brand, admin)).status_code
        == 422
    )
    assert client.put(url, json=off | {"extra": 1}, headers=bearer(session, brand, admin)).status_code == 422
    assert client.get(url).status_code == 401

    urgent = message_case(session, brand, text="Lost my wheelchair", priority=1)
    sent = client.post(
        f"/api/v1/cases/{urgent.id}/replies", json={"text": THANKS}, headers=bearer(session, brand, agent)
    )
    assert sent.json()["status"] == "queued", "priority 1 no longer waits for this brand"


def test_a_manager_switches_the_policy_on_the_approvals_page(
    client: TestClient, session: Session, brand: Brand, agent: User
) -> None:
    member(session, brand, Role.MANAGER, "mona")
    _sign_in(client, agent.email)
    page = client.get("/replies/approvals").text
    assert 'data-testid="approval-policy-form"' not in page, "agents see the rules, not the switches"
    assert "Urgent cases (priority 1): <strong>waits</strong>" in page
    client.post("/logout", data={"csrf_token": _csrf(page)})

    _sign_in(client, "mona@skyways.test")
    page = client.get("/replies/approvals").text
    assert 'data-testid="approval-policy-form"' in page
    saved = client.post(
        "/replies/approval-policy",
        data={"csrf_token": _csrf(page), "on_priority_1": "true", "on_media_author": "true"},
    )
    assert saved.status_code == 303
    policy = client.get("/api/v1/reply-approval-policy").json()
    assert policy == {"on_priority_1": True, "on_media_author": True, "on_active_incident": False}
    page = client.get("/replies/approvals").text
    assert 'name="on_active_incident" value="true">' in page, "the box shows unticked"
    assert client.post("/replies/approval-policy", data={"on_priority_1": "true"}).status_code == 403, "CSRF"


def _csrf(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found
    return found.group(1)


# --- past replies among the suggestions -----------------------------------------------------------


def answered(
    session: Session,
    brand: Brand,
    *,
    text: str,
    category: str | None,
    reply: str,
    hours_ago: int,
    handle: str,
    resolved: bool = True,
) -> Case:
    """A case of the brand, answered (the reply sent ``hours_ago``), resolved unless told otherwise."""
    case = message_case(session, brand, text=text, handle=handle)
    mention = session.scalars(select(Mention).where(Mention.case_id == case.id)).one()
    if category:
        session.add(
            Enrichment(
                brand_id=brand.id,
                mention_id=mention.id,
                analyzer="category",
                model_version="t",
                label=category,
            )
        )
    sent_at = utcnow() - timedelta(hours=hours_ago)
    session.add(
        Reply(
            brand_id=brand.id,
            case_id=case.id,
            visibility=Visibility.PUBLIC,
            channel=case.channel,
            text=reply,
            status=ReplyStatus.SENT,
            idempotency_key=f"past-{case.id}-{brand.id}",
            sent_at=sent_at,
            created_at=sent_at,
        )
    )
    if resolved:
        case.status = CaseStatus.RESOLVED
    session.commit()
    return case


def categorise(session: Session, brand: Brand, case: Case, label: str) -> None:
    """The case's one message as analysis categorised it."""
    mention = session.scalars(select(Mention).where(Mention.case_id == case.id)).one()
    session.add(
        Enrichment(
            brand_id=brand.id, mention_id=mention.id, analyzer="category", model_version="t", label=label
        )
    )


def test_suggestions_offer_replies_from_similar_resolved_cases_of_the_brand_newest_first(
    client: TestClient, session: Session, brand: Brand, agent: User
) -> None:
    other = accounts.create_brand(session, slug="rival", name="Rival")
    session.commit()
    bag = "My suitcase never arrived in Lisbon"
    oldest = answered(
        session,
        brand,
        text=bag,
        category="baggage",
        reply="Sorry Maria Silva, bag found.",
        hours_ago=90,
        handle="a1",
    )
    older = answered(
        session,
        brand,
        text=bag,
        category="baggage",
        reply="Bag traced: it comes today.",
        hours_ago=50,
        handle="a2",
    )
    newer = answered(
        session,
        brand,
        text=bag,
        category="baggage",
        reply="Courier brings your bag.",
        hours_ago=5,
        handle="a3",
    )
    newest = answered(
        session, brand, text=bag, category="baggage", reply="Found it at LIS.", hours_ago=2, handle="a4"
    )
    # not offered: a case still open, a case about something else, another brand's answer
    answered(
        session,
        brand,
        text=bag,
        category="baggage",
        reply="Still open reply",
        hours_ago=1,
        handle="b1",
        resolved=False,
    )
    answered(
        session,
        brand,
        text="Refund for my seat upgrade please",
        category="refund",
        reply="Refunded.",
        hours_ago=1,
        handle="b2",
    )
    answered(session, other, text=bag, category="baggage", reply="Rival's answer", hours_ago=1, handle="b3")
    # no category, but the same words as the case
    words = answered(
        session,
        brand,
        text="The suitcase handle broke in Lisbon",
        category=None,
        reply="We will repair the handle.",
        hours_ago=3,
        handle="c1",
    )

    case = message_case(
        session,
        brand,
        text="Where is my suitcase? Landed in Lisbon hours ago",
        handle="dora",
        name="Dora Lima",
    )
    categorise(session, brand, case, "baggage")
    session.commit()
    got = client.get(f"/api/v1/cases/{case.id}/suggestions", headers=bearer(session, brand, agent))
    assert got.status_code == 200
    past = got.json()["past_replies"]
    assert [p["case_id"] for p in past] == [newest.id, words.id, newer.id], "at most three, newest first"
    assert past[0]["matched"] == ["baggage"]
    assert past[1]["matched"] == ["lisbon", "suitcase"]
    assert past[0]["text"] == "Found it at LIS."
    assert {older.id, oldest.id}.isdisjoint(p["case_id"] for p in past)

    session.get(Case, newest.id).status = CaseStatus.OPEN  # type: ignore[union-attr]
    session.get(Case, words.id).status = CaseStatus.OPEN  # type: ignore[union-attr]
    session.get(Case, newer.id).status = CaseStatus.OPEN  # type: ignore[union-attr]
    session.commit()
    past = client.get(f"/api/v1/cases/{case.id}/suggestions", headers=bearer(session, brand, agent)).json()
    texts = [p["text"] for p in past["past_replies"]]
    assert texts == ["Bag traced: it comes today.", "Sorry Dora Lima, bag found."], (
        "greeted by their own name"
    )
    _sign_in(client, agent.email)
    page = client.get(f"/cases/{case.id}").text
    assert 'data-testid="suggested-past-reply"' in page
    assert "Rival&#39;s answer" not in page
    assert "Rival's answer" not in page


def test_a_past_reply_offered_on_a_case_names_this_case_and_its_agent_not_the_others(
    client: TestClient, session: Session, brand: Brand, agent: User
) -> None:
    bag = "My suitcase never arrived in Lisbon"
    earlier = answered(
        session, brand, text=bag, category="baggage", reply="(written below)", hours_ago=2, handle="maria"
    )
    reply = session.scalars(select(Reply).where(Reply.case_id == earlier.id)).one()
    reply.text = f"I've checked under #{earlier.id}: your bag is on the 14:10 flight. ^PD"
    session.commit()
    case = message_case(session, brand, text="Where is my suitcase? Lisbon again", handle="dora", name="Dora")
    categorise(session, brand, case, "baggage")
    session.commit()

    _sign_in(client, agent.email)  # Ada Agent
    page = client.get(f"/cases/{case.id}").text
    assert f"I&#39;ve checked under #{case.id}: your bag is on the 14:10 flight. ^AA" in page
    assert (
        f"#{earlier.id}:" not in page.split('data-testid="suggested-past-reply"')[1].split("</blockquote>")[0]
    )
    assert "check every fact" in page
    # the agent keeps the other case's number by hand: the checker says so before it goes out
    checked = client.post(
        "/api/v1/replies/check",
        json={
            "case_id": case.id,
            "text": f"Sorry about this. Checked under #{earlier.id}.",
            "visibility": "public",
        },
        headers=bearer(session, brand, agent),
    )
    assert checked.status_code == 200, checked.text
    assert [f["code"] for f in checked.json()["findings"] if f["code"] == "other_case"] == ["other_case"]


def test_an_agent_may_not_lower_an_urgent_case_out_of_pr_approval_but_pr_and_managers_may(
    client: TestClient, session: Session, session_factory: sessionmaker[Session], brand: Brand, agent: User
) -> None:
    case = message_case(session, brand, text="Your crew left my child at the gate", handle="lee")
    case.priority = 1
    session.commit()
    agent_headers = bearer(session, brand, agent)
    held = client.post(f"/api/v1/cases/{case.id}/replies", json={"text": THANKS}, headers=agent_headers)
    assert held.json()["status"] == "awaiting_approval"

    lowered = client.post(
        f"/api/v1/cases/{case.id}/priority", json={"priority": 2, "reason": "x"}, headers=agent_headers
    )
    assert lowered.status_code == 403, lowered.text
    assert "takes PR, a manager or an admin" in lowered.json()["detail"]
    session.expire_all()
    assert session.get(Case, case.id).priority == 1  # type: ignore[union-attr]
    again = client.post(f"/api/v1/cases/{case.id}/replies", json={"text": THANKS}, headers=agent_headers)
    assert again.json()["status"] == "awaiting_approval", "the next public reply still waits for PR"

    pr = bearer(session, brand, member(session, brand, Role.PR, "pia"))
    by_pr = client.post(
        f"/api/v1/cases/{case.id}/priority", json={"priority": 2, "reason": "not urgent"}, headers=pr
    )
    assert by_pr.status_code == 200, by_pr.text
    raised = client.post(
        f"/api/v1/cases/{case.id}/priority", json={"priority": 1, "reason": "back"}, headers=agent_headers
    )
    assert raised.status_code == 200, "raising is anyone's call"

    manager = bearer(session, brand, member(session, brand, Role.MANAGER, "max"))
    off = {"on_priority_1": False, "on_media_author": True, "on_active_incident": True}
    assert client.put("/api/v1/reply-approval-policy", json=off, headers=manager).status_code == 200
    free = client.post(
        f"/api/v1/cases/{case.id}/priority", json={"priority": 3, "reason": "fine"}, headers=agent_headers
    )
    assert free.status_code == 200, "with urgent replies not held, the agent's call again"
