"""PR handles a storm's cases as one: every open case of an incident moved, prioritised, assigned,
resolved or answered with the holding statement at once, each case keeping its own history."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from httpx2 import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from ombuds.accounts import actions as accounts
from ombuds.accounts.models import Brand, Role, User
from ombuds.cases.lifecycle import Actor
from ombuds.cases.models import Case, CaseStatus, Priority
from ombuds.events import Event
from ombuds.incidents import actions
from ombuds.incidents.detectors import Severity
from ombuds.incidents.models import Incident
from ombuds.responses.models import Reply, ReplyStatus
from ombuds.responses.wording.actions import create_talking_point
from ombuds.tasks.actions import create_task
from tests.integration.test_web_cases import NOW, PASSWORD, add_case, add_mention, sign_in


def _member(session: Session, brand: Brand, email: str, role: Role) -> User:
    user = accounts.create_user(session, email=email, name=email.split("@")[0].title(), password=PASSWORD)
    accounts.add_membership(session, user=user, brand=brand, role=role)
    session.commit()
    return user


@pytest.fixture
def storm(session: Session, brand: Brand) -> tuple[Incident, list[Case]]:
    """Three customers' cases in one incident (two through mentions, one linked by hand), one already resolved."""
    cases = [
        add_case(session, brand=brand, subject=f"App down {h}", handle=h, opened_hours_ago=3 - i)
        for i, h in enumerate(("ann", "bo", "cy", "dee"))
    ]
    mentions = [
        add_mention(session, case=case, text="The app is down again", at=case.opened_at) for case in cases[:3]
    ]
    cases[3].status = CaseStatus.RESOLVED
    add_mention(session, case=cases[3], text="The app was down", at=cases[3].opened_at)
    incident = actions.open_incident(
        session,
        brand_id=brand.id,
        title="Many people saying “app is down”",
        actor_id=None,
        now=NOW,
        severity=Severity.HIGH,
        mention_ids=[m.id for m in mentions[:2]],
    )
    actions.link_case(
        session, incident=incident, case_id=cases[2].id, case_brand_id=brand.id, actor_id=None, now=NOW
    )
    actions.link_case(
        session, incident=incident, case_id=cases[3].id, case_brand_id=brand.id, actor_id=None, now=NOW
    )
    session.commit()
    return incident, cases


def _csrf(text: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', text)
    assert found
    return found.group(1)


def _pr_asks_to_answer_all(
    client: TestClient, session: Session, incident: Incident, pr: User, statement: str
) -> tuple[str, Response]:
    """PR writes the incident's holding statement, then asks to answer every open case with it."""
    create_talking_point(
        session,
        brand_id=incident.brand_id,
        title=incident.title,
        text=statement,
        actor_id=pr.id,
        now=NOW,
        incident_id=incident.id,
    )
    session.commit()
    sign_in(client, pr.email)
    token = _csrf(client.get(f"/incidents/{incident.id}").text)
    asked = client.post(
        f"/incidents/{incident.id}/reply-all", data={"visibility": "public", "csrf_token": token}
    )
    return token, asked


def _case_events(session: Session, case_ids: list[int], kind: str) -> dict[int, int]:
    rows = session.scalars(
        select(Event.subject_id).where(
            Event.subject_type == "case", Event.subject_id.in_(case_ids), Event.kind == kind
        )
    )
    counted: dict[int, int] = {}
    for case_id in rows:
        counted[case_id] = counted.get(case_id, 0) + 1
    return counted


def test_pr_moves_then_resolves_every_open_case_from_the_incident_page_after_a_confirmation(
    client: TestClient, session: Session, brand: Brand, storm: tuple[Incident, list[Case]]
) -> None:
    incident, cases = storm
    billing = accounts.create_team(session, brand=brand, slug="billing", name="Billing")
    pia = _member(session, brand, "pia@skyways.test", Role.PR)
    create_task(
        session,
        case=cases[1],
        team=billing,
        title="Refund the double charge",
        actor=Actor(pia),
        now=NOW,
    )
    session.commit()
    open_ids = [c.id for c in cases[:3]]
    sign_in(client, "pia@skyways.test")
    page = client.get(f"/incidents/{incident.id}")
    assert 'data-testid="bulk-form"' in page.text
    assert "All 3 open cases" in page.text
    token = _csrf(page.text)

    # The first post asks: what will happen, to how many cases. Nothing changes yet.
    asked = client.post(
        f"/incidents/{incident.id}/bulk",
        data={"action": "team", "team_id": str(billing.id), "csrf_token": token},
    )
    assert asked.status_code == 200
    assert 'data-testid="bulk-count">3<' in asked.text
    assert "Move to Billing: 3 open cases" in asked.text
    session.expire_all()
    assert {session.get(Case, i).team_id for i in open_ids} == {None}

    confirmed = client.post(
        f"/incidents/{incident.id}/bulk",
        data={
            "action": "team",
            "team_id": str(billing.id),
            "confirmed": "yes",
            "csrf_token": _csrf(asked.text),
        },
    )
    assert confirmed.status_code == 303
    shown = client.get(confirmed.headers["location"]).text
    assert "Move to Billing: done on 3 of 3 open cases." in shown
    session.expire_all()
    assert {session.get(Case, i).team_id for i in open_ids} == {billing.id}
    assert session.get(Case, cases[3].id).team_id is None  # the resolved case is not touched
    assert _case_events(session, open_ids, "case.team_changed") == dict.fromkeys(open_ids, 1)
    assert 'data-testid="timeline-bulk">move to Billing · 3 cases' in shown

    resolved = client.post(
        f"/incidents/{incident.id}/bulk",
        data={"action": "resolve", "note": "Fixed in 4.2.1", "confirmed": "yes", "csrf_token": token},
    )
    shown = client.get(resolved.headers["location"]).text
    assert "Resolve: done on 2 of 3 open cases; 1 refused (case #" in shown
    session.expire_all()
    assert [session.get(Case, i).status for i in open_ids] == [
        CaseStatus.RESOLVED,
        CaseStatus.NEW,  # its Billing task is still open
        CaseStatus.RESOLVED,
    ]
    notes = session.scalars(
        select(Event.data).where(Event.kind == "case.status_changed", Event.subject_id == cases[0].id)
    ).all()
    assert [n.get("note") for n in notes] == ["Fixed in 4.2.1"]


def test_the_api_prioritises_assigns_and_answers_every_open_case_once_with_the_holding_statement(
    client: TestClient, session: Session, brand: Brand, agent: User, storm: tuple[Incident, list[Case]]
) -> None:
    incident, cases = storm
    open_ids = [c.id for c in cases[:3]]
    manager = _member(session, brand, "max@skyways.test", Role.MANAGER)
    _, token = accounts.create_api_token(session, brand=brand, name="max", user=manager)
    session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    url = f"/api/v1/incidents/{incident.id}"

    raised = client.post(f"{url}/bulk", json={"action": "priority", "priority": 1}, headers=headers).json()
    assert (raised["changed"], raised["open_cases"]) == (open_ids, 3)
    given = client.post(f"{url}/bulk", json={"action": "assign", "assignee_id": agent.id}, headers=headers)
    assert given.json()["changed"] == open_ids
    session.expire_all()
    assert {(session.get(Case, i).priority, session.get(Case, i).assignee_id) for i in open_ids} == {
        (1, agent.id)
    }
    reasons = session.scalars(select(Event.data).where(Event.kind == "case.priority_changed")).all()
    assert {r["reason"] for r in reasons} == {f"Part of incident #{incident.id}: {incident.title}"}

    no_statement = client.post(f"{url}/replies", json={"visibility": "public"}, headers=headers)
    assert no_statement.status_code == 422
    assert "holding statement" in no_statement.text
    create_talking_point(
        session,
        brand_id=brand.id,
        title=incident.title,
        text="Hi {customer_name}, we know the app is down and are fixing it. Updates here.",
        actor_id=manager.id,
        now=NOW,
        incident_id=incident.id,
    )
    _, integration = accounts.create_api_token(session, brand=brand, name="status-page")
    session.commit()
    refused = client.post(
        f"{url}/replies", json={"visibility": "public"}, headers={"Authorization": f"Bearer {integration}"}
    )
    assert refused.status_code == 403, "a token made for no person answers as an agent: one case at a time"
    sent = client.post(f"{url}/replies", json={"visibility": "public"}, headers=headers).json()
    assert (sent["replied"], sent["already_replied"], sent["refused"]) == (open_ids, [], {})
    again = client.post(f"{url}/replies", json={"visibility": "public"}, headers=headers).json()
    assert (again["replied"], again["already_replied"]) == ([], open_ids)
    replies = session.scalars(select(Reply).where(Reply.case_id.in_(open_ids))).all()
    assert sorted(r.case_id for r in replies) == open_ids
    assert {r.text for r in replies if r.case_id == cases[0].id} == {
        "Hi Ann, we know the app is down and are fixing it. Updates here."
    }
    # Urgent cases of an incident: the brand's approval policy still decides who waits for PR.
    assert {r.status for r in replies} <= {ReplyStatus.QUEUED, ReplyStatus.AWAITING_APPROVAL}
    assert sorted(sent["held"]) == sorted(
        r.case_id for r in replies if r.status is ReplyStatus.AWAITING_APPROVAL
    )
    kinds = [e["kind"] for e in client.get(f"{url}/timeline", headers=headers).json()]
    assert kinds.count("bulk_action") == 3


def test_viewers_are_refused_and_another_brand_never_finds_the_incident(
    client: TestClient, session: Session, brand: Brand, storm: tuple[Incident, list[Case]]
) -> None:
    incident, cases = storm
    _member(session, brand, "vic@skyways.test", Role.VIEWER)
    rival = accounts.create_brand(session, slug="rival-air", name="Rival Air")
    _member(session, rival, "ray@rival.test", Role.MANAGER)

    sign_in(client, "vic@skyways.test")
    page = client.get(f"/incidents/{incident.id}")
    assert 'data-testid="bulk-form"' not in page.text
    token = _csrf(page.text)
    assert (
        client.post(
            f"/incidents/{incident.id}/bulk",
            data={"action": "resolve", "note": "x", "confirmed": "yes", "csrf_token": token},
        ).status_code
        == 403
    )
    assert (
        client.post(
            f"/incidents/{incident.id}/reply-all", data={"confirmed": "yes", "csrf_token": token}
        ).status_code
        == 403
    )

    client.cookies.clear()
    sign_in(client, "ray@rival.test")
    token = _csrf(client.get("/incidents").text)
    assert (
        client.post(
            f"/incidents/{incident.id}/bulk",
            data={"action": "resolve", "note": "x", "confirmed": "yes", "csrf_token": token},
        ).status_code
        == 404
    )
    assert (
        client.post(
            f"/incidents/{incident.id}/reply-all", data={"confirmed": "yes", "csrf_token": token}
        ).status_code
        == 404
    )
    session.expire_all()
    assert {session.get(Case, c.id).status for c in cases[:3]} == {CaseStatus.NEW}


def test_the_reply_all_confirmation_shows_the_words_and_where_they_go(
    client: TestClient, session: Session, brand: Brand, storm: tuple[Incident, list[Case]]
) -> None:
    incident, cases = storm
    pia = _member(session, brand, "pia@skyways.test", Role.PR)
    statement = "We know the app is down and are fixing it. " + "Updates on our status page. " * 10
    _, asked = _pr_asks_to_answer_all(client, session, incident, pia, statement.strip())
    assert asked.status_code == 200
    assert f'data-testid="bulk-statement">{statement.strip()}</blockquote>' in asked.text
    assert cases[0].channel == "x"  # a public reply there takes 280 characters; the statement is longer
    assert "X: 3 cases · at most 280 characters" in asked.text
    assert f"{len(statement.strip())} here: these cases will be refused" in asked.text
    assert session.scalars(select(Reply)).all() == [], "asking sends nothing"


def test_pr_sees_each_case_before_answering_them_all_and_unticks_one_the_incident_does_not_concern(
    client: TestClient, session: Session, brand: Brand, storm: tuple[Incident, list[Case]]
) -> None:
    incident, cases = storm
    pia = _member(session, brand, "pia@skyways.test", Role.PR)
    token, asked = _pr_asks_to_answer_all(client, session, incident, pia, "We know the app is down.")
    listed = re.findall(r'name="case" value="(\d+)" checked', asked.text)
    assert sorted(map(int, listed)) == sorted(c.id for c in cases[:3])  # each open case, ticked
    assert "App down bo" in asked.text
    # bo's case was linked by mistake: PR unticks it, and only the others are answered
    kept = [str(cases[0].id), str(cases[2].id)]
    sent = client.post(
        f"/incidents/{incident.id}/reply-all",
        data={"visibility": "public", "confirmed": "yes", "chosen": "yes", "case": kept, "csrf_token": token},
    )
    assert sent.status_code == 303
    session.expire_all()
    assert sorted(r.case_id for r in session.scalars(select(Reply))) == sorted(int(i) for i in kept)
    # nothing ticked: nothing done (a value that is no id ticks nothing)
    before = len(session.scalars(select(Reply)).all())
    priorities = [c.priority for c in cases[:3]]
    assert Priority.URGENT not in priorities
    make_urgent = {
        "action": "priority",
        "priority": "1",
        "confirmed": "yes",
        "chosen": "yes",
        "csrf_token": token,
    }
    # no id, past 64 bits, a NUL, another brand's case: each ticks nothing, and none is a 500
    rival = accounts.create_brand(session, slug="rival-air", name="Rival Air")
    theirs = add_case(session, brand=rival, subject="Rival's case", handle="rio", opened_hours_ago=1)
    session.commit()
    hostile = ["x", "9223372036854775808", "99999999999999999999999", "1\x00", str(theirs.id)]
    answer = client.post(f"/incidents/{incident.id}/bulk", data={**make_urgent, "case": hostile})
    assert answer.status_code == 303
    session.expire_all()
    assert session.get(Case, theirs.id).priority != Priority.URGENT  # type: ignore[union-attr]
    assert [session.get(Case, c.id).priority for c in cases[:3]] == priorities  # type: ignore[union-attr]
    assert len(session.scalars(select(Reply)).all()) == before
    # the same request with one case ticked changes that case alone
    client.post(f"/incidents/{incident.id}/bulk", data={**make_urgent, "case": str(cases[1].id)})
    session.expire_all()
    now = [session.get(Case, c.id).priority for c in cases[:3]]  # type: ignore[union-attr]
    assert now == [priorities[0], Priority.URGENT, priorities[2]]
