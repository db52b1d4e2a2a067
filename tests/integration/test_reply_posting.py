"""A reply no connector sends waits for someone to post it by hand: until they say they did, the
customer has not heard back, so the case's first response and its clock wait too."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ombuds.accounts.models import ApiToken, Brand, Role, User
from ombuds.cases.models import Case
from ombuds.clock import utcnow
from ombuds.events import Event
from ombuds.mentions.models import Direction, Mention, Source
from ombuds.notifications.models import Notification
from ombuds.responses.models import Reply, ReplySink, SinkKind
from ombuds.responses.outbox_round import outbox_round
from ombuds.responses.sending import deliver_due_replies
from ombuds.routing.queries import get_sla_policy
from ombuds.routing.sla import Target
from ombuds.routing.sla_status import clocks_of
from tests.integration.test_case_analysis import csrf_of
from tests.integration.test_replies import bearer, complaint, member
from tests.integration.test_web_cases import sign_in

TEXT = "Thanks for telling us, and sorry. A courier brings your bag to you today."


def _reply(client: TestClient, case: Case, headers: dict[str, str], reply_id: int) -> dict[str, object]:
    (found,) = [
        r
        for r in client.get(f"/api/v1/cases/{case.id}/replies", headers=headers).json()
        if r["id"] == reply_id
    ]
    return found


def _first_response_clock_runs(session: Session, case: Case) -> bool:
    session.expire_all()
    stored = session.get(Case, case.id)
    assert stored is not None
    clocks = clocks_of(get_sla_policy(session, case.brand_id), stored, unanswered=None)
    return Target.FIRST_RESPONSE in [clock.target for clock in clocks]


def test_the_first_response_is_the_moment_an_agent_marks_the_reply_posted_not_when_it_was_queued(
    client: TestClient, session: Session, session_factory: sessionmaker[Session], brand: Brand, agent: User
) -> None:
    case = complaint(session, brand, text="My bag never arrived in Lisbon")
    case.first_response_due_at = utcnow() + timedelta(hours=1)  # as routing sets it
    session.commit()
    headers = bearer(session, brand, agent)
    reply = client.post(
        f"/api/v1/cases/{case.id}/replies", json={"text": TEXT, "visibility": "public"}, headers=headers
    ).json()

    assert deliver_due_replies(session_factory).manual == [reply["id"]]
    assert deliver_due_replies(session_factory).manual == [], "left to a person, not picked again"
    told = session.scalars(select(Notification).where(Notification.kind == "reply_to_post")).one()
    assert (told.user_id, told.path) == (agent.id, f"/cases/{case.id}#reply-{reply['id']}"), "its author"
    waiting = _reply(client, case, headers, reply["id"])
    assert (waiting["status"], waiting["sent_at"], waiting["mention_id"]) == ("to_post", None, None)
    assert client.get(f"/api/v1/cases/{case.id}", headers=headers).json()["first_responded_at"] is None
    assert _first_response_clock_runs(session, case), "the customer has heard nothing yet"

    before = utcnow()
    posted = client.post(f"/api/v1/replies/{reply['id']}/posted", headers=headers)
    assert posted.status_code == 200, posted.text
    assert (posted.json()["status"], posted.json()["is_manual"]) == ("sent", True)
    sent_at = datetime.fromisoformat(posted.json()["sent_at"])
    assert sent_at.replace(tzinfo=None) >= before.replace(tzinfo=None, microsecond=0)
    facts = client.get(f"/api/v1/cases/{case.id}", headers=headers).json()
    assert datetime.fromisoformat(facts["first_responded_at"]) == sent_at
    assert not _first_response_clock_runs(session, case)
    said = session.scalars(select(Event).where(Event.kind == "reply.sent")).one()
    assert (said.actor_id, said.data["is_manual"]) == (agent.id, True), "who posted it is on the record"
    session.refresh(told)
    assert told.read_at is not None, "posted: the notification asks nobody to post it any more"


def test_only_someone_who_works_the_case_marks_a_reply_posted_and_a_withdrawn_one_is_never_posted(
    client: TestClient, session: Session, session_factory: sessionmaker[Session], brand: Brand, agent: User
) -> None:
    case = complaint(session, brand, text="Charged twice for one ticket")
    headers = bearer(session, brand, agent)
    viewer = bearer(session, brand, member(session, brand, Role.VIEWER, "vera"))
    reply = client.post(
        f"/api/v1/cases/{case.id}/replies", json={"text": TEXT, "visibility": "public"}, headers=headers
    ).json()

    early = client.post(f"/api/v1/replies/{reply['id']}/posted", headers=headers)
    assert early.status_code == 409, "still in the outbox: nothing to post by hand yet"
    assert "queued, not waiting to be posted" in early.json()["detail"]
    deliver_due_replies(session_factory)
    assert client.post(f"/api/v1/replies/{reply['id']}/posted", headers=viewer).status_code == 403

    withdrawn = client.post(f"/api/v1/replies/{reply['id']}/withdraw", headers=headers)
    assert withdrawn.status_code == 200, withdrawn.text
    assert withdrawn.json()["status"] == "withdrawn"
    told = session.scalars(select(Notification).where(Notification.kind == "reply_to_post")).one()
    session.refresh(told)
    assert told.read_at is not None, "withdrawn: nothing is left to post"
    late = client.post(f"/api/v1/replies/{reply['id']}/posted", headers=headers)
    assert late.status_code == 409
    assert "withdrawn, not waiting to be posted" in late.json()["detail"]
    assert client.get(f"/api/v1/cases/{case.id}", headers=headers).json()["first_responded_at"] is None

    elsewhere = Brand(name="Other Air", slug="other-air")
    session.add(elsewhere)
    session.commit()
    stranger = bearer(session, elsewhere, member(session, elsewhere, Role.AGENT, "otto"))
    assert client.post(f"/api/v1/replies/{reply['id']}/posted", headers=stranger).status_code == 404


def test_the_posted_messages_link_becomes_the_outbound_messages_id_once(
    client: TestClient, session: Session, session_factory: sessionmaker[Session], brand: Brand, agent: User
) -> None:
    case = complaint(session, brand, text="My bag never arrived in Lisbon")
    headers = bearer(session, brand, agent)
    first, second = (
        client.post(
            f"/api/v1/cases/{case.id}/replies", json={"text": text, "visibility": "public"}, headers=headers
        ).json()
        for text in (TEXT, "Thanks for your patience: the courier is on the way now.")
    )
    deliver_due_replies(session_factory)

    unreadable = client.post(
        f"/api/v1/replies/{first['id']}/posted", json={"external_id": "https://x.com/"}, headers=headers
    )
    assert unreadable.status_code == 422
    assert "links to no post" in unreadable.json()["detail"]
    link = "https://x.com/skyways/status/1864229987163312345?s=20"
    posted = client.post(f"/api/v1/replies/{first['id']}/posted", json={"external_id": link}, headers=headers)
    assert posted.status_code == 200, posted.text
    assert posted.json()["external_id"] == "1864229987163312345"
    outbound = session.scalars(select(Mention).where(Mention.direction == Direction.OUTBOUND)).one()
    assert (outbound.external_id, outbound.channel) == ("1864229987163312345", "x")

    taken = client.post(
        f"/api/v1/replies/{second['id']}/posted", json={"external_id": "1864229987163312345"}, headers=headers
    )
    assert taken.status_code == 409, "one id, one message: the second is refused, and stays to post"
    assert _reply(client, case, headers, second["id"])["status"] == "to_post"


def test_an_integration_that_posts_is_on_the_record_and_a_case_resolved_as_spam_takes_no_posting(
    client: TestClient, session: Session, session_factory: sessionmaker[Session], brand: Brand, agent: User
) -> None:
    case = complaint(session, brand, text="My bag never arrived in Lisbon")
    spam = complaint(session, brand, text="WIN A FREE CRUISE click here", handle="prizes4u")
    headers, integration = bearer(session, brand, agent), bearer(session, brand)
    first, second = (
        client.post(
            f"/api/v1/cases/{on.id}/replies", json={"text": TEXT, "visibility": "public"}, headers=headers
        ).json()
        for on in (case, spam)
    )
    deliver_due_replies(session_factory)

    # a bridge that posts on the channel for the desk says so with its own token
    assert client.post(f"/api/v1/replies/{first['id']}/posted", headers=integration).status_code == 200
    said = session.scalars(select(Event).where(Event.kind == "reply.sent")).one()
    assert (said.actor_id, said.data["api_token_id"]) == (None, integration_token_id(session))

    marked = client.post(
        f"/api/v1/cases/{spam.id}/status", json={"status": "resolved", "resolved_as": "spam"}, headers=headers
    )
    assert marked.status_code == 200, marked.text
    late = client.post(f"/api/v1/replies/{second['id']}/posted", headers=headers)
    assert late.status_code == 409
    assert "reopen it first, or withdraw the reply" in late.json()["detail"]
    assert client.get(f"/api/v1/cases/{spam.id}", headers=headers).json()["first_responded_at"] is None

    # the outbox's next round withdraws it, saying why, and nobody is asked to post it any more
    outbox_round(session_factory, public_url="http://desk.test")
    gone = _reply(client, spam, headers, second["id"])
    assert (gone["status"], gone["decision_note"]) == (
        "withdrawn",
        "Not posted: the case was resolved as spam",
    )
    asked = session.scalars(
        select(Notification).where(Notification.path == f"/cases/{spam.id}#reply-{second['id']}")
    ).one()
    session.refresh(asked)
    assert asked.read_at is not None


def integration_token_id(session: Session) -> int:
    return session.scalars(select(ApiToken.id).where(ApiToken.user_id.is_(None))).one()


def test_a_case_resolved_while_its_reply_was_in_the_outbox_opens_again_when_the_reply_is_left_to_post(
    client: TestClient, session: Session, session_factory: sessionmaker[Session], brand: Brand, agent: User
) -> None:
    case = complaint(session, brand, text="My bag never arrived in Lisbon")
    spam = complaint(session, brand, text="WIN A FREE CRUISE click here", handle="prizes4u")
    headers = bearer(session, brand, agent)
    answer, wasted = (
        client.post(
            f"/api/v1/cases/{on.id}/replies", json={"text": TEXT, "visibility": "public"}, headers=headers
        ).json()
        for on in (case, spam)
    )
    # the agent answers and resolves at once, before the outbox's round
    solved = client.post(f"/api/v1/cases/{case.id}/status", json={"status": "resolved"}, headers=headers)
    assert solved.status_code == 200, solved.text
    junk = {"status": "resolved", "resolved_as": "spam"}
    assert client.post(f"/api/v1/cases/{spam.id}/status", json=junk, headers=headers).status_code == 200

    _, report = outbox_round(session_factory, public_url="https://desk.skyways.test")  # the runner's round
    assert report.manual == [answer["id"]]

    facts = client.get(f"/api/v1/cases/{case.id}", headers=headers).json()
    assert (facts["status"], facts["resolved_at"]) == ("open", None), "no answer yet: not resolved"
    history = client.get(f"/api/v1/cases/{case.id}/events", headers=headers).json()
    reopened = [e for e in history if e["summary"] == "Status Resolved → Open"]
    assert [e["detail"] for e in reopened] == [
        "A reply waits to be posted by hand: the customer has no answer yet"
    ]
    assert not [e for e in history if e["kind"].startswith("survey.")], "an open case is asked nothing"
    waits = next(i for i, e in enumerate(history) if e["kind"] == "reply.to_post")
    assert waits < history.index(reopened[0]), "the history reads the cause, then the effect"
    assert _reply(client, case, headers, answer["id"])["status"] == "to_post"
    # nobody answers spam: its reply is withdrawn, saying why, and the case stays resolved
    withdrawn = _reply(client, spam, headers, wasted["id"])
    assert (withdrawn["status"], withdrawn["decision_note"]) == (
        "withdrawn",
        "Not posted: the case was resolved as spam",
    )
    assert client.get(f"/api/v1/cases/{spam.id}", headers=headers).json()["status"] == "resolved"


def test_a_public_closing_reply_left_to_post_keeps_its_resolved_case_resolved_and_is_posted_there(
    client: TestClient, session: Session, session_factory: sessionmaker[Session], brand: Brand, agent: User
) -> None:
    case = complaint(session, brand, text="Charged twice for my booking, fix it")
    headers = bearer(session, brand, agent)
    private = client.post(
        f"/api/v1/cases/{case.id}/replies",
        json={
            "text": "Thanks for your patience: the second charge is refunded today.",
            "visibility": "private",
        },
        headers=headers,
    ).json()
    deliver_due_replies(session_factory)
    assert client.post(f"/api/v1/replies/{private['id']}/posted", headers=headers).status_code == 200
    assert (
        client.post(
            f"/api/v1/cases/{case.id}/status", json={"status": "resolved"}, headers=headers
        ).status_code
        == 200
    )
    closing = client.post(
        f"/api/v1/cases/{case.id}/replies",
        json={"text": "Thanks again, glad we could sort this out!", "is_public_closing": True},
        headers=headers,
    ).json()

    assert deliver_due_replies(session_factory).manual == [closing["id"]]

    assert client.get(f"/api/v1/cases/{case.id}", headers=headers).json()["status"] == "resolved"
    posted = client.post(f"/api/v1/replies/{closing['id']}/posted", headers=headers)
    assert (posted.status_code, posted.json()["status"]) == (200, "sent")


def test_the_inbox_lists_the_cases_whose_replies_wait_to_be_posted_and_a_view_counts_them(
    client: TestClient, session: Session, session_factory: sessionmaker[Session], brand: Brand, agent: User
) -> None:
    waiting = complaint(session, brand, text="My bag never arrived in Lisbon")
    quiet = complaint(session, brand, text="Seat was broken", handle="ben")
    headers = bearer(session, brand, agent)
    client.post(
        f"/api/v1/cases/{waiting.id}/replies", json={"text": TEXT, "visibility": "public"}, headers=headers
    )
    deliver_due_replies(session_factory)
    sign_in(client, agent.email)

    def listed(query: str) -> set[int]:
        page = client.get(f"/inbox?{query}")
        assert page.status_code == 200, page.text
        return {int(found) for found in re.findall(r'data-testid="case-row" data-case-id="(\d+)"', page.text)}

    assert listed("replies=to_post") == {waiting.id}
    assert listed("") == listed("replies=nonsense") == {waiting.id, quiet.id}  # unknown: ignored
    assert listed("replies=%00") == listed(f"replies={'9' * 40}") == {waiting.id, quiet.id}
    csrf = {"X-CSRF-Token": csrf_of(client.get("/inbox").text)}
    view = client.post(
        "/api/v1/inbox/views", json={"name": "to post", "query": "replies=to_post"}, headers=csrf
    )
    assert view.status_code == 201, view.text
    assert (view.json()["count"], view.json()["url"]) == (
        1,
        f"/inbox?replies=to_post&view={view.json()['id']}",
    )

    client.post(f"/api/v1/replies/{_only_reply_id(session, waiting)}/posted", headers=headers)
    assert listed("replies=to_post") == set()


def _only_reply_id(session: Session, case: Case) -> int:
    return session.scalars(select(Reply.id).where(Reply.case_id == case.id)).one()


def test_the_composer_says_before_sending_that_no_connector_sends_on_the_channel(
    client: TestClient, session: Session, brand: Brand, agent: User
) -> None:
    case = complaint(session, brand, text="My bag never arrived in Lisbon")
    session.commit()
    sign_in(client, agent.email)
    # it came through the X connector: that answers in public, not by direct message
    said = client.get(f"/cases/{case.id}/replies/delivery").text
    assert "No connector sends private replies on X for this brand" in said
    for source in session.scalars(select(Source).where(Source.brand_id == brand.id)):
        source.kind = "api"  # had it come through the API: no connector of its own to answer with
    session.commit()
    page = client.get(f"/cases/{case.id}").text
    assert (
        f'hx-get="/cases/{case.id}/replies/delivery" hx-trigger="load"' in page
    )  # asked once the page is up

    told = client.get(f"/cases/{case.id}/replies/delivery")
    assert told.status_code == 200
    assert "No connector sends replies on X for this brand: once sent, a reply waits here" in told.text

    session.add(
        ReplySink(brand_id=brand.id, name="X", kind=SinkKind.WEBHOOK, channels=["x"], url="http://x.test/")
    )
    session.commit()
    assert 'data-testid="reply-delivery"' not in client.get(f"/cases/{case.id}/replies/delivery").text
    assert client.get("/cases/999999/replies/delivery").status_code == 404
    for hostile in ("9223372036854775808", "-1", "1.0", "%00"):  # refused plainly, never a 500
        assert client.get(f"/cases/{hostile}/replies/delivery").status_code in (400, 404, 422), hostile

    # another brand's agent learns nothing of this case; the line names no customer for anyone
    elsewhere = Brand(name="Other Air", slug="other-air")
    session.add(elsewhere)
    session.commit()
    stranger = member(session, elsewhere, Role.AGENT, "otto")
    client.cookies.clear()
    sign_in(client, stranger.email)
    assert client.get(f"/cases/{case.id}/replies/delivery").status_code == 404
    viewer = member(session, brand, Role.VIEWER, "vera")
    client.cookies.clear()
    sign_in(client, viewer.email)
    seen = client.get(f"/cases/{case.id}/replies/delivery")
    assert seen.status_code == 200
    handle = session.scalars(select(Mention.author_handle).where(Mention.case_id == case.id)).first()
    assert handle
    assert handle not in seen.text
