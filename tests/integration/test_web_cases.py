"""Agents read their brand's cases (inbox, case page, JSON API) and never another brand's."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

import httpx2
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from ombuds.accounts import actions
from ombuds.accounts.models import Brand, Role, Team, User
from ombuds.cases.models import Case, CaseStatus, Customer, Identity, Priority
from ombuds.cases.pages import PAGE_SIZE
from ombuds.cases.reach import refresh_reach
from ombuds.clock import utcnow
from ombuds.enrichment.models import Enrichment
from ombuds.mentions.models import Direction, Mention, Source

PASSWORD = "correct horse"
NOW = utcnow()


# --- rows, as the pipeline would have left them -----------------------------------------------------


def add_case(
    session: Session,
    *,
    brand: Brand,
    subject: str,
    handle: str,
    opened_hours_ago: float,
    priority: int = Priority.NORMAL,
    status: CaseStatus = CaseStatus.NEW,
    team: Team | None = None,
    followers: int | None = 120,
) -> Case:
    customer = Customer(brand_id=brand.id, display_name=handle.title())
    session.add(customer)
    session.flush()
    session.add(
        Identity(brand_id=brand.id, customer_id=customer.id, channel="x", handle=handle, followers=followers)
    )
    opened_at = NOW - timedelta(hours=opened_hours_ago)
    case = Case(
        brand_id=brand.id,
        customer_id=customer.id,
        subject=subject,
        channel="x",
        status=status,
        priority=priority,
        team_id=team.id if team else None,
        opened_at=opened_at,
        last_activity_at=opened_at,
        first_response_due_at=opened_at + timedelta(hours=1),
    )
    session.add(case)
    session.flush()
    refresh_reach(session, customer_ids=[customer.id])
    return case


def add_mention(
    session: Session,
    *,
    case: Case,
    text: str,
    at: datetime,
    direction: Direction = Direction.INBOUND,
    findings: dict[str, dict[str, Any]] | None = None,
) -> Mention:
    source = session.query(Source).filter_by(brand_id=case.brand_id, name="test feed").one_or_none()
    if source is None:
        source = Source(brand_id=case.brand_id, kind="test", name="test feed")
        session.add(source)
        session.flush()
    handle = "skyways" if direction is Direction.OUTBOUND else f"customer{case.customer_id}"
    mention = Mention(
        brand_id=case.brand_id,
        source_id=source.id,
        external_id=f"m-{case.id}-{at.timestamp()}",
        channel=case.channel,
        direction=direction,
        author_handle=handle,
        author_name=handle.title(),
        author_followers=120,
        text=text,
        created_at=at,
        raw=text.encode(),
        raw_format="text",
        customer_id=case.customer_id,
        case_id=case.id,
    )
    session.add(mention)
    session.flush()
    for analyzer, finding in (findings or {}).items():
        session.add(
            Enrichment(
                brand_id=case.brand_id,
                mention_id=mention.id,
                analyzer=analyzer,
                model_version=f"{analyzer}-test-1",
                label=finding.get("label"),
                score=finding.get("score"),
                data=finding.get("data", {}),
            )
        )
    session.flush()
    return mention


@pytest.fixture
def rival(session: Session) -> Brand:
    """Another tenant on the same installation."""
    brand = actions.create_brand(session, slug="rival-air", name="Rival Air")
    session.commit()
    return brand


def sign_in(client: TestClient, email: str) -> None:
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token
    answer = client.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": token.group(1)})
    assert answer.status_code == 303, answer.text


def row_ids(page: httpx2.Response) -> list[int]:
    return [int(found) for found in re.findall(r'data-testid="case-row" data-case-id="(\d+)"', page.text)]


# --- the inbox --------------------------------------------------------------------------------------


def test_inbox_puts_urgent_cases_first_then_the_longest_waiting(
    client: TestClient, session: Session, brand: Brand, team: Team, agent: User, rival: Brand
) -> None:
    old_normal = add_case(session, brand=brand, subject="Lost bag", handle="ann", opened_hours_ago=30)
    new_urgent = add_case(
        session, brand=brand, subject="Stuck on tarmac", handle="bo", opened_hours_ago=1, priority=1
    )
    old_urgent = add_case(
        session, brand=brand, subject="Wheelchair missing", handle="cy", opened_hours_ago=5, priority=1
    )
    pending_low = add_case(
        session,
        brand=brand,
        subject="Menu idea",
        handle="di",
        opened_hours_ago=50,
        priority=4,
        status=CaseStatus.PENDING,
        team=team,
    )
    add_case(
        session,
        brand=brand,
        subject="Refund done",
        handle="ed",
        opened_hours_ago=90,
        status=CaseStatus.RESOLVED,
    )
    add_case(session, brand=rival, subject="Rival complaint", handle="fi", opened_hours_ago=99, priority=1)
    session.commit()
    sign_in(client, agent.email)

    page = client.get("/inbox")

    assert page.status_code == 200
    assert row_ids(page) == [old_urgent.id, new_urgent.id, old_normal.id, pending_low.id]
    assert f'href="/cases/{old_urgent.id}"' in page.text
    assert "Refund done" not in page.text
    assert "Rival complaint" not in page.text
    assert "Urgent" in page.text
    assert "overdue" in page.text  # first responses were due an hour after opening


def test_inbox_shows_the_mood_of_each_customers_latest_message(
    client: TestClient, session: Session, brand: Brand, agent: User
) -> None:
    soured = add_case(session, brand=brand, subject="Delayed flight", handle="gus", opened_hours_ago=6)
    add_mention(
        session,
        case=soured,
        text="Any news?",
        at=NOW - timedelta(hours=6),
        findings={"sentiment": {"label": "neutral", "score": 0.55}},
    )
    add_mention(
        session,
        case=soured,
        text="We will look into it",
        at=NOW - timedelta(hours=4),
        direction=Direction.OUTBOUND,
        findings={"sentiment": {"label": "positive", "score": 0.9}},
    )
    add_mention(
        session,
        case=soured,
        text="Still nothing. Awful.",
        at=NOW - timedelta(hours=2),
        findings={"sentiment": {"label": "negative", "score": 0.93}},
    )
    quiet = add_case(session, brand=brand, subject="Seat question", handle="hal", opened_hours_ago=3)
    add_mention(session, case=quiet, text="Can I pick a seat?", at=NOW - timedelta(hours=3))
    session.commit()
    sign_in(client, agent.email)

    page = client.get("/inbox")

    rows = dict(zip(row_ids(page), page.text.split('data-testid="case-row"')[1:], strict=True))
    assert "sentiment-negative" in rows[soured.id]
    assert "0.93" in rows[soured.id]
    assert "3 messages" in rows[soured.id]
    assert "sentiment" not in rows[quiet.id]
    assert "Care" not in rows[quiet.id]
    assert "No team" in rows[quiet.id]


def test_inbox_filters_by_status_and_team(
    client: TestClient, session: Session, brand: Brand, team: Team, agent: User
) -> None:
    mine = add_case(
        session,
        brand=brand,
        subject="Care case",
        handle="ida",
        opened_hours_ago=3,
        team=team,
        status=CaseStatus.OPEN,
    )
    other = add_case(session, brand=brand, subject="Unrouted", handle="jo", opened_hours_ago=4)
    session.commit()
    sign_in(client, agent.email)

    assert row_ids(client.get("/inbox?status=open")) == [mine.id]
    assert row_ids(client.get(f"/inbox?team={team.id}")) == [mine.id]
    assert row_ids(client.get("/inbox?team=none")) == [other.id]
    assert row_ids(client.get("/inbox?status=bogus&team=bogus")) == [other.id, mine.id]
    empty = client.get("/inbox?status=pending")
    assert row_ids(empty) == []
    assert "No cases match these filters" in empty.text
    unfound = client.get("/inbox?q=zzzzqqq")
    assert row_ids(unfound) == []
    assert "No open case matches “zzzzqqq”" in unfound.text, "a search that finds nothing is not inbox zero"
    assert "Inbox zero" not in unfound.text
    assert "No cases match these filters" in client.get("/inbox?priority=1").text


def test_an_empty_inbox_says_what_to_do(client: TestClient, agent: User) -> None:
    sign_in(client, agent.email)
    page = client.get("/inbox")
    assert "Inbox zero" in page.text
    assert "ombuds import FILE --brand skyways" in page.text


def test_a_long_inbox_comes_in_pages(client: TestClient, session: Session, brand: Brand, agent: User) -> None:
    cases = [
        add_case(session, brand=brand, subject=f"Case {n}", handle=f"user{n}", opened_hours_ago=100 - n)
        for n in range(PAGE_SIZE + 1)
    ]
    session.commit()
    sign_in(client, agent.email)

    first = client.get("/inbox")
    second = client.get("/inbox?page=2")

    assert row_ids(first) == [case.id for case in cases[:PAGE_SIZE]]
    assert row_ids(second) == [cases[-1].id]
    assert f"1–{PAGE_SIZE} of {PAGE_SIZE + 1}" in first.text
    assert 'href="?page=2"' in first.text


def test_a_user_without_a_brand_is_told_how_to_get_one(client: TestClient, session: Session) -> None:
    actions.create_user(session, email="new@skyways.test", name="New Hire", password=PASSWORD)
    session.commit()
    sign_in(client, "new@skyways.test")

    page = client.get("/inbox")

    assert page.status_code == 200
    assert "You do not belong to a brand yet" in page.text
    assert client.get("/api/v1/cases").status_code == 404


def test_htmx_refresh_gets_only_the_list(
    client: TestClient, session: Session, brand: Brand, agent: User
) -> None:
    case = add_case(session, brand=brand, subject="Refresh me", handle="kim", opened_hours_ago=1)
    session.commit()
    sign_in(client, agent.email)

    part = client.get("/inbox", headers={"HX-Request": "true", "HX-Target": "inbox-list"})

    assert row_ids(part) == [case.id]
    assert part.text.lstrip().startswith('<div id="inbox-list"')
    assert "<html" not in part.text


# --- the case page ----------------------------------------------------------------------------------


def test_case_page_shows_the_customer_and_their_messages_in_time_order(
    client: TestClient, session: Session, brand: Brand, agent: User
) -> None:
    case = add_case(
        session, brand=brand, subject="Bag lost on LK204", handle="lena", opened_hours_ago=8, followers=48_200
    )
    # Stored out of order on purpose: the page orders by when they were written.
    add_mention(
        session,
        case=case,
        text="Third: any update?",
        at=NOW - timedelta(hours=1),
        findings={
            "sentiment": {"label": "negative", "score": 0.88},
            "signals": {"label": "churn_risk", "data": {"evidence": ["switching airlines"]}},
            "embedding": {"data": {"vector": [0.01] * 64}},
        },
    )
    first = add_mention(
        session,
        case=case,
        text="First: my bag never arrived",
        at=NOW - timedelta(hours=8),
        findings={"intent": {"label": "complaint", "score": 0.97}},
    )
    first.author_bio = "Travel writer at the Courier. Views my own."
    add_mention(
        session,
        case=case,
        text="Second: we are on it",
        at=NOW - timedelta(hours=4),
        direction=Direction.OUTBOUND,
    )
    session.commit()
    sign_in(client, agent.email)

    page = client.get(f"/cases/{case.id}")

    assert page.status_code == 200
    assert "<h1>Bag lost on LK204</h1>" in page.text
    mentions = page.text.split('data-testid="mention"')[1:]
    assert [re.search(r"(First|Second|Third):", m).group(1) for m in mentions] == ["First", "Second", "Third"]
    assert "Complaint" in mentions[0]
    assert "0.97" in mentions[0]
    assert "our reply" in mentions[1]
    assert "sentiment-negative" in mentions[2]
    assert "<q>switching airlines</q>" in mentions[2]
    assert "64 values" not in mentions[2], "the sentence vector is the machine's: no detail for people"
    assert "Lena" in page.text
    assert "48.2k" in page.text
    assert re.search(r'data-testid="customer-bio">Travel writer at the Courier', page.text), (
        "who the customer is"
    )


def test_an_unknown_case_gets_a_404_page(client: TestClient, agent: User) -> None:
    sign_in(client, agent.email)
    page = client.get("/cases/999999")
    assert page.status_code == 404
    assert "text/html" in page.headers["content-type"]


# --- tenancy ----------------------------------------------------------------------------------------


def test_a_user_of_one_brand_gets_404_for_another_brands_case(
    client: TestClient, session: Session, brand: Brand, agent: User, rival: Brand
) -> None:
    theirs = add_case(session, brand=rival, subject="Rival secret", handle="max", opened_hours_ago=2)
    add_mention(session, case=theirs, text="private rival text", at=NOW - timedelta(hours=2))
    ours = add_case(session, brand=brand, subject="Our case", handle="ned", opened_hours_ago=2)
    session.commit()
    sign_in(client, agent.email)

    for path in (f"/cases/{theirs.id}", f"/api/v1/cases/{theirs.id}"):
        answer = client.get(path)
        assert answer.status_code == 404, path
        assert "Rival secret" not in answer.text
        assert "private rival text" not in answer.text
    assert client.get(f"/api/v1/cases/{ours.id}").status_code == 200
    assert client.get("/api/v1/cases?brand=rival-air").status_code == 404
    assert [item["id"] for item in client.get("/api/v1/cases").json()["items"]] == [ours.id]


def test_a_user_of_two_brands_switches_between_them(
    client: TestClient, session: Session, brand: Brand, agent: User, rival: Brand
) -> None:
    actions.add_membership(session, user=agent, brand=rival, role=Role.MANAGER)
    ours = add_case(session, brand=brand, subject="Skyways case", handle="ola", opened_hours_ago=2)
    theirs = add_case(session, brand=rival, subject="Rival case", handle="pia", opened_hours_ago=2)
    outsider = actions.create_brand(session, slug="outsider", name="Outsider")
    session.commit()
    sign_in(client, agent.email)

    first = client.get("/inbox")
    assert row_ids(first) == [theirs.id]  # before any choice: the first brand by name, Rival Air
    assert 'name="brand_id"' in first.text
    token = re.search(r'name="csrf_token" value="([^"]+)"', first.text)
    assert token

    switched = client.post("/brand", data={"brand_id": str(brand.id), "csrf_token": token.group(1)})
    assert switched.status_code == 303
    page = client.get("/inbox")
    assert row_ids(page) == [ours.id]
    assert "Now working in Skyways." in page.text
    assert row_ids(client.get("/inbox")) == [ours.id]  # the choice is remembered
    # Both brands' cases stay readable by address; the switch only chooses the inbox.
    assert client.get(f"/cases/{theirs.id}").status_code == 200

    refused = client.post("/brand", data={"brand_id": str(outsider.id), "csrf_token": token.group(1)})
    assert refused.status_code == 303
    assert "You do not belong to that brand." in client.get("/inbox").text
    assert row_ids(client.get("/inbox")) == [ours.id]
    assert client.post("/brand", data={"brand_id": str(rival.id)}).status_code == 403


# --- the JSON API with tokens -----------------------------------------------------------------------


def test_an_api_token_reads_only_its_brands_cases(
    client: TestClient, session: Session, brand: Brand, rival: Brand
) -> None:
    ours = add_case(
        session, brand=brand, subject="Token case", handle="quinn", opened_hours_ago=3, priority=2
    )
    add_mention(
        session,
        case=ours,
        text="Hello?",
        at=NOW - timedelta(hours=3),
        findings={"sentiment": {"label": "negative", "score": 0.7}},
    )
    theirs = add_case(session, brand=rival, subject="Not yours", handle="rob", opened_hours_ago=3)
    _, token = actions.create_api_token(session, brand=brand, name="dashboard")
    session.commit()
    auth = {"Authorization": f"Bearer {token}"}

    listed = client.get("/api/v1/cases", headers=auth)
    assert listed.status_code == 200
    body = listed.json()
    assert body["brand"] == "skyways"
    assert body["total"] == 1
    item = body["items"][0]
    assert item["id"] == ours.id
    assert item["priority"] == 2
    assert item["priority_label"] == "high"
    assert item["latest_mention"]["sentiment"]["label"] == "negative"
    assert item["sla_due_at"] is not None

    detail = client.get(f"/api/v1/cases/{ours.id}", headers=auth).json()
    assert [m["text"] for m in detail["mentions"]] == ["Hello?"]
    assert detail["customer"]["identities"][0]["handle"] == "quinn"

    assert client.get(f"/api/v1/cases/{theirs.id}", headers=auth).status_code == 404
    assert client.get("/api/v1/cases?brand=rival-air", headers=auth).status_code == 404
    assert client.get("/api/v1/cases?status=resolved", headers=auth).status_code == 422
    bad = client.get("/api/v1/cases", headers={"Authorization": "Bearer omb_not-a-token"})
    assert bad.status_code == 401
    assert bad.json()["detail"] == "unknown or revoked API token"
