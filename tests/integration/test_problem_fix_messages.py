"""A problem's "it is fixed" message goes out only while it is true, once per customer, and only past
PR when the case needs PR: reopening stops the drafts, an urgent case holds them, a customer with two
cases hears once, an unlinked case hears nothing."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ombuds.accounts import actions as accounts
from ombuds.accounts.models import Brand, Role, Team, User
from ombuds.cases.models import Case
from ombuds.clock import utcnow
from ombuds.events import Event
from ombuds.problems.models import Problem
from ombuds.responses.sending import deliver_due_replies
from tests.integration.test_web_cases import PASSWORD, add_case, add_mention


def _member(session: Session, brand: Brand, email: str, role: Role) -> User:
    user = accounts.create_user(session, email=email, name=email.split("@")[0].title(), password=PASSWORD)
    accounts.add_membership(session, user=user, brand=brand, role=role)
    return user


def _bearer(session: Session, brand: Brand, user: User) -> dict[str, str]:
    _, token = accounts.create_api_token(session, brand=brand, name=user.email, user=user)
    return {"Authorization": f"Bearer {token}"}


@dataclass(frozen=True)
class Desk:
    team: Team
    case: Case
    pr: dict[str, str]
    agent: dict[str, str]


@pytest.fixture
def desk(session: Session, brand: Brand, team: Team) -> Desk:
    """PR, an agent, and Maya's refund case (priority 3, she wrote in public)."""
    pr = _member(session, brand, "pia@skyways.test", Role.PR)
    agent = _member(session, brand, "ada@skyways.test", Role.AGENT)
    case = add_case(session, brand=brand, subject="Refund", handle="maya", opened_hours_ago=2, priority=3)
    add_mention(session, case=case, text="Where is my refund?", at=case.opened_at)
    headers = _bearer(session, brand, pr), _bearer(session, brand, agent)
    session.commit()
    return Desk(team=team, case=case, pr=headers[0], agent=headers[1])


def _problem(client: TestClient, desk: Desk, case_ids: list[int]) -> str:
    created = client.post(
        "/api/v1/problems",
        json={"title": "Refund job stuck", "owner_team_id": desk.team.id, "case_ids": case_ids},
        headers=desk.pr,
    )
    assert created.status_code == 201, created.text
    return f"/api/v1/problems/{created.json()['id']}"


def _move(client: TestClient, desk: Desk, url: str, status: str) -> None:
    moved = client.post(url + "/status", json={"status": status}, headers=desk.pr)
    assert moved.status_code == 200, moved.text


def _drafts(client: TestClient, desk: Desk, case_id: int) -> list[dict[str, object]]:
    drafts: list[dict[str, object]] = client.get(f"/api/v1/cases/{case_id}", headers=desk.agent).json()[
        "drafts"
    ]
    return drafts


def test_a_reopened_problem_stops_its_fix_message_and_a_second_fix_tells_the_customer_once(
    client: TestClient, session: Session, session_factory: sessionmaker[Session], desk: Desk
) -> None:
    url = _problem(client, desk, [desk.case.id])
    _move(client, desk, url, "fixed")
    (first,) = _drafts(client, desk, desk.case.id)

    # the fix did not work: "it has now been fixed" must not reach Maya
    _move(client, desk, url, "investigating")
    assert _drafts(client, desk, desk.case.id) == []
    assert client.post(url + "/drafts/send", headers=desk.agent).json() == {"sent": []}
    one_by_one = client.post(f"/api/v1/replies/{first['id']}/send", headers=desk.agent)
    assert one_by_one.status_code == 409, one_by_one.text
    replies = client.get(f"/api/v1/cases/{desk.case.id}/replies", headers=desk.agent).json()
    assert [(r["status"], "reopened" in r["decision_note"]) for r in replies] == [("rejected", True)]
    assert deliver_due_replies(session_factory, now=utcnow()).manual == []
    stopped = session.scalars(
        select(Event.data).where(Event.kind == "reply.rejected", Event.subject_id == desk.case.id)
    ).all()
    assert [data["reply_id"] for data in stopped] == [first["id"]]

    # fixed for real this time: one message on the case, and it goes out
    _move(client, desk, url, "fixed")
    (second,) = _drafts(client, desk, desk.case.id)
    assert second["id"] != first["id"]
    sent = client.post(f"/api/v1/replies/{second['id']}/send", headers=desk.agent)
    assert (sent.status_code, sent.json()["status"]) == (200, "queued")
    assert deliver_due_replies(session_factory, now=utcnow()).manual == [second["id"]]


def test_a_fix_message_left_as_a_draft_is_not_sent_while_its_problem_is_open(
    client: TestClient, session: Session, desk: Desk
) -> None:
    """A draft written before drafts were stopped on reopening (or in a race with it) is refused."""
    url = _problem(client, desk, [desk.case.id])
    _move(client, desk, url, "fixed")
    (draft,) = _drafts(client, desk, desk.case.id)
    problem = session.get(Problem, int(url.rsplit("/", 1)[1]))
    assert problem is not None
    problem.status = problem.status.INVESTIGATING  # as a desk that reopened it before this release
    session.commit()

    refused = client.post(f"/api/v1/replies/{draft['id']}/send", headers=desk.agent)
    assert refused.status_code == 409
    assert "is fixed, but the problem is investigating" in refused.json()["detail"]
    assert _drafts(client, desk, desk.case.id) == [draft]  # still a draft, for when it is fixed


def test_a_fix_message_on_a_case_that_became_urgent_waits_for_pr(
    client: TestClient, session: Session, session_factory: sessionmaker[Session], desk: Desk
) -> None:
    url = _problem(client, desk, [desk.case.id])
    _move(client, desk, url, "fixed")
    (draft,) = _drafts(client, desk, desk.case.id)
    assert draft["status"] == "draft"
    # a journalist picks it up: the brand's policy holds public replies on urgent cases for PR
    urgent = client.post(
        f"/api/v1/cases/{desk.case.id}/priority",
        json={"priority": 1, "reason": "journalist"},
        headers=desk.agent,
    )
    assert urgent.status_code == 200, urgent.text

    sent = client.post(f"/api/v1/replies/{draft['id']}/send", headers=desk.agent)
    assert sent.status_code == 200, sent.text
    assert (sent.json()["status"], sent.json()["needs_approval"]) == (
        "awaiting_approval",
        "the case is urgent (priority 1)",
    )
    assert deliver_due_replies(session_factory, now=utcnow()).manual == []
    held = session.scalars(
        select(Event.data).where(Event.kind == "reply.awaiting_approval", Event.subject_id == desk.case.id)
    ).all()
    assert [data["reply_id"] for data in held] == [draft["id"]]  # the case's timeline says why it waits
    approved = client.post(f"/api/v1/replies/{draft['id']}/approve", json={"note": "fine"}, headers=desk.pr)
    assert approved.json()["status"] == "queued"


def test_a_customer_with_two_linked_cases_is_told_once_and_an_unlinked_case_not_at_all(
    client: TestClient, session: Session, brand: Brand, desk: Desk
) -> None:
    # Maya wrote again a day later, on a newer case of hers; Bo has a case of his own
    newer = add_case(session, brand=brand, subject="Refund?", handle="maya2", opened_hours_ago=1, priority=3)
    newer.customer_id = desk.case.customer_id
    add_mention(session, case=newer, text="Still waiting for my refund", at=newer.opened_at)
    bo = add_case(session, brand=brand, subject="Refund", handle="bo", opened_hours_ago=2, priority=3)
    add_mention(session, case=bo, text="Where is my refund?", at=bo.opened_at)
    session.commit()
    url = _problem(client, desk, [desk.case.id, newer.id, bo.id])

    _move(client, desk, url, "fixed")
    assert [len(_drafts(client, desk, c)) for c in (desk.case.id, newer.id, bo.id)] == [0, 1, 1]
    assert client.get(url, headers=desk.pr).json()["customers_to_tell"] == 2

    # Bo's case turns out to be something else: the fix message is not his to receive
    unlinked = client.delete(f"{url}/cases/{bo.id}", headers=desk.agent)
    assert unlinked.status_code == 200, unlinked.text
    assert _drafts(client, desk, bo.id) == []
    (maya,) = _drafts(client, desk, newer.id)
    assert client.post(url + "/drafts/send", headers=desk.agent).json() == {"sent": [maya["id"]]}
