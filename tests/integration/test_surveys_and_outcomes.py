"""Closing the loop with the customer: a survey when the case is resolved, answered once, and the
facts outcome metrics are computed from (first-contact resolution, handoffs, reopens).

A customer who writes again soon after their case was resolved reopens it instead of starting over.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import httpx2
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ombuds.accounts import actions as accounts
from ombuds.accounts.models import Brand, Role, Team, User
from ombuds.cases.actions import set_case_status, thread_mentions
from ombuds.cases.lifecycle import Actor, assign_case, move_case_to_team
from ombuds.cases.models import Case, CaseStatus
from ombuds.clock import utcnow
from ombuds.events import Event
from ombuds.mentions.models import Direction, Mention, Source, Stage
from ombuds.surveys.models import Survey
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
