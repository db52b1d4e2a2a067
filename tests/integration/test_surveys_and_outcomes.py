"""Closing the loop with the customer: a survey when the case is resolved, answered once, and the
facts outcome metrics are computed from (first-contact resolution, handoffs, reopens).

A customer who writes again soon after their case was resolved reopens it instead of starting over.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

import httpx2
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from ombuds.accounts import actions as accounts
from ombuds.accounts.models import Brand, Role, Team, User
from ombuds.cases.actions import set_case_status, thread_mentions
from ombuds.cases.lifecycle import Actor, assign_case, move_case_to_team
from ombuds.cases.models import Case, CaseStatus
from ombuds.clock import utcnow
from ombuds.events import Event
from ombuds.mentions.models import Direction, Mention, Source, Stage
from ombuds.responses.sending import deliver_due_replies
from ombuds.surveys.actions import offer_survey
from ombuds.surveys.models import Survey
from tests.integration.test_import_concurrency import wait_until_a_backend_waits_for_a_lock
from tests.integration.test_resolutions_api import token_for
from tests.integration.test_web_cases import PASSWORD, sign_in

NOW = utcnow()
DAY = timedelta(days=1)


@pytest.fixture
def bearer(session: Session, brand: Brand) -> httpx2.Headers:
    _, secret = accounts.create_api_token(session, brand=brand, name="checks")
    session.commit()
    return httpx2.Headers({"Authorization": f"Bearer {secret}"})


def write(
    session: Session,
    brand: Brand,
    *,
    text: str,
    at: datetime,
    handle: str = "maya_k",
    name: str = "Maya Kowalski",
    direction: Direction = Direction.INBOUND,
    in_reply_to: str | None = None,
) -> Mention:
    """A message threaded as the pipeline threads it: the customer's, or the brand's answer."""
    source = session.scalar(select(Source).where(Source.brand_id == brand.id, Source.name == "x"))
    if source is None:
        source = Source(brand_id=brand.id, kind="x", name="x", config={})
        session.add(source)
        session.flush()
    outbound = direction is Direction.OUTBOUND
    mention = Mention(
        brand_id=brand.id,
        source_id=source.id,
        external_id=f"x-{handle}-{direction.value}-{at.timestamp()}",
        channel="x",
        direction=direction,
        author_handle="skyways" if outbound else handle,
        author_name="Skyways" if outbound else name,
        text=text,
        created_at=at,
        in_reply_to=in_reply_to,
        raw=text.encode(),
        raw_format="text",
        stage=Stage.ROUTED,
    )
    session.add(mention)
    session.flush()
    thread_mentions(session, mentions=[mention])
    session.commit()
    return mention


def conversation(session: Session, brand: Brand, *, at: datetime, **who: str) -> Case:
    """The customer complains, the brand answers once."""
    asked = write(session, brand, text="My bag never arrived in Lisbon, flight SK204", at=at, **who)
    write(
        session,
        brand,
        text="So sorry, we found it and it is on its way to you",
        at=at + timedelta(minutes=30),
        direction=Direction.OUTBOUND,
        in_reply_to=asked.external_id,
        **who,
    )
    case = session.get(Case, asked.case_id)
    assert case is not None
    return case


def resolve(session: Session, case: Case, *, at: datetime) -> None:
    set_case_status(session, case=case, status=CaseStatus.RESOLVED, at=at)
    session.commit()


def surveys_answered(session: Session) -> int:
    session.expire_all()
    return (
        session.scalar(select(func.count()).select_from(Survey).where(Survey.answered_at.is_not(None))) or 0
    )


def test_the_customer_answers_the_survey_once_and_the_case_shows_it(
    client: TestClient, session: Session, brand: Brand, agent: User, bearer: httpx2.Headers
) -> None:
    case = conversation(session, brand, at=NOW - 5 * timedelta(hours=1))
    before = client.get(f"/api/v1/cases/{case.id}", headers=bearer).json()
    assert before["survey_url"] is None
    assert before["csat"] is None
    assert before["first_contact_resolution"] is None

    resolved = client.post(f"/api/v1/cases/{case.id}/status", json={"status": "resolved"}, headers=bearer)
    assert resolved.status_code == 200, resolved.text
    facts = client.get(f"/api/v1/cases/{case.id}", headers=bearer).json()
    assert facts["csat"] is None
    assert (facts["first_contact_resolution"], facts["handoffs"], facts["reopened"]) == (True, 0, 0)
    url = facts["survey_url"]
    assert url.startswith("http://testserver/survey/")
    assert len(url.rsplit("/", 1)[1]) >= 40

    client.cookies.clear()  # the customer has no account
    form = client.get(url)
    assert form.status_code == 200
    assert "Maya" in form.text
    assert "My bag never arrived in Lisbon" in form.text
    assert "Kowalski" not in form.text
    assert "maya_k" not in form.text
    assert 'name="score"' in form.text
    # the page speaks for the brand: its name, not the desk's, and no way into the desk's API
    assert f"<title>How did we do? · {brand.name}</title>" in form.text
    assert f"{brand.name} customer care" in form.text
    assert "/api/docs" not in form.text
    assert "Ombuds" not in form.text
    assert '<meta name="robots" content="noindex">' in form.text

    for bad in ("0", "6"):
        refused = client.post(url, data={"score": bad, "comment": "meh"})
        assert refused.status_code == 422
        assert "choose a score from 1 (poor) to 5 (great)" in refused.text
    assert surveys_answered(session) == 0

    answered = client.post(url, data={"score": "4", "comment": "Bag came back in two days"})
    assert answered.status_code == 200
    assert "Your answer has been recorded" in answered.text

    again = client.post(url, data={"score": "1", "comment": "changed my mind"})
    assert again.status_code == 200
    assert "You have already answered this survey" in again.text
    assert "Your answer has been recorded" not in again.text
    assert "already answered" in client.get(url).text

    csat = client.get(f"/api/v1/cases/{case.id}", headers=bearer).json()["csat"]
    assert (csat["score"], csat["comment"]) == (4, "Bag came back in two days")
    assert csat["answered_at"] is not None
    kinds = session.scalars(
        select(Event.kind).where(Event.subject_id == case.id, Event.kind == "survey.answered")
    )
    assert list(kinds) == ["survey.answered"]

    sign_in(client, agent.email)
    page = client.get(f"/cases/{case.id}")
    assert "Customer's score: 4/5" in page.text
    assert "Bag came back in two days" in page.text


def test_a_forged_or_expired_link_shows_a_clear_page_and_records_nothing(
    client: TestClient, session: Session, brand: Brand
) -> None:
    forged = client.post("/survey/not-a-real-token-at-all", data={"score": "5"})
    assert forged.status_code == 404
    assert "This survey link is not valid" in forged.text
    assert client.get("/survey/not-a-real-token-at-all").status_code == 404

    case = conversation(session, brand, at=NOW - 20 * DAY)
    resolve(session, case, at=NOW - 15 * DAY)
    survey = session.scalar(select(Survey).where(Survey.case_id == case.id))
    assert survey is not None
    expired = client.post(f"/survey/{survey.token}", data={"score": "5"})
    assert expired.status_code == 410
    assert "This survey has closed" in expired.text
    assert client.get(f"/survey/{survey.token}").status_code == 410
    assert surveys_answered(session) == 0


def test_writing_again_within_the_window_reopens_the_resolved_case(session: Session, brand: Brand) -> None:
    case = conversation(session, brand, at=NOW - 5 * DAY)
    resolve(session, case, at=NOW - 3 * DAY)
    assert case.first_contact_resolution is True

    again = write(session, brand, text="The bag came back but the handle is broken", at=NOW)

    assert again.case_id == case.id
    session.refresh(case)
    assert case.status is CaseStatus.OPEN
    assert case.resolved_at is None
    assert (case.reopened, case.first_contact_resolution) == (1, False)
    assert session.scalar(select(func.count()).select_from(Case)) == 1


def test_after_the_window_a_new_case_opens_and_the_window_is_the_brands_choice(
    session: Session, brand: Brand
) -> None:
    old = conversation(session, brand, at=NOW - 12 * DAY)
    resolve(session, old, at=NOW - 10 * DAY)

    later = write(session, brand, text="Now my seat was double booked", at=NOW - DAY)
    assert later.case_id != old.id
    session.refresh(old)
    assert (old.status, old.reopened, old.first_contact_resolution) == (CaseStatus.RESOLVED, 0, True)

    brand.reopen_window_days = 14
    other = conversation(session, brand, at=NOW - 12 * DAY, handle="leo", name="Leo Park")
    resolve(session, other, at=NOW - 10 * DAY)
    back = write(session, brand, text="still no refund", at=NOW, handle="leo", name="Leo Park")
    assert back.case_id == other.id
    session.refresh(other)
    assert (other.status, other.reopened) == (CaseStatus.OPEN, 1)


@pytest.fixture
def colleague(session: Session, brand: Brand) -> User:
    user = accounts.create_user(session, email="ben@skyways.test", name="Ben Baggage", password=PASSWORD)
    accounts.add_membership(session, user=user, brand=brand, role=Role.AGENT)
    session.commit()
    return user


def test_handoffs_and_back_and_forth_are_not_first_contact_resolutions(
    session: Session, brand: Brand, team: Team, agent: User, colleague: User
) -> None:
    actor = Actor(agent)
    passed = conversation(session, brand, at=NOW - 2 * DAY)
    assign_case(session, case=passed, assignee=agent, actor=actor)  # the first owner: no handoff
    assign_case(session, case=passed, assignee=colleague, actor=actor)
    move_case_to_team(session, case=passed, team=team, actor=actor)  # its first team: no handoff
    billing = accounts.create_team(session, brand=brand, slug="billing", name="Billing")
    move_case_to_team(session, case=passed, team=billing, actor=actor)
    resolve(session, passed, at=NOW - DAY)
    assert (passed.handoffs, passed.first_contact_resolution) == (2, False)

    chatty = conversation(session, brand, at=NOW - 2 * DAY, handle="leo", name="Leo Park")
    asked = write(session, brand, text="Which address?", at=NOW - 2 * DAY + timedelta(hours=1), handle="leo")
    write(
        session,
        brand,
        text="The one on your booking",
        at=NOW - 2 * DAY + timedelta(hours=2),
        direction=Direction.OUTBOUND,
        in_reply_to=asked.external_id,
        handle="leo",
    )
    resolve(session, chatty, at=NOW - DAY)
    assert (chatty.handoffs, chatty.first_contact_resolution) == (0, False)

    single = conversation(session, brand, at=NOW - 2 * DAY, handle="ana", name="Ana")
    assign_case(session, case=single, assignee=agent, actor=actor)
    resolve(session, single, at=NOW - DAY)
    assert (single.handoffs, single.reopened, single.first_contact_resolution) == (0, 0, True)


@pytest.mark.parametrize("score", ["²", "٣", "𝟓"], ids=["superscript", "arabic_indic", "math_bold"])
def test_a_score_in_digits_that_are_not_plain_ascii_is_refused_and_nothing_is_recorded(
    client: TestClient, session: Session, brand: Brand, score: str
) -> None:
    # "²".isdigit() is true, yet int("²") fails: the public page must not answer with a 500.
    case = conversation(session, brand, at=NOW - 5 * timedelta(hours=1))
    resolve(session, case, at=NOW - timedelta(hours=1))
    survey = session.scalar(select(Survey).where(Survey.case_id == case.id))
    assert survey is not None

    refused = client.post(f"/survey/{survey.token}", data={"score": score, "comment": "meh"})

    assert refused.status_code == 422
    assert "choose a score from 1 (poor) to 5 (great)" in refused.text
    assert surveys_answered(session) == 0


def test_a_long_comment_counts_line_breaks_as_a_browser_does_and_a_refusal_keeps_what_was_typed(
    client: TestClient, session: Session, brand: Brand, bearer: httpx2.Headers
) -> None:
    """A textarea's maxlength counts a line break once; the form sends it as CRLF. A comment the
    browser let through is taken; one too long comes back with the reason, the score and the words."""
    case = conversation(session, brand, at=NOW - 5 * timedelta(hours=1))
    resolve(session, case, at=NOW - timedelta(hours=1))
    survey = session.scalar(select(Survey).where(Survey.case_id == case.id))
    assert survey is not None
    url = f"/survey/{survey.token}"
    # 2,000 characters as the browser counts them (19 line breaks among them), 2,019 as sent
    lines = ["a" * 99] * 19 + ["a" * 100]
    at_the_limit = "\r\n".join(lines)
    too_long = at_the_limit + "!"

    refused = client.post(url, data={"score": "4", "comment": too_long + "\x00"})
    assert refused.status_code == 422
    assert "Your comment is longer than 2,000 characters" in refused.text
    assert "choose a score" not in refused.text
    assert 'value="4" required checked' in refused.text
    assert ("\n".join(lines) + "!</textarea>") in refused.text
    assert surveys_answered(session) == 0

    no_score = client.post(url, data={"comment": "Quick and kind </textarea><script>x()</script>"})
    assert no_score.status_code == 422
    assert "choose a score from 1 (poor) to 5 (great)" in no_score.text
    assert "Quick and kind &lt;/textarea&gt;&lt;script&gt;x()&lt;/script&gt;</textarea>" in no_score.text
    assert "checked" not in no_score.text

    answered = client.post(url, data={"score": "4", "comment": at_the_limit})
    assert answered.status_code == 200, answered.text
    assert "Your answer has been recorded" in answered.text
    csat = client.get(f"/api/v1/cases/{case.id}", headers=bearer).json()["csat"]
    assert (csat["score"], csat["comment"]) == (4, "\n".join(lines))


def test_a_case_whose_answer_waits_for_pr_is_not_resolved_until_the_customer_has_it(
    client: TestClient, session: Session, session_factory: sessionmaker[Session], brand: Brand
) -> None:
    agent = token_for(session, brand, "ada@skyways.test", Role.AGENT)
    pr = token_for(session, brand, "pia@skyways.test", Role.PR)
    asked = write(session, brand, text="My bag never arrived in Lisbon, flight SK204", at=NOW - DAY)
    case = session.get(Case, asked.case_id)
    assert case is not None
    case.priority = 1  # an urgent case's public answer waits for PR
    session.commit()
    held = client.post(
        f"/api/v1/cases/{case.id}/replies",
        json={"text": "So sorry, a courier brings your bag today", "visibility": "public"},
        headers=agent,
    ).json()
    assert held["status"] == "awaiting_approval"

    refused = client.post(f"/api/v1/cases/{case.id}/status", json={"status": "resolved"}, headers=agent)
    assert refused.status_code == 409
    detail = refused.json()["detail"]
    assert f"reply {held['id']} waits for PR approval" in detail
    assert "approve it" in detail
    assert "or reject it" in detail
    assert (
        client.post(f"/api/v1/cases/{case.id}/status", json={"status": "closed"}, headers=agent).status_code
        == 409
    )
    facts = client.get(f"/api/v1/cases/{case.id}", headers=agent).json()
    assert (facts["status"], facts["survey_url"], facts["first_contact_resolution"]) == ("new", None, None)

    # PR lets it go, it reaches the customer: now the case is solved, at first contact.
    approved = client.post(f"/api/v1/replies/{held['id']}/approve", json={}, headers=pr)
    assert approved.status_code == 200, approved.text
    deliver_due_replies(session_factory)  # no connector sends on the channel: it is to be posted by hand
    unposted = client.post(f"/api/v1/cases/{case.id}/status", json={"status": "resolved"}, headers=agent)
    assert unposted.status_code == 409
    assert f"reply {held['id']} waits to be posted by hand" in unposted.json()["detail"]
    assert "mark it posted, or withdraw it" in unposted.json()["detail"]
    posted = client.post(f"/api/v1/replies/{held['id']}/posted", headers=agent)
    assert posted.status_code == 200, posted.text
    resolved = client.post(f"/api/v1/cases/{case.id}/status", json={"status": "resolved"}, headers=agent)
    assert resolved.status_code == 200, resolved.text
    facts = client.get(f"/api/v1/cases/{case.id}", headers=agent).json()
    assert facts["first_responded_at"] is not None
    assert facts["first_contact_resolution"] is True
    assert facts["survey_url"] is not None


def test_spam_resolves_while_an_answer_to_it_waits_for_pr(
    client: TestClient, session: Session, brand: Brand
) -> None:
    agent = token_for(session, brand, "ada@skyways.test", Role.AGENT)
    asked = write(session, brand, text="Win a free flight, click my link", at=NOW - DAY, handle="promo")
    case = session.get(Case, asked.case_id)
    assert case is not None
    case.priority = 1
    session.commit()
    held = client.post(
        f"/api/v1/cases/{case.id}/replies",
        json={"text": "Please do not post links here", "visibility": "public"},
        headers=agent,
    ).json()
    assert held["status"] == "awaiting_approval"

    spam = client.post(
        f"/api/v1/cases/{case.id}/status", json={"status": "resolved", "resolved_as": "spam"}, headers=agent
    )

    assert spam.status_code == 200, spam.text
    assert (spam.json()["status"], spam.json()["survey_url"]) == ("resolved", None)


def test_a_case_resolved_before_any_answer_reached_the_customer_is_no_first_contact_resolution(
    session: Session, brand: Brand
) -> None:
    asked = write(session, brand, text="My bag never arrived in Lisbon, flight SK204", at=NOW - DAY)
    case = session.get(Case, asked.case_id)
    assert case is not None

    resolve(session, case, at=NOW - timedelta(hours=1))

    assert case.first_responded_at is None
    assert case.first_contact_resolution is False


def test_a_message_written_before_the_resolution_but_imported_after_it_reopens_the_case(
    session: Session, brand: Brand
) -> None:
    case = conversation(session, brand, at=NOW - timedelta(hours=5))
    resolve(session, case, at=NOW - timedelta(minutes=10))

    # written at 10:45, resolved at 10:50, the source delivered it at 11:00
    late = write(session, brand, text="Still no bag, where is it?", at=NOW - timedelta(minutes=15))

    assert late.case_id == case.id
    assert session.scalar(select(func.count()).select_from(Case)) == 1
    session.refresh(case)
    assert (case.status, case.resolved_at, case.reopened) == (CaseStatus.OPEN, None, 1)
    moves = session.scalars(
        select(Event.data)
        .where(Event.subject_id == case.id, Event.kind == "case.status_changed")
        .order_by(Event.occurred_at, Event.id)
    ).all()
    assert [move["to"] for move in moves][-2:] == ["resolved", "open"], "reopened after the resolution"


def test_two_people_resolving_at_once_offer_one_survey_and_neither_fails(
    engine: Engine, session: Session, session_factory: sessionmaker[Session], brand: Brand
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("only PostgreSQL shows when the second writer waits for the first one")
    case = conversation(session, brand, at=NOW - timedelta(hours=5))
    second: dict[str, str | BaseException] = {}

    def offer(resolving: Session) -> str:
        """What resolving the case writes for its survey: one request's share of the race."""
        return offer_survey(
            resolving,
            brand_id=brand.id,
            case_id=case.id,
            subject=case.subject,
            customer_name="Maya K",
            at=NOW,
        ).token

    def the_other_agent() -> None:
        try:
            with session_factory.begin() as other:
                second["token"] = offer(other)
        except BaseException as exc:
            second["error"] = exc

    first = session_factory()
    try:
        token = offer(first)  # not committed yet
        writer = threading.Thread(target=the_other_agent)
        writer.start()
        wait_until_a_backend_waits_for_a_lock(engine, writer)
        first.commit()
    finally:
        first.close()
    writer.join(timeout=60)

    assert "error" not in second, second.get("error")
    assert second["token"] == token, "both resolutions offer the same survey"
    assert session.scalar(select(func.count()).select_from(Survey).where(Survey.case_id == case.id)) == 1


def test_a_reopened_case_s_survey_link_asks_nothing_until_it_is_resolved_again(
    client: TestClient, session: Session, brand: Brand, bearer: httpx2.Headers
) -> None:
    case = conversation(session, brand, at=NOW - 5 * timedelta(hours=1))
    resolve(session, case, at=NOW - timedelta(hours=2))
    survey = session.scalar(select(Survey).where(Survey.case_id == case.id))
    assert survey is not None
    url = f"/survey/{survey.token}"
    set_case_status(session, case=case, status=CaseStatus.OPEN, at=NOW - timedelta(hours=1))
    session.commit()

    assert client.get(f"/api/v1/cases/{case.id}", headers=bearer).json()["survey_url"] is None
    client.cookies.clear()
    shown = client.get(url)
    assert shown.status_code == 409
    assert "We are working on this again, so there is nothing to rate yet" in shown.text
    assert 'name="score"' not in shown.text
    refused = client.post(url, data={"score": "5", "comment": "fixed!"})
    assert refused.status_code == 409
    assert surveys_answered(session) == 0

    resolve(session, case, at=NOW)
    assert client.get(url).status_code == 200
    assert client.post(url, data={"score": "4"}).status_code == 200
    assert surveys_answered(session) == 1
