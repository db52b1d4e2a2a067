"""Answering customers from the case: checked replies, PR approval, public-then-private, a sink that fails then delivers once."""

from __future__ import annotations

import json
import random
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ombuds.accounts import actions as accounts
from ombuds.accounts.models import Brand, Role, User
from ombuds.cases.actions import thread_mentions
from ombuds.cases.lifecycle import Actor, change_status
from ombuds.cases.models import Case, CaseStatus
from ombuds.cases.timeline import list_case_events
from ombuds.clock import utcnow
from ombuds.errors import Conflict
from ombuds.mentions.models import Direction, Mention, Source, Stage
from ombuds.responses import queries
from ombuds.responses.models import Reply, ReplySink, ReplyStatus, SinkKind
from ombuds.responses.sending import deliver_due_replies
from ombuds.responses.sinks import IDEMPOTENCY_HEADER, SIGNATURE_HEADER, signature
from ombuds.settings import Settings
from ombuds.web.app import create_app

SECRET = "hook-secret-do-not-show"


class Receiver:
    """A brand's webhook on loopback: answers with the planned statuses, then 200; counts what came."""

    def __init__(self, statuses: list[int]) -> None:
        self.statuses = statuses
        self.requests: list[tuple[dict[str, str], bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append((dict(self.headers), body))
                code = receiver.statuses.pop(0) if receiver.statuses else 200
                answer = json.dumps({"id": "hook-1"} if code == 200 else {"error": f"nope {code}"}).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def delivered_keys(self) -> set[str]:
        return {headers[IDEMPOTENCY_HEADER] for headers, _ in self.requests}


@pytest.fixture
def receiver_factory() -> Iterator[type[Receiver]]:
    started: list[Receiver] = []

    class Started(Receiver):
        def __init__(self, statuses: list[int]) -> None:
            super().__init__(statuses)
            self.thread.start()
            started.append(self)

    yield Started
    for receiver in started:
        receiver.server.shutdown()
        receiver.server.server_close()


@pytest.fixture
def client(session_factory: sessionmaker[Session], tmp_path: Path) -> Iterator[TestClient]:
    app = create_app(settings=Settings(data_dir=tmp_path), session_factory=session_factory)
    with TestClient(app) as client:
        yield client


def member(session: Session, brand: Brand, role: Role, name: str) -> User:
    user = accounts.create_user(
        session, email=f"{name}@skyways.test", name=name.title(), password="correct horse"
    )
    accounts.add_membership(session, user=user, brand=brand, role=role)
    session.commit()
    return user


def bearer(session: Session, brand: Brand, user: User | None = None) -> dict[str, str]:
    _, plain = accounts.create_api_token(session, brand=brand, name="test", user=user)
    session.commit()
    return {"Authorization": f"Bearer {plain}"}


def complaint(session: Session, brand: Brand, *, text: str, priority: int = 3, handle: str = "maria") -> Case:
    """A customer's public message on X, threaded into a case as the pipeline would."""
    source = session.scalar(select(Source).where(Source.brand_id == brand.id, Source.name == "x"))
    if source is None:
        source = Source(brand_id=brand.id, kind="x", name="x", config={})
        session.add(source)
        session.flush()
    mention = Mention(
        brand_id=brand.id,
        source_id=source.id,
        external_id=f"x-{handle}-{utcnow().timestamp()}",
        channel="x",
        direction=Direction.INBOUND,
        is_public=True,
        author_handle=handle,
        author_name=handle.title(),
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


def webhook(session: Session, brand: Brand, url: str) -> None:
    session.add(
        ReplySink(
            brand_id=brand.id, name="hook", kind=SinkKind.WEBHOOK, channels=["*"], url=url, secret=SECRET
        )
    )
    session.commit()


def test_checker_blocks_a_public_reply_with_an_email_address(
    client: TestClient, session: Session, brand: Brand, agent: User
) -> None:
    case = complaint(session, brand, text="My bag never arrived in Lisbon, this is a joke")
    headers = bearer(session, brand, agent)
    text = "Thanks for raising this, sorry about your bag. Write to maria.silva@example.com and we will help."

    checked = client.post(
        "/api/v1/replies/check",
        json={"case_id": case.id, "text": text, "visibility": "public"},
        headers=headers,
    )
    assert checked.status_code == 200
    assert "pii_public" in {f["code"] for f in checked.json()["findings"]}

    answer = client.post(
        f"/api/v1/cases/{case.id}/replies", json={"text": text, "visibility": "public"}, headers=headers
    )
    assert answer.status_code == 422
    body = answer.json()
    assert "detail" in body
    pii = next(f for f in body["findings"] if f["code"] == "pii_public")
    assert pii["severity"] == "block"
    assert text[pii["start"] : pii["end"]] == "maria.silva@example.com"
    session.expire_all()
    assert session.scalars(select(Reply)).all() == []


def test_an_urgent_public_reply_waits_for_pr_and_is_sent_once_when_approved_twice(
    client: TestClient,
    session: Session,
    session_factory: sessionmaker[Session],
    brand: Brand,
    agent: User,
    receiver_factory: type[Receiver],
) -> None:
    receiver = receiver_factory([])
    webhook(session, brand, receiver.url)
    case = complaint(session, brand, text="You lost my wheelchair at Heathrow. Unacceptable.", priority=1)
    pr = member(session, brand, Role.PR, "petra")
    text = "Thank you for telling us, {customer_name}, and we are so sorry. We are on it now ({case_ref})."

    created = client.post(
        f"/api/v1/cases/{case.id}/replies", json={"text": text}, headers=bearer(session, brand, agent)
    )
    assert created.status_code == 201, created.text
    reply = created.json()
    assert reply["status"] == "awaiting_approval"
    assert reply["case_id"] == case.id
    assert reply["visibility"] == "public"
    assert "Maria" in reply["text"]
    assert f"#{case.id}" in reply["text"]
    assert deliver_due_replies(session_factory).sent == []  # held: nothing goes out

    agent_try = client.post(
        f"/api/v1/replies/{reply['id']}/approve", json={"note": "ok"}, headers=bearer(session, brand)
    )
    assert agent_try.status_code == 403

    pr_headers = bearer(session, brand, pr)
    first = client.post(f"/api/v1/replies/{reply['id']}/approve", json={"note": "good"}, headers=pr_headers)
    second = client.post(f"/api/v1/replies/{reply['id']}/approve", json={"note": "again"}, headers=pr_headers)
    assert first.status_code == second.status_code == 200
    assert first.json()["status"] == "queued"

    deliver_due_replies(session_factory)
    deliver_due_replies(session_factory, now=utcnow() + timedelta(hours=2))
    assert len(receiver.requests) == 1
    headers, body = receiver.requests[0]
    assert headers[SIGNATURE_HEADER] == signature(SECRET, body)
    assert json.loads(body)["text"] == reply["text"]

    replies = client.get(f"/api/v1/cases/{case.id}/replies", headers=pr_headers).json()
    assert [r["status"] for r in replies] == ["sent"]
    assert replies[0]["decision_note"] == "good"
    assert SECRET not in json.dumps(replies)
    session.expire_all()
    stored = session.get(Case, case.id)
    assert stored is not None
    assert stored.first_responded_at is not None
    outbound = session.scalars(
        select(Mention).where(Mention.case_id == case.id, Mention.direction == Direction.OUTBOUND)
    ).all()
    assert [m.text for m in outbound] == [reply["text"]]
    kinds = [e.kind for e in list_case_events(session, case=stored)]
    assert kinds.count("reply.approved") == 1
    assert kinds.index("reply.awaiting_approval") < kinds.index("reply.approved") < kinds.index("reply.sent")


def test_public_then_private_keeps_one_case_and_offers_the_closing_reply(
    client: TestClient, session: Session, session_factory: sessionmaker[Session], brand: Brand, agent: User
) -> None:
    case = complaint(session, brand, text="Charged twice for my booking, fix it")
    headers = bearer(session, brand, agent)
    answer = client.post(
        f"/api/v1/cases/{case.id}/replies/acknowledge-then-private",
        json={
            "public_text": "Thanks for flagging this and sorry for the trouble. We have sent you a DM.",
            "private_text": "Thanks for your patience, sorry about this. Could you send your booking reference?",
        },
        headers=headers,
    )
    assert answer.status_code == 201, answer.text
    assert [(r["visibility"], r["case_id"]) for r in answer.json()] == [
        ("public", case.id),
        ("private", case.id),
    ]

    report = deliver_due_replies(session_factory)  # no sink: they wait to be posted by hand
    assert len(report.manual) == 2
    assert session.scalars(select(Case)).all() == [case]
    with pytest.raises(Conflict, match="waits to be posted by hand"):  # the customer has nothing yet
        change_status(session, case=case, status=CaseStatus.RESOLVED, actor=Actor(agent))
    session.rollback()
    for reply_id in report.manual:
        assert client.post(f"/api/v1/replies/{reply_id}/posted", headers=headers).status_code == 200
    session.expire_all()
    change_status(session, case=case, status=CaseStatus.RESOLVED, actor=Actor(agent))
    session.commit()
    assert queries.offers_public_closing(session, case=case)
    assert not queries.public_closing_sent(session, case=case)

    closing = client.post(
        f"/api/v1/cases/{case.id}/replies",
        json={"text": "Thanks again, glad we could sort this out!", "is_public_closing": True},
        headers=headers,
    )
    assert closing.status_code == 201
    deliver_due_replies(session_factory)
    session.expire_all()
    assert not queries.offers_public_closing(session, case=case), "offered once, while it waits too"
    assert not queries.public_closing_sent(session, case=case)
    assert client.post(f"/api/v1/replies/{closing.json()['id']}/posted", headers=headers).status_code == 200
    session.expire_all()
    assert queries.public_closing_sent(session, case=case)
    assert not queries.offers_public_closing(session, case=case)


def test_a_sink_that_fails_twice_then_succeeds_delivers_exactly_once(
    client: TestClient,
    session: Session,
    session_factory: sessionmaker[Session],
    brand: Brand,
    agent: User,
    receiver_factory: type[Receiver],
) -> None:
    receiver = receiver_factory([500, 503])
    webhook(session, brand, receiver.url)
    case = complaint(session, brand, text="Flight delayed four hours and no one told us")
    created = client.post(
        f"/api/v1/cases/{case.id}/replies",
        json={"text": "Thanks for letting us know, and sorry for the wait."},
        headers=bearer(session, brand, agent),
    )
    reply_id = created.json()["id"]
    rng = random.Random(7)
    now = utcnow()
    assert deliver_due_replies(session_factory, now=now, rng=rng).retrying == [reply_id]
    assert deliver_due_replies(session_factory, now=now, rng=rng).retrying == []  # not due yet: backoff
    now += timedelta(minutes=1)
    assert deliver_due_replies(session_factory, now=now, rng=rng).retrying == [reply_id]
    now += timedelta(minutes=2)
    assert deliver_due_replies(session_factory, now=now, rng=rng).sent == [reply_id]
    for _ in range(2):
        now += timedelta(hours=1)
        assert deliver_due_replies(session_factory, now=now, rng=rng).sent == []

    assert len(receiver.requests) == 3
    assert len(receiver.delivered_keys) == 1
    session.expire_all()
    reply = session.get(Reply, reply_id)
    assert reply is not None
    assert (reply.status, reply.attempts, reply.external_id) == (ReplyStatus.SENT, 3, "hook-1")
    assert len(session.scalars(select(Mention).where(Mention.direction == Direction.OUTBOUND)).all()) == 1


def test_a_sink_that_refuses_marks_the_reply_failed_with_its_answer_and_retry_queues_it(
    client: TestClient,
    session: Session,
    session_factory: sessionmaker[Session],
    brand: Brand,
    agent: User,
    receiver_factory: type[Receiver],
) -> None:
    receiver = receiver_factory([400])
    webhook(session, brand, receiver.url)
    case = complaint(session, brand, text="The app crashes when I check in")
    headers = bearer(session, brand, agent)
    reply_id = client.post(
        f"/api/v1/cases/{case.id}/replies",
        json={"text": "Thanks for telling us, sorry about the crash."},
        headers=headers,
    ).json()["id"]
    assert deliver_due_replies(session_factory).failed == [reply_id]
    shown = client.get(f"/api/v1/cases/{case.id}/replies", headers=headers).json()[0]
    assert shown["status"] == "failed"
    assert "400" in shown["last_error"]
    assert "nope 400" in shown["last_error"]
    assert SECRET not in json.dumps(shown)
    session.expire_all()
    stored = session.get(Case, case.id)
    assert stored is not None
    failed = [e for e in list_case_events(session, case=stored) if e.kind == "reply.failed"]
    assert failed
    assert "nope 400" in (failed[0].detail or "")

    assert client.post(f"/api/v1/replies/{reply_id}/retry", headers=headers).json()["status"] == "queued"
    assert deliver_due_replies(session_factory).sent == [reply_id]


def test_bad_input_and_other_brands(client: TestClient, session: Session, brand: Brand, agent: User) -> None:
    case = complaint(session, brand, text="Where is my refund?")
    other = accounts.create_brand(session, slug="rival", name="Rival")
    session.commit()
    headers = bearer(session, brand, agent)
    url = f"/api/v1/cases/{case.id}/replies"
    good = {"text": "Thanks for asking, sorry for the wait."}

    assert client.post(url, json=good, headers=bearer(session, other)).status_code == 404
    viewer = member(session, brand, Role.VIEWER, "vic")
    assert client.post(url, json=good, headers=bearer(session, brand, viewer)).status_code == 403
    assert client.post(url, json={"text": "   "}, headers=headers).status_code == 422
    assert client.post(url, json={"text": "x" * 50_001}, headers=headers).status_code == 422
    assert client.post(url, json={"text": "ok", "visibility": "shouted"}, headers=headers).status_code == 422
    assert client.post("/api/v1/replies/999999/approve", json={}, headers=headers).status_code == 404
    assert client.post(url, json=good).status_code == 401
