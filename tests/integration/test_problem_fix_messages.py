"""A problem's "it is fixed" message goes out only while it is true, once per customer, and only past
PR when the case needs PR: reopening stops the drafts, an urgent case holds them, a customer with two
cases hears once, an unlinked case hears nothing."""

from __future__ import annotations

import re
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
from ombuds.incidents import actions as incidents
from ombuds.problems.models import Problem
from ombuds.responses.models import Reply, ReplyStatus
from ombuds.responses.sending import deliver_due_replies
from ombuds.responses.wording.actions import create_talking_point
from tests.integration.test_web_cases import NOW, PASSWORD, add_case, add_mention, sign_in


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
    assert client.post(url + "/drafts/send", headers=desk.agent).json() == {
        "sent": [],
        "held": [],
        "blocked": [],
    }
    one_by_one = client.post(f"/api/v1/replies/{first['id']}/send", headers=desk.agent)
    assert one_by_one.status_code == 409, one_by_one.text
    replies = client.get(f"/api/v1/cases/{desk.case.id}/replies", headers=desk.agent).json()
    assert [(r["status"], "reopened" in r["decision_note"]) for r in replies] == [("withdrawn", True)]
    assert deliver_due_replies(session_factory, now=utcnow()).manual == []
    stopped = session.scalars(
        select(Event.data).where(Event.kind == "reply.withdrawn", Event.subject_id == desk.case.id)
    ).all()
    assert [data["reply_id"] for data in stopped] == [first["id"]]

    # fixed for real this time: one message on the case, and it goes out
    _move(client, desk, url, "fixed")
    (second,) = _drafts(client, desk, desk.case.id)
    assert second["id"] != first["id"]
    sent = client.post(f"/api/v1/replies/{second['id']}/send", headers=desk.agent)
    assert (sent.status_code, sent.json()["status"]) == (200, "queued")
    assert deliver_due_replies(session_factory, now=utcnow()).manual == [second["id"]]


def test_a_fix_message_waiting_to_be_posted_by_hand_is_stopped_when_its_problem_reopens(
    client: TestClient, session_factory: sessionmaker[Session], desk: Desk
) -> None:
    url = _problem(client, desk, [desk.case.id])
    _move(client, desk, url, "fixed")
    (draft,) = _drafts(client, desk, desk.case.id)
    assert client.post(f"/api/v1/replies/{draft['id']}/send", headers=desk.agent).status_code == 200
    # no connector sends on the case's channel: it waits for the agent to post it by hand
    assert deliver_due_replies(session_factory, now=utcnow()).manual == [draft["id"]]

    _move(client, desk, url, "investigating")  # before the agent posted it: Maya must not read it
    (stopped,) = client.get(f"/api/v1/cases/{desk.case.id}/replies", headers=desk.agent).json()
    assert (stopped["status"], "reopened" in stopped["decision_note"]) == ("withdrawn", True)
    late = client.post(f"/api/v1/replies/{draft['id']}/posted", headers=desk.agent)
    assert late.status_code == 409
    assert "withdrawn" in late.json()["detail"]


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
    sent = client.post(url + "/drafts/send", headers=desk.agent).json()
    assert sent == {"sent": [maya["id"]], "held": [], "blocked": []}


def _urgent(client: TestClient, desk: Desk, case_id: int) -> None:
    """A journalist picks the case up: the brand's policy holds public replies on urgent cases for PR."""
    urgent = client.post(
        f"/api/v1/cases/{case_id}/priority", json={"priority": 1, "reason": "journalist"}, headers=desk.agent
    )
    assert urgent.status_code == 200, urgent.text


def _csrf(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found
    return found.group(1)


def _flashes(page: str) -> list[tuple[str, str]]:
    return re.findall(r'<div class="flash flash-(\w+)"[^>]*>(.*?)</div>', page, re.S)


def _status(session: Session, reply_id: int) -> ReplyStatus:
    return session.scalars(select(Reply.status).where(Reply.id == reply_id)).one()


def _refund_case(session: Session, brand: Brand, handle: str) -> Case:
    case = add_case(session, brand=brand, subject="Refund", handle=handle, opened_hours_ago=2, priority=3)
    add_mention(session, case=case, text="Where is my refund?", at=case.opened_at)
    return case


def test_a_fix_message_that_waits_for_pr_says_so_with_its_rule_on_the_case_and_the_problem_page(
    client: TestClient, session: Session, brand: Brand, desk: Desk
) -> None:
    bo = _refund_case(session, brand, "bo")
    session.commit()
    url = _problem(client, desk, [desk.case.id, bo.id])
    problem_page = url.removeprefix("/api/v1")
    _move(client, desk, url, "fixed")
    ((maya_draft,), (bo_draft,)) = _drafts(client, desk, desk.case.id), _drafts(client, desk, bo.id)
    _urgent(client, desk, desk.case.id)
    _urgent(client, desk, bo.id)
    sign_in(client, "ada@skyways.test")

    # one by one, from the case page
    case_page = client.get(f"/cases/{desk.case.id}").text
    sent = client.post(
        f"/cases/{desk.case.id}/replies/{maya_draft['id']}/send", data={"csrf_token": _csrf(case_page)}
    )
    assert sent.status_code == 303
    assert _flashes(client.get(sent.headers["location"]).text) == [
        (
            "warning",
            "Public reply waits for PR approval: the case is urgent (priority 1). "
            "It goes out once approved; the outcome shows here.",
        )
    ]

    # all at once, from the problem page
    page = client.get(problem_page).text
    bulk = client.post(f"{problem_page}/drafts/send", data={"csrf_token": _csrf(page)})
    assert bulk.status_code == 303
    page = client.get(bulk.headers["location"]).text
    assert _flashes(page) == [
        ("warning", "1 fix message waits for PR approval: the case is urgent (priority 1).")
    ]
    held = re.findall(r'data-testid="notice-held-because">(.*?)<', page)
    assert held == ["the case is urgent (priority 1)"] * 2
    assert [_status(session, d["id"]) for d in (maya_draft, bo_draft)] == [ReplyStatus.AWAITING_APPROVAL] * 2


@dataclass(frozen=True)
class Storm:
    """After the fix, three customers' drafts: Maya's may go, Bo's case joined a storm whose
    holding statement says otherwise, Cy's case became urgent."""

    url: str
    drafts: dict[str, int]
    cases: dict[str, int]


@pytest.fixture
def storm(client: TestClient, session: Session, brand: Brand, desk: Desk) -> Storm:
    bo, cy = _refund_case(session, brand, "bo"), _refund_case(session, brand, "cy")
    session.commit()
    created = client.post(
        "/api/v1/problems",
        json={
            "title": "Refund job stuck",
            "owner_team_id": desk.team.id,
            "case_ids": [desk.case.id, bo.id, cy.id],
            "fix_message": "Thanks for your patience, {customer_name}: the refund job runs again, "
            "and your refund reaches you within 5 days. Sorry for the wait.",
        },
        headers=desk.pr,
    )
    assert created.status_code == 201, created.text
    url = f"/api/v1/problems/{created.json()['id']}"
    _move(client, desk, url, "fixed")
    drafts = {
        name: _drafts(client, desk, case_id)[0]["id"]
        for name, case_id in (("maya", desk.case.id), ("bo", bo.id), ("cy", cy.id))
    }

    pia = session.scalars(select(User).where(User.email == "pia@skyways.test")).one()
    incident = incidents.open_incident(
        session, brand_id=brand.id, title="Refunds slow", actor_id=pia.id, now=NOW
    )
    incidents.link_case(
        session, incident=incident, case_id=bo.id, case_brand_id=brand.id, actor_id=None, now=NOW
    )
    create_talking_point(
        session,
        brand_id=brand.id,
        title="Refund delays",
        text="Refunds are slow this week: a refund takes 14 days to reach you.",
        actor_id=pia.id,
        now=NOW,
        incident_id=incident.id,
    )
    session.commit()
    _urgent(client, desk, cy.id)
    return Storm(url=url, drafts=drafts, cases={"maya": desk.case.id, "bo": bo.id, "cy": cy.id})


def test_sending_the_drafted_fix_messages_sends_the_others_when_one_is_now_blocked(
    client: TestClient, session: Session, session_factory: sessionmaker[Session], desk: Desk, storm: Storm
) -> None:
    answer = client.post(storm.url + "/drafts/send", headers=desk.agent)

    assert answer.status_code == 200, answer.text
    told = answer.json()
    assert (told["sent"], told["held"]) == ([storm.drafts["maya"]], [storm.drafts["cy"]])
    (blocked,) = told["blocked"]
    assert (blocked["reply_id"], blocked["case_id"]) == (storm.drafts["bo"], storm.cases["bo"])
    assert 'says "5 days" where the talking point "Refund delays"' in blocked["reason"]
    # Bo's stays a draft on his case, for his agent to answer by hand
    assert [d["status"] for d in _drafts(client, desk, storm.cases["bo"])] == ["draft"]
    assert deliver_due_replies(session_factory, now=utcnow()).manual == [storm.drafts["maya"]]


def test_the_problem_page_says_how_many_fix_messages_went_which_wait_and_which_were_blocked(
    client: TestClient, session: Session, desk: Desk, storm: Storm
) -> None:
    sign_in(client, "ada@skyways.test")
    problem_page = storm.url.removeprefix("/api/v1")
    page = client.get(problem_page).text
    assert "Send the 3 drafted fix messages" in page

    bulk = client.post(f"{problem_page}/drafts/send", data={"csrf_token": _csrf(page)})

    assert bulk.status_code == 303
    flashes = _flashes(client.get(bulk.headers["location"]).text)
    assert flashes[:2] == [
        ("success", "1 fix message queued: it goes out shortly."),
        ("warning", "1 fix message waits for PR approval: the case is urgent (priority 1)."),
    ]
    level, blocked = flashes[2]
    assert level == "error"
    assert blocked.startswith(f"1 fix message not sent, still a draft on its case: #{storm.cases['bo']}: ")
    assert "the talking point &#34;Refund delays&#34;" in blocked
    statuses = {name: _status(session, reply_id) for name, reply_id in storm.drafts.items()}
    assert statuses == {
        "maya": ReplyStatus.QUEUED,
        "bo": ReplyStatus.DRAFT,
        "cy": ReplyStatus.AWAITING_APPROVAL,
    }
