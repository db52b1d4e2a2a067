"""Agents work cases: take one, note what they did, resolve it; everyone sees who did what and when.

Viewers read but do not change; another brand's people do not even see the case.
"""

from __future__ import annotations

import re
from datetime import timedelta

import httpx2
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from ombuds.accounts import actions
from ombuds.accounts.models import Brand, Role, Team, User
from ombuds.cases.models import Case, CaseStatus, Priority
from ombuds.events import Event, record_event
from tests.integration.test_web_cases import NOW, PASSWORD, add_case, add_mention, row_ids, sign_in


def member(session: Session, brand: Brand, *, email: str, name: str, role: Role) -> User:
    user = actions.create_user(session, email=email, name=name, password=PASSWORD)
    actions.add_membership(session, user=user, brand=brand, role=role)
    session.commit()
    return user


@pytest.fixture
def viewer(session: Session, brand: Brand) -> User:
    return member(session, brand, email="vic@skyways.test", name="Vic Viewer", role=Role.VIEWER)


@pytest.fixture
def colleague(session: Session, brand: Brand) -> User:
    return member(session, brand, email="ben@skyways.test", name="Ben Baggage", role=Role.AGENT)


@pytest.fixture
def lost_bag(session: Session, brand: Brand, team: Team) -> Case:
    case = add_case(
        session, brand=brand, subject="Bag lost on SK204", handle="maya", opened_hours_ago=5, team=team
    )
    first = add_mention(
        session, case=case, text="My bag never arrived in Lisbon. Flight SK204.", at=NOW - timedelta(hours=5)
    )
    # What the pipeline records when it opens and routes a case: events without a person.
    for kind, data in (
        ("case.opened", {"mention_id": first.id}),
        ("case.routed", {"priority": 3, "team_id": team.id, "reasons": ["complaint or question"]}),
    ):
        record_event(
            session,
            brand_id=brand.id,
            kind=kind,
            subject_type="case",
            subject_id=case.id,
            data=data,
            occurred_at=first.created_at,
        )
    session.commit()
    return case


def csrf_of(page: httpx2.Response) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


def post_form(client: TestClient, path: str, token: str, **fields: str) -> httpx2.Response:
    return client.post(path, data={"csrf_token": token, **fields})


def case_events(session: Session, case: Case) -> list[Event]:
    """The case's events since the pipeline opened and routed it."""
    session.expire_all()
    return list(
        session.scalars(
            select(Event)
            .where(
                Event.subject_type == "case",
                Event.subject_id == case.id,
                Event.kind.not_in(["case.opened", "case.routed"]),
            )
            .order_by(Event.occurred_at, Event.id)
        )
    )


def fresh(session: Session, case: Case) -> Case:
    session.expire_all()
    found = session.get(Case, case.id)
    assert found is not None
    return found


# --- the everyday story ------------------------------------------------------------------------------


def test_an_agent_takes_the_case_notes_what_they_did_and_resolves_it(
    client: TestClient, session: Session, agent: User, colleague: User, lost_bag: Case
) -> None:
    sign_in(client, agent.email)
    page = client.get(f"/cases/{lost_bag.id}")
    assert page.status_code == 200
    assert 'data-testid="work-panel"' in page.text
    assert "Ben Baggage" in page.text  # a colleague the case can be given to
    token = csrf_of(page)

    taken = post_form(client, f"/cases/{lost_bag.id}/assignee", token, assignee="me")
    noted = post_form(
        client, f"/cases/{lost_bag.id}/notes", token, note="Bag traced to Madrid, on tonight's SK211."
    )
    resolved = post_form(
        client, f"/cases/{lost_bag.id}/status", token, status="resolved", note="Delivered to her hotel."
    )

    for answer in (taken, noted, resolved):
        assert answer.status_code == 303, answer.text
        assert answer.headers["location"].startswith(f"/cases/{lost_bag.id}")
    case = fresh(session, lost_bag)
    assert case.assignee_id == agent.id
    assert case.status is CaseStatus.RESOLVED
    assert case.resolved_at is not None
    assert case.resolved_at >= NOW

    # Everyone can read who did what, in the order it happened, with the messages.
    page = client.get(f"/cases/{lost_bag.id}")
    assert "Status is now resolved." in page.text  # the flash from the last change, shown once
    history = page.text[page.text.index('aria-label="Messages and history"') :]
    order = [
        history.index("My bag never arrived"),
        history.index("Case opened"),
        history.index("Routed to Care · Normal priority"),
        history.index("Why: complaint or question"),
        history.index("Assigned to Ada Agent"),
        history.index("Bag traced to Madrid, on tonight&#39;s SK211."),
        history.index("Status New → Resolved"),
        history.index("Delivered to her hotel."),
    ]
    assert order == sorted(order)
    assert history.count("by <strong>Ada Agent</strong>") == 3
    assert history.count("automatically") == 2
    assert 'data-kind="case.note_added"' in history
    assert "Reopen" in page.text  # a resolved case offers the way back

    kinds = [(e.kind, e.actor_id) for e in case_events(session, lost_bag)]
    assert kinds == [
        ("case.assigned", agent.id),
        ("case.note_added", agent.id),
        ("case.status_changed", agent.id),
    ]

    # someone of another brand is no one here, and the answer names this form's field
    stranger = actions.create_user(
        session, email="sam@rival.test", name="Sam Rival", password="correct horse"
    )
    actions.add_membership(
        session,
        user=stranger,
        brand=actions.create_brand(session, slug="rival", name="Rival"),
        role=Role.AGENT,
    )
    session.commit()
    refused = post_form(client, f"/cases/{lost_bag.id}/assignee", token, assignee=str(stranger.id))
    told = client.get(refused.headers["location"]).text
    assert f"Assignee: no user {stranger.id}" in told
    assert "Assignee_id" not in told


def test_the_api_does_the_same_work_and_the_timeline_names_the_actor(
    client: TestClient,
    session: Session,
    brand: Brand,
    team: Team,
    agent: User,
    colleague: User,
    lost_bag: Case,
) -> None:
    baggage = actions.create_team(session, brand=brand, slug="baggage", name="Baggage Services")
    session.commit()
    sign_in(client, agent.email)
    header = {"X-CSRF-Token": csrf_of(client.get(f"/cases/{lost_bag.id}"))}
    base = f"/api/v1/cases/{lost_bag.id}"

    forged = client.post(f"{base}/assignee", json={"assignee_id": agent.id})
    assert forged.status_code == 403
    assert "X-CSRF-Token" in forged.json()["detail"]

    assigned = client.post(f"{base}/assignee", json={"assignee_id": colleague.id}, headers=header)
    moved = client.post(f"{base}/team", json={"team_id": baggage.id}, headers=header)
    raised = client.post(
        f"{base}/priority", json={"priority": 1, "reason": "Customer has 80k followers"}, headers=header
    )
    note = client.post(f"{base}/notes", json={"text": "  Called the Lisbon desk.  "}, headers=header)
    opened = client.post(f"{base}/status", json={"status": "open"}, headers=header)

    assert [a.status_code for a in (assigned, moved, raised, opened)] == [200] * 4
    body = opened.json()
    assert (body["assignee_id"], body["assignee_name"]) == (colleague.id, "Ben Baggage")
    assert (body["team_id"], body["team_name"]) == (baggage.id, "Baggage Services")
    assert (body["priority"], body["priority_label"], body["status"]) == (1, "urgent", "open")
    assert note.status_code == 201
    assert note.json()["detail"] == "Called the Lisbon desk."
    assert note.json()["actor_name"] == "Ada Agent"

    # A machine with the brand's token can move the case too; its events name the token.
    row, bearer = actions.create_api_token(session, brand=brand, name="crm")
    session.commit()
    machine = httpx2.Headers({"Authorization": f"Bearer {bearer}"})
    client.cookies.clear()
    assert client.post(f"{base}/status", json={"status": "resolved"}, headers=machine).status_code == 200

    events = client.get(f"{base}/events", headers=machine).json()
    summaries = [(e["summary"], e["actor_name"]) for e in events]
    assert summaries == [
        ("Case opened", None),
        ("Routed to Care · Normal priority", None),
        ("Assigned to Ben Baggage", "Ada Agent"),
        ("Moved to Baggage Services (from Care)", "Ada Agent"),
        ("Priority Normal → Urgent", "Ada Agent"),
        ("Internal note", "Ada Agent"),
        ("Status New → Open", "Ada Agent"),
        ("Status Open → Resolved", None),
    ]
    assert events[4]["detail"] == "Customer has 80k followers"
    assert events[-1]["data"]["api_token_id"] == row.id
    assert [e.actor_id for e in case_events(session, lost_bag)] == [agent.id] * 5 + [None]

    schema = client.get("/api/v1/openapi.json").json()
    for path in ("assignee", "team", "status", "priority", "notes"):
        operation = schema["paths"][f"/api/v1/cases/{{case_id}}/{path}"]["post"]
        assert operation["description"]
        assert {"403", "404"} <= set(operation["responses"])


def test_the_inbox_shows_what_is_assigned_to_me(
    client: TestClient, session: Session, brand: Brand, agent: User, colleague: User
) -> None:
    mine = add_case(session, brand=brand, subject="Mine", handle="one", opened_hours_ago=3)
    theirs = add_case(session, brand=brand, subject="Theirs", handle="two", opened_hours_ago=2)
    nobodys = add_case(session, brand=brand, subject="Nobody's", handle="three", opened_hours_ago=1)
    mine.assignee_id, theirs.assignee_id = agent.id, colleague.id
    session.commit()
    sign_in(client, agent.email)

    assert row_ids(client.get("/inbox?assignee=me")) == [mine.id]
    assert row_ids(client.get("/inbox?assignee=none")) == [nobodys.id]
    assert row_ids(client.get("/inbox")) == [mine.id, theirs.id, nobodys.id]
    assert 'value="me" selected' in client.get("/inbox?assignee=me").text
    assert [c["id"] for c in client.get(f"/api/v1/cases?assignee_id={colleague.id}").json()["items"]] == [
        theirs.id
    ]


# --- who may do what ---------------------------------------------------------------------------------


def test_a_viewer_reads_the_case_but_is_refused_every_change(
    client: TestClient, session: Session, viewer: User, lost_bag: Case
) -> None:
    sign_in(client, viewer.email)
    page = client.get(f"/cases/{lost_bag.id}")
    assert page.status_code == 200
    assert "My bag never arrived" in page.text
    assert 'data-testid="read-only"' in page.text
    assert 'data-testid="work-panel"' not in page.text
    assert 'data-testid="note-form"' not in page.text
    token = csrf_of(page)  # the sign-out form has one; a viewer could still forge a post

    refused = post_form(client, f"/cases/{lost_bag.id}/status", token, status="resolved")
    assert refused.status_code == 403
    assert "viewer of this brand and may read cases but not change them" in refused.text
    api = client.post(
        f"/api/v1/cases/{lost_bag.id}/notes", json={"text": "sneaky"}, headers={"X-CSRF-Token": token}
    )
    assert api.status_code == 403
    assert "viewer" in api.json()["detail"]

    assert fresh(session, lost_bag).status is CaseStatus.NEW
    assert case_events(session, lost_bag) == []


def test_another_brands_agent_gets_404_and_changes_nothing(
    client: TestClient, session: Session, lost_bag: Case
) -> None:
    rival = actions.create_brand(session, slug="rival-air", name="Rival Air")
    outsider = member(session, rival, email="rex@rival.test", name="Rex Rival", role=Role.ADMIN)
    sign_in(client, outsider.email)
    token = csrf_of(client.get("/inbox"))

    assert client.get(f"/cases/{lost_bag.id}").status_code == 404
    for path, fields in (
        ("assignee", {"assignee": "me"}),
        ("notes", {"note": "hi"}),
        ("status", {"status": "closed"}),
    ):
        answer = post_form(client, f"/cases/{lost_bag.id}/{path}", token, **fields)
        assert answer.status_code == 404, path
        assert "Bag lost" not in answer.text
    api = client.post(
        f"/api/v1/cases/{lost_bag.id}/status", json={"status": "closed"}, headers={"X-CSRF-Token": token}
    )
    assert api.status_code == 404
    assert client.get(f"/api/v1/cases/{lost_bag.id}/events").status_code == 404

    assert fresh(session, lost_bag).status is CaseStatus.NEW
    assert case_events(session, lost_bag) == []


# --- mistakes get clear answers ----------------------------------------------------------------------


def test_invalid_changes_are_refused_with_the_reason_and_the_way_out(
    client: TestClient, session: Session, brand: Brand, agent: User, viewer: User, lost_bag: Case
) -> None:
    rival = actions.create_brand(session, slug="rival-air", name="Rival Air")
    rival_team = actions.create_team(session, brand=rival, slug="care", name="Rival Care")
    stranger = member(session, rival, email="sam@rival.test", name="Sam Stranger", role=Role.AGENT)
    sign_in(client, agent.email)
    page = client.get(f"/cases/{lost_bag.id}")
    header = {"X-CSRF-Token": csrf_of(page)}
    base = f"/api/v1/cases/{lost_bag.id}"

    # Closing an unresolved case resolves it on the way: two steps, both recorded.
    closed = client.post(f"{base}/status", json={"status": "closed"}, headers=header)
    assert closed.status_code == 200
    assert closed.json()["resolved_at"] is not None
    assert [e.data["to"] for e in case_events(session, lost_bag)] == ["resolved", "closed"]

    backwards = client.post(f"{base}/status", json={"status": "pending"}, headers=header)
    assert backwards.status_code == 409
    assert backwards.json()["detail"] == "a closed case cannot move to pending; reopen it first (status open)"
    renewed = client.post(f"{base}/status", json={"status": "new"}, headers=header)
    assert renewed.status_code == 409
    assert "reopen" in renewed.json()["detail"]

    # The same refusal on the page comes back as a message on the case, not an error page.
    refused = post_form(client, f"/cases/{lost_bag.id}/status", csrf_of(page), status="pending")
    assert refused.status_code == 303
    assert "A closed case cannot move to pending" in client.get(refused.headers["location"]).text

    reopened = client.post(f"{base}/status", json={"status": "open"}, headers=header)
    assert (reopened.json()["status"], reopened.json()["resolved_at"]) == ("open", None)

    # Parked without a date nothing would bring the case back: the refusal names the way that asks one.
    dateless = client.post(f"{base}/status", json={"status": "pending"}, headers=header)
    assert dateless.status_code == 422
    assert "parked until a date it comes back on" in dateless.json()["detail"]
    assert f"/api/v1/cases/{lost_bag.id}/pending" in dateless.json()["detail"]
    from_the_page = post_form(client, f"/cases/{lost_bag.id}/status", csrf_of(page), status="pending")
    assert (
        "Status: a case is parked until a date it comes back on"
        in client.get(from_the_page.headers["location"]).text
    )

    problems = {
        "assignee_id: Vic Viewer is a viewer and cannot work cases": ("assignee", {"assignee_id": viewer.id}),
        # another brand's person answers as an id nobody has: names are not given away
        f"assignee_id: no user {stranger.id}": ("assignee", {"assignee_id": stranger.id}),
        "assignee_id: no user 999999": ("assignee", {"assignee_id": 999_999}),
        "team_id: no team": ("team", {"team_id": rival_team.id}),
    }
    for expected, (path, body) in problems.items():
        answer = client.post(f"{base}/{path}", json=body, headers=header)
        assert answer.status_code == 422, (path, body)
        assert answer.json()["detail"].startswith(expected)
    own_team = session.scalars(select(Team).where(Team.brand_id == brand.id)).first()
    assert own_team is not None
    asked = client.post(
        f"{base}/tasks",
        json={"team_id": own_team.id, "title": "Check the tag", "assignee_id": stranger.id},
        headers=header,
    )
    assert (asked.status_code, asked.json()["detail"]) == (422, f"assignee_id: no user {stranger.id}")
    for body, field in (
        ({"priority": 7, "reason": "why not"}, "priority"),
        ({"priority": 1, "reason": "  "}, "reason"),
    ):
        answer = client.post(f"{base}/priority", json=body, headers=header)
        assert answer.status_code == 422
        assert answer.json()["detail"][0]["loc"] == ["body", field]
    assert client.post(f"{base}/notes", json={"text": ""}, headers=header).status_code == 422

    blank = post_form(client, f"/cases/{lost_bag.id}/priority", csrf_of(page), priority="1", reason=" ")
    assert blank.status_code == 303
    assert "Reason: write something (it was empty)." in client.get(blank.headers["location"]).text

    case = fresh(session, lost_bag)
    assert (case.assignee_id, case.priority, case.status) == (None, Priority.NORMAL, CaseStatus.OPEN)
    assert [e.kind for e in case_events(session, lost_bag)] == ["case.status_changed"] * 3


def test_an_agent_lowering_an_urgent_case_on_its_page_reads_why_not(
    client: TestClient, session: Session, agent: User, lost_bag: Case
) -> None:
    lost_bag.priority = Priority.URGENT
    session.commit()
    sign_in(client, agent.email)
    page = client.get(f"/cases/{lost_bag.id}")
    refused = post_form(client, f"/cases/{lost_bag.id}/priority", csrf_of(page), priority="3", reason="calm")
    assert refused.status_code == 303, "back to the case, not an error page"
    shown = client.get(refused.headers["location"]).text
    assert "Lowering an urgent case takes PR, a manager or an admin" in shown
    assert fresh(session, lost_bag).priority == Priority.URGENT
