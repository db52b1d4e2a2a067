"""Answering from the case page and approving in PR's queue, as people do it in the browser (plain forms)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import ClassVar

import httpx2
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ombuds.accounts import actions as accounts
from ombuds.accounts.models import Brand, Role, User
from ombuds.cases.actions import thread_mentions
from ombuds.cases.models import Case
from ombuds.clock import utcnow
from ombuds.connectors.base import OutgoingReply, SentReply
from ombuds.mentions.models import Direction, Mention, Source, Stage
from ombuds.responses.models import Reply, ReplySink, ReplyStatus, SinkKind
from ombuds.responses.sending import deliver_due_replies
from ombuds.responses.sinks import SinkRefused

PASSWORD = "correct horse"
SECRET = "hook-secret-never-shown"


class Refusing:
    """A receiver that turns every reply down (a 4xx): the reply fails with its answer kept."""

    kind: ClassVar[str] = "refusing"

    def send(self, reply: OutgoingReply) -> SentReply:
        raise SinkRefused("webhook answered 400: unknown recipient")


class Accepting:
    kind: ClassVar[str] = "accepting"

    def __init__(self) -> None:
        self.sent: list[OutgoingReply] = []

    def send(self, reply: OutgoingReply) -> SentReply:
        self.sent.append(reply)
        return SentReply(external_id="hook-7", sent_at=utcnow())


def member(session: Session, brand: Brand, role: Role, name: str) -> User:
    user = accounts.create_user(session, email=f"{name}@skyways.test", name=name.title(), password=PASSWORD)
    accounts.add_membership(session, user=user, brand=brand, role=role)
    session.commit()
    return user


def sign_in(client: TestClient, email: str) -> None:
    """Sign in on this browser, signing out whoever was signed in before."""
    here = client.get("/inbox")
    if here.status_code == 200:
        assert client.post("/logout", data={"csrf_token": csrf_of(here.text)}).status_code == 303
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token
    answer = client.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": token.group(1)})
    assert answer.status_code == 303, answer.text


def csrf_of(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


def complaint(session: Session, brand: Brand, *, text: str, priority: int = 3) -> Case:
    """A customer's public message on X, threaded into a case as the pipeline would."""
    source = session.scalar(select(Source).where(Source.brand_id == brand.id, Source.name == "x"))
    if source is None:
        source = Source(brand_id=brand.id, kind="x", name="x", config={})
        session.add(source)
        session.flush()
    mention = Mention(
        brand_id=brand.id,
        source_id=source.id,
        external_id=f"x-maria-{utcnow().timestamp()}",
        channel="x",
        direction=Direction.INBOUND,
        is_public=True,
        author_handle="maria",
        author_name="Maria",
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


def timeline_texts(page: str) -> str:
    """The case page's messages and history, without the composer and the replies panel."""
    start = page.index('aria-label="Messages and history"')
    end = page.index('id="replies"')
    return page[start:end]


def post_reply(client: TestClient, case: Case, **form: str) -> httpx2.Response:
    page = client.get(f"/cases/{case.id}")
    assert page.status_code == 200
    return client.post(f"/cases/{case.id}/replies", data={"csrf_token": csrf_of(page.text), **form})


def mark_posted(client: TestClient, case: Case, reply_ids: list[int], link: str = "") -> None:
    """Post each reply no connector sends by hand, and say so on the case page, as the agent does."""
    for reply_id in reply_ids:
        page = client.get(f"/cases/{case.id}").text
        assert f'action="/cases/{case.id}/replies/{reply_id}/posted"' in page
        done = client.post(
            f"/cases/{case.id}/replies/{reply_id}/posted",
            data={"csrf_token": csrf_of(page), "external_id": link},
        )
        assert done.status_code == 303
        assert "Reply marked posted" in client.get(done.headers["location"]).text


def test_an_agent_answers_in_public_from_the_case_page_and_the_reply_is_on_the_timeline(
    client: TestClient, session: Session, session_factory: sessionmaker[Session], brand: Brand, agent: User
) -> None:
    case = complaint(session, brand, text="Flight delayed four hours and nobody told us anything")
    sign_in(client, agent.email)
    composer = client.get(f"/cases/{case.id}").text
    assert 'id="reply-text"' in composer
    assert 'name="text"' in composer
    assert "a public reply takes at most 280 characters" in composer  # stated without JS
    assert "{customer_name}" in composer
    assert "{case_ref}" in composer

    answer = post_reply(
        client,
        case,
        text="Thanks for telling us, {customer_name}, and sorry for the wait. We are looking into it ({case_ref}).",
        visibility="public",
    )
    assert answer.status_code == 303
    shown = client.get(answer.headers["location"])
    assert "reply queued" in shown.text
    assert 'data-status="queued"' in shown.text

    report = deliver_due_replies(session_factory)  # what the runner does after each round
    page = client.get(f"/cases/{case.id}").text
    sent = f"Thanks for telling us, Maria, and sorry for the wait. We are looking into it (#{case.id})."
    # no sink on X here: nothing has reached the customer until the agent posts it by hand
    assert 'data-status="to_post"' in page
    assert ">To post by hand</span>" in page
    assert "No connector sends on X: <strong>post it there by hand</strong>" in page
    assert "Public reply waits to be posted by hand" in page
    assert sent not in timeline_texts(page)
    session.expire_all()
    assert session.get(Case, case.id).first_responded_at is None, "the clock runs until it is posted"
    assert 'data-testid="to-post-badge"' in client.get("/inbox").text, "the inbox says the customer waits"

    # resolving now is refused (the customer has no answer), but the note typed with it is kept
    refused = client.post(
        f"/cases/{case.id}/status",
        data={"csrf_token": csrf_of(page), "status": "resolved", "note": "Courier booked, ref CX-88"},
    )
    told = client.get(refused.headers["location"]).text
    assert "waits to be posted by hand" in told
    assert "Your note is kept on the case as an internal note." in told
    assert "Courier booked, ref CX-88" in timeline_texts(told)
    bad = client.post(
        f"/cases/{case.id}/replies/{report.manual[0]}/posted",
        data={"csrf_token": csrf_of(page), "external_id": "https://x.com/"},
    )
    assert bad.headers["location"] == f"/cases/{case.id}", "to the top, where the message shows"
    told = client.get(bad.headers["location"]).text
    assert "links to no post; paste the post&#39;s own link, or its id" in told
    assert "external_id" not in told.split('class="flash', 1)[1].split("</", 1)[0]
    mark_posted(client, case, report.manual, link="https://x.com/skyways/status/1864229987163312345")
    page = client.get(f"/cases/{case.id}").text
    assert sent in timeline_texts(page)
    assert 'data-status="sent"' in page
    assert 'as post <code data-testid="reply-post-id">1864229987163312345</code>' in page
    assert ">Posted by hand</span>" in page
    assert "Public reply posted by hand" in page
    assert "posted by hand from the desk" in timeline_texts(page)
    assert 'data-testid="to-post-badge"' not in client.get("/inbox").text
    session.expire_all()
    assert session.get(Case, case.id).first_responded_at is not None
    # the history names who the customer heard from, not the desk's own handle for its messages
    assert f'<strong class="mention-author">{brand.name} · {agent.name}</strong>' in page
    assert "sent from the desk" not in page, "it was posted by hand, and the history says so"
    assert "@ombuds:" not in page


def test_a_blocked_reply_keeps_the_words_and_shows_the_pii_finding(
    client: TestClient, session: Session, brand: Brand, agent: User
) -> None:
    case = complaint(session, brand, text="My bag never arrived in Lisbon")
    sign_in(client, agent.email)
    text = "Thanks for raising this, sorry about your bag. Write to maria.silva@example.com and we will help."

    answer = post_reply(client, case, text=text, visibility="public")

    assert answer.status_code == 422
    page = answer.text
    assert 'data-testid="reply-blocked"' in page
    composer = page[page.index('id="reply-text"') :]
    assert composer.split(">", 1)[1].startswith(text)  # the words are kept in the box
    finding = re.search(
        r'<li class="reply-finding finding-block" data-code="pii_public">(.*?)</li>', page, re.S
    )
    assert finding, "the pii_public finding is listed as blocking"
    assert '<q class="finding-quote">maria.silva@example.com</q>' in finding.group(1)
    session.expire_all()
    assert session.scalars(select(Reply)).all() == []


def test_an_urgent_reply_waits_in_the_approvals_queue_and_approving_it_there_sends_it(
    client: TestClient, session: Session, session_factory: sessionmaker[Session], brand: Brand, agent: User
) -> None:
    case = complaint(session, brand, text="You lost my wheelchair at Heathrow. Unacceptable.", priority=1)
    pr = member(session, brand, Role.PR, "petra")
    sign_in(client, agent.email)
    answer = post_reply(client, case, text="Thank you for telling us, and we are so sorry. We are on it now.")
    shown = client.get(answer.headers["location"]).text
    assert "waits for PR approval: the case is urgent (priority 1). It goes out" in shown
    assert 'data-testid="reply-awaiting"' in shown
    assert client.get("/replies/approvals").status_code == 200  # agents may look, not decide

    sign_in(client, pr.email)
    queue = client.get("/replies/approvals")
    assert queue.status_code == 200
    assert 'data-testid="approval"' in queue.text
    assert f"Case #{case.id}" in queue.text
    assert "Maria" in queue.text
    assert "the case is urgent (priority 1)" in queue.text
    reply = session.scalars(select(Reply)).one()
    approved = client.post(
        f"/replies/{reply.id}/approve", data={"csrf_token": csrf_of(queue.text), "note": "Good, send it"}
    )
    assert approved.status_code == 303
    # no connector sends on this channel: PR is told it may have to be posted by hand
    told = client.get(approved.headers["location"]).text
    assert "waits on the case for someone to post it there by hand" in told
    again = client.post(f"/replies/{reply.id}/approve", data={"csrf_token": csrf_of(queue.text)})
    assert "already queued: nothing changed" in client.get(again.headers["location"]).text
    assert 'data-testid="no-approvals"' in client.get("/replies/approvals").text

    report = deliver_due_replies(session_factory)
    assert report.manual == [reply.id]  # sent once
    sign_in(client, agent.email)
    mark_posted(client, case, report.manual)
    page = client.get(f"/cases/{case.id}").text
    assert "Thank you for telling us, and we are so sorry. We are on it now." in timeline_texts(page)
    assert "Approved by Petra: <q>Good, send it</q>" in page


def test_a_rejected_reply_shows_the_note_on_the_case_and_an_agent_may_not_approve(
    client: TestClient, session: Session, brand: Brand, agent: User
) -> None:
    case = complaint(session, brand, text="Your CEO should resign over this", priority=1)
    pr = member(session, brand, Role.PR, "petra")
    sign_in(client, agent.email)
    post_reply(client, case, text="Thanks for your message, we hear you and we are sorry.")
    reply = session.scalars(select(Reply)).one()
    page = client.get("/replies/approvals").text
    forged = client.post(f"/replies/{reply.id}/approve", data={"csrf_token": csrf_of(page)})
    assert forged.status_code == 403

    sign_in(client, pr.email)
    token = csrf_of(client.get("/replies/approvals").text)
    empty = client.post(f"/replies/{reply.id}/reject", data={"csrf_token": token, "note": "  "})
    assert "say why the reply is rejected" in client.get(empty.headers["location"]).text
    client.post(f"/replies/{reply.id}/reject", data={"csrf_token": token, "note": "Offer a call, not a DM"})

    sign_in(client, agent.email)
    page = client.get(f"/cases/{case.id}").text
    assert 'data-status="rejected"' in page
    assert "Rejected by Petra: <q>Offer a call, not a DM</q>" in page


def test_a_viewer_sees_no_composer_and_a_forged_reply_is_forbidden(
    client: TestClient, session: Session, brand: Brand
) -> None:
    case = complaint(session, brand, text="Where is my refund?")
    viewer = member(session, brand, Role.VIEWER, "vic")
    sign_in(client, viewer.email)
    page = client.get(f"/cases/{case.id}").text
    assert 'id="reply-text"' not in page
    assert 'data-testid="reply-form"' not in page

    forged = client.post(
        f"/cases/{case.id}/replies",
        data={
            "csrf_token": csrf_of(page),
            "text": "Thanks for asking, sorry for the wait.",
            "visibility": "public",
        },
    )
    assert forged.status_code == 403
    session.expire_all()
    assert session.scalars(select(Reply)).all() == []


def test_another_brands_case_is_not_found_and_a_post_without_the_csrf_token_is_refused(
    client: TestClient, session: Session, brand: Brand, agent: User
) -> None:
    rival = accounts.create_brand(session, slug="rival", name="Rival")
    session.commit()
    theirs = complaint(session, rival, text="Rival lost my bag")
    ours = complaint(session, brand, text="Skyways lost my bag")
    sign_in(client, agent.email)
    token = csrf_of(client.get(f"/cases/{ours.id}").text)
    form = {"csrf_token": token, "text": "Thanks, sorry about that.", "visibility": "public"}
    assert client.post(f"/cases/{theirs.id}/replies", data=form).status_code == 404
    assert client.post(f"/cases/{ours.id}/replies", data={**form, "csrf_token": "forged"}).status_code == 403
    odd = client.post(f"/cases/{ours.id}/replies", data={**form, "visibility": "shouted"})
    assert "is not one of public, private, ack_then_private" in client.get(odd.headers["location"]).text
    session.expire_all()
    assert session.scalars(select(Reply)).all() == []


def test_public_acknowledgement_then_private_from_the_form_keeps_one_case(
    client: TestClient, session: Session, brand: Brand, agent: User
) -> None:
    case = complaint(session, brand, text="Charged twice for my booking, fix it")
    sign_in(client, agent.email)
    answer = post_reply(
        client,
        case,
        visibility="ack_then_private",
        text="Thanks for flagging this and sorry for the trouble. We have sent you a DM.",
        private_text="Thanks for your patience, sorry about this. Could you send your booking reference?",
    )
    assert answer.status_code == 303
    session.expire_all()
    replies = session.scalars(select(Reply).order_by(Reply.id)).all()
    assert [(r.visibility.value, r.case_id) for r in replies] == [("public", case.id), ("private", case.id)]
    assert session.scalars(select(Case)).all() == [case]


def test_a_failed_reply_shows_the_error_and_retry_sends_it(
    client: TestClient, session: Session, session_factory: sessionmaker[Session], brand: Brand, agent: User
) -> None:
    session.add(
        ReplySink(
            brand_id=brand.id,
            name="hook",
            kind=SinkKind.WEBHOOK,
            channels=["*"],
            url="http://x",
            secret=SECRET,
        )
    )
    session.commit()
    case = complaint(session, brand, text="The app crashes when I check in")
    sign_in(client, agent.email)
    post_reply(client, case, text="Thanks for telling us, sorry about the crash.")

    assert deliver_due_replies(session_factory, sink_for=lambda _: Refusing()).failed
    page = client.get(f"/cases/{case.id}").text
    assert 'data-status="failed"' in page
    assert "Could not be sent: webhook answered 400: unknown recipient" in page
    assert SECRET not in page
    reply = session.scalars(select(Reply)).one()
    retried = client.post(f"/cases/{case.id}/replies/{reply.id}/retry", data={"csrf_token": csrf_of(page)})
    assert retried.status_code == 303
    assert "Reply queued again" in client.get(retried.headers["location"]).text

    accepting = Accepting()
    assert deliver_due_replies(session_factory, sink_for=lambda _: accepting).sent == [reply.id]
    assert len(accepting.sent) == 1
    page = client.get(f"/cases/{case.id}").text
    assert "Thanks for telling us, sorry about the crash." in timeline_texts(page)
    session.expire_all()
    stored = session.get(Reply, reply.id)
    assert stored is not None
    assert stored.status is ReplyStatus.SENT


def test_pr_edits_a_held_reply_before_approving_and_the_edited_words_go_out(
    client: TestClient, session: Session, session_factory: sessionmaker[Session], brand: Brand, agent: User
) -> None:
    case = complaint(session, brand, text="Your crew was rude to my mother on SK88", priority=1)
    pr = member(session, brand, Role.PR, "petra")
    sign_in(client, agent.email)
    post_reply(client, case, text="Thanks for telling us, sorry. We will look at it.")
    reply = session.scalars(select(Reply)).one()

    sign_in(client, pr.email)
    queue = client.get("/replies/approvals").text
    assert 'data-testid="edit-approve-form"' in queue
    edited = "Thank you for telling us, and we are truly sorry. Our cabin crew lead will call you today."
    blocked = client.post(
        f"/replies/{reply.id}/approve",
        data={"csrf_token": csrf_of(queue), "text": "Thanks, sorry. Mail ceo@example.com instead."},
    )
    shown = client.get(blocked.headers["location"]).text
    assert "The edited reply cannot be sent: An email address in a public reply" in shown
    client.post(f"/replies/{reply.id}/approve", data={"csrf_token": csrf_of(queue), "text": edited})
    report = deliver_due_replies(session_factory)

    sign_in(client, agent.email)
    mark_posted(client, case, report.manual)
    page = client.get(f"/cases/{case.id}").text
    assert edited in timeline_texts(page)
    assert "Public reply approved with edits" in page


def test_a_case_solved_in_private_offers_the_public_closing_reply_and_records_it(
    client: TestClient, session: Session, session_factory: sessionmaker[Session], brand: Brand, agent: User
) -> None:
    case = complaint(session, brand, text="Charged twice for my booking, fix it")
    sign_in(client, agent.email)
    post_reply(
        client,
        case,
        visibility="ack_then_private",
        text="Thanks for flagging this and sorry for the trouble. We have sent you a DM.",
        private_text="Thanks for your patience, sorry about this. The second charge is refunded today.",
    )
    mark_posted(client, case, deliver_due_replies(session_factory).manual)
    page = client.get(f"/cases/{case.id}").text
    assert 'data-testid="public-closing"' not in page  # not before the case is resolved
    client.post(f"/cases/{case.id}/status", data={"csrf_token": csrf_of(page), "status": "resolved"})

    page = client.get(f"/cases/{case.id}").text
    assert 'data-testid="public-closing"' in page
    closing = re.search(r'<textarea id="closing-text" name="text"[^>]*>([^<]*)</textarea>', page)
    assert closing
    assert "Glad we could sort this out" in closing.group(1)
    post_reply(client, case, text=closing.group(1), visibility="public", is_public_closing="true")
    report = deliver_due_replies(session_factory)
    page = client.get(f"/cases/{case.id}").text
    assert 'data-testid="public-closing"' not in page, "offered once, while it waits to be posted too"
    assert 'data-testid="public-closing-sent"' not in page
    mark_posted(client, case, report.manual)

    page = client.get(f"/cases/{case.id}").text
    assert 'data-testid="public-closing"' not in page
    assert 'data-testid="public-closing-sent"' in page
    assert "Thanks again for your patience, Maria. Glad we could sort this out!" in timeline_texts(page)


def test_a_viewer_or_another_brands_agent_cannot_mark_a_reply_posted_from_the_page(
    client: TestClient, session: Session, session_factory: sessionmaker[Session], brand: Brand, agent: User
) -> None:
    case = complaint(session, brand, text="My bag never arrived in Lisbon")
    sign_in(client, agent.email)
    post_reply(
        client, case, text="Thanks for telling us, and sorry. A courier brings it today.", visibility="public"
    )
    (reply_id,) = deliver_due_replies(session_factory).manual
    url = f"/cases/{case.id}/replies/{reply_id}/posted"

    viewer = member(session, brand, Role.VIEWER, "vera")
    sign_in(client, viewer.email)
    page = client.get(f"/cases/{case.id}").text
    assert f'action="{url}"' not in page, "no button for a viewer"
    refused = client.post(url, data={"csrf_token": csrf_of(page)})
    assert refused.status_code == 303
    assert "may read cases but not change them" in client.get(refused.headers["location"]).text

    elsewhere = Brand(name="Other Air", slug="other-air")
    session.add(elsewhere)
    session.commit()
    stranger = member(session, elsewhere, Role.AGENT, "otto")
    sign_in(client, stranger.email)
    assert client.post(url, data={"csrf_token": csrf_of(client.get("/inbox").text)}).status_code == 404

    session.expire_all()
    assert session.get_one(Reply, reply_id).status is ReplyStatus.TO_POST
