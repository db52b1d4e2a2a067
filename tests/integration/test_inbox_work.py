"""The inbox as a desk works it: sorted four ways, many cases changed at once, saved views with counts."""

from __future__ import annotations

import re
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from ombuds.accounts import actions
from ombuds.accounts.models import Brand, Role, Team, TeamMember, User
from ombuds.cases.models import Case, CaseStatus, Priority
from ombuds.events import Event
from ombuds.incidents.actions import open_incident
from tests.integration.test_web_cases import NOW, PASSWORD, add_case, row_ids, sign_in


def _csrf(client: TestClient) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/inbox").text)
    assert found is not None
    return found.group(1)


def _token(session: Session, brand: Brand) -> dict[str, str]:
    _, secret = actions.create_api_token(session, brand=brand, name="bridge")
    session.commit()
    return {"Authorization": f"Bearer {secret}"}


def test_the_inbox_sorts_by_priority_age_sla_due_and_reach(
    client: TestClient, session: Session, brand: Brand, team: Team, agent: User
) -> None:
    oldest = add_case(session, brand=brand, subject="Oldest", handle="ann", opened_hours_ago=50, followers=10)
    urgent = add_case(
        session,
        brand=brand,
        subject="Urgent",
        handle="bo",
        opened_hours_ago=2,
        priority=Priority.URGENT,
        followers=None,
    )
    famous = add_case(
        session, brand=brand, subject="Famous", handle="cy", opened_hours_ago=5, followers=90_000
    )
    due_soon = add_case(
        session, brand=brand, subject="Due soon", handle="di", opened_hours_ago=3, followers=500
    )
    due_soon.first_response_due_at = NOW - timedelta(hours=99)  # the earliest deadline of all
    session.commit()
    sign_in(client, agent.email)

    by = {sort: row_ids(client.get(f"/inbox?sort={sort}")) for sort in ("priority", "age", "sla", "reach")}

    assert by["priority"] == [urgent.id, oldest.id, famous.id, due_soon.id]
    assert by["age"] == [oldest.id, famous.id, due_soon.id, urgent.id]
    assert by["sla"][0] == due_soon.id
    assert by["reach"] == [famous.id, due_soon.id, oldest.id, urgent.id]
    assert row_ids(client.get("/inbox?sort=nonsense")) == by["priority"]  # ignored, like other filters
    assert '<option value="reach" selected>' in client.get("/inbox?sort=reach").text
    api = client.get("/api/v1/cases?sort=reach").json()
    assert [item["id"] for item in api["items"]] == by["reach"]
    wrong = client.get("/api/v1/cases?sort=loudest")
    assert wrong.status_code == 422
    assert wrong.json()["message"].startswith("“sort” should be 'priority', 'age', 'sla' or 'reach'")


def test_many_cases_change_at_once_each_with_its_own_event_and_never_across_brands(
    client: TestClient, session: Session, brand: Brand, team: Team, agent: User
) -> None:
    cases = [
        add_case(session, brand=brand, subject=f"Bag {n}", handle=f"h{n}", opened_hours_ago=n)
        for n in range(1, 5)
    ]
    rival = actions.create_brand(session, slug="rival-air", name="Rival Air")
    theirs = add_case(session, brand=rival, subject="Rival seat", handle="zed", opened_hours_ago=1)
    viewer = actions.create_user(session, email="vic@skyways.test", name="Vic", password=PASSWORD)
    actions.add_membership(session, user=viewer, brand=brand, role=Role.VIEWER)
    session.commit()
    token = _token(session, brand)
    ids = [case.id for case in cases[:3]]

    assigned = client.post(
        "/api/v1/inbox/bulk",
        json={"case_ids": ids, "action": "assign", "assignee_id": agent.id},
        headers=token,
    )
    across = client.post(
        "/api/v1/inbox/bulk", json={"case_ids": [cases[3].id, theirs.id], "action": "resolve"}, headers=token
    )
    nonsense = client.post("/api/v1/inbox/bulk", json={"case_ids": ["x"], "action": "explode"}, headers=token)
    incident = open_incident(session, brand_id=brand.id, title="Bags lost", actor_id=None, now=NOW)
    session.commit()
    linked = client.post(
        "/api/v1/inbox/bulk",
        json={"case_ids": ids, "action": "incident", "incident_id": incident.id},
        headers=token,
    )

    assert assigned.status_code == 200, assigned.text
    assert assigned.json()["changed"] == ids
    assert assigned.json()["summary"] == "3 cases assigned."
    assert across.status_code == 404
    assert f"no case {theirs.id} in this brand; nothing was changed" in across.text
    assert nonsense.status_code == 422
    assert "Input should" not in nonsense.text
    assert linked.status_code == 403, "a token made for no person has an agent's rights"
    assert "PR, managers and admins" in linked.text
    session.expire_all()
    assert [session.get(Case, case_id).assignee_id for case_id in ids] == [agent.id] * 3  # type: ignore[union-attr]
    assert session.get(Case, cases[3].id).status is CaseStatus.NEW  # type: ignore[union-attr]
    assigned_events = session.scalars(
        select(Event.subject_id).where(Event.kind == "case.assigned", Event.subject_id.in_(ids))
    ).all()
    assert sorted(assigned_events) == sorted(ids)

    # In the inbox: the agent ticks two cases and resolves them with one note.
    sign_in(client, agent.email)
    answer = client.post(
        "/inbox/bulk",
        data={
            "csrf_token": _csrf(client),
            "case_ids": [str(ids[0]), str(ids[1])],
            "action": "resolve",
            "note": "Bags delivered by courier",
            "back": "sort=age",
        },
    )
    assert answer.status_code == 303
    assert answer.headers["location"] == "/inbox?sort=age"
    assert "2 cases resolved." in client.get("/inbox?sort=age").text
    session.expire_all()
    assert {session.get(Case, i).status for i in ids[:2]} == {CaseStatus.RESOLVED}  # type: ignore[union-attr]

    # A viewer reads the inbox but has no bulk bar, and the API refuses them.
    client.post("/logout", data={"csrf_token": _csrf(client)})
    sign_in(client, viewer.email)
    page = client.get("/inbox")
    assert 'data-testid="bulk-bar"' not in page.text
    refused = client.post(
        "/api/v1/inbox/bulk",
        json={"case_ids": [cases[3].id], "action": "priority", "priority": 1},
        headers={"X-CSRF-Token": _csrf(client)},
    )
    assert refused.status_code == 403, refused.text


def test_a_bulk_priority_in_digits_that_are_not_plain_ascii_is_named_and_changes_nothing(
    client: TestClient, session: Session, brand: Brand, team: Team, agent: User
) -> None:
    # "²".isdigit() is true, yet int("²") fails: the bulk bar must say which field is wrong.
    case = add_case(session, brand=brand, subject="Bag", handle="ann", opened_hours_ago=1)
    events_before = len(session.scalars(select(Event.id).where(Event.subject_id == case.id)).all())
    sign_in(client, agent.email)

    answer = client.post(
        "/inbox/bulk",
        data={"csrf_token": _csrf(client), "case_ids": [str(case.id)], "action": "priority", "priority": "²"},
    )

    assert answer.status_code == 303
    assert "Priority: choose 1 (urgent) to 4 (low)." in client.get("/inbox").text
    session.expire_all()
    assert session.get(Case, case.id).priority == Priority.NORMAL  # type: ignore[union-attr]
    assert len(session.scalars(select(Event.id).where(Event.subject_id == case.id)).all()) == events_before


def test_saved_views_for_me_and_my_team_show_their_counts_and_new_cases_are_offered(
    client: TestClient, session: Session, brand: Brand, team: Team, agent: User
) -> None:
    mine = add_case(
        session, brand=brand, subject="Refund", handle="ann", opened_hours_ago=4, priority=Priority.URGENT
    )
    mine.assignee_id = agent.id
    add_case(session, brand=brand, subject="Seat", handle="bo", opened_hours_ago=3, team=team)
    add_case(session, brand=brand, subject="Meal", handle="cy", opened_hours_ago=2, team=team)
    colleague = actions.create_user(session, email="col@skyways.test", name="Col", password=PASSWORD)
    actions.add_membership(session, user=colleague, brand=brand, role=Role.AGENT)
    session.add_all(
        [TeamMember(team_id=team.id, user_id=agent.id), TeamMember(team_id=team.id, user_id=colleague.id)]
    )
    session.commit()
    sign_in(client, agent.email)
    csrf = {"X-CSRF-Token": _csrf(client)}

    urgent = client.post(
        "/api/v1/inbox/views", json={"name": "my urgent", "query": "assignee=me&priority=1"}, headers=csrf
    )
    shared = client.post(
        "/api/v1/inbox/views",
        json={"name": "Care queue", "query": f"/inbox?team={team.id}&sort=age&evil=1", "team_id": team.id},
        headers=csrf,
    )
    again = client.post("/api/v1/inbox/views", json={"name": "My Urgent"}, headers=csrf)
    blank = client.post("/api/v1/inbox/views", json={"name": "   "}, headers=csrf)

    assert urgent.status_code == 201, urgent.text
    assert (urgent.json()["count"], shared.json()["count"]) == (1, 2)
    assert shared.json()["query"] == f"team={team.id}&sort=age"
    assert again.status_code == 409
    assert blank.status_code == 422
    page = client.get("/inbox")
    assert re.search(r"my urgent <span class=\"count\">1</span>", page.text)
    assert re.search(r"Care queue <span class=\"count\">2</span>", page.text)
    # the form offers only the teams the agent may share with: their own
    actions.create_team(session, brand=brand, slug="billing", name="Billing")
    session.commit()
    share = client.get("/inbox").text.split('id="view-share"')[1].split("</select>")[0]
    assert f"Team {team.name}" in share
    assert "Team Billing" not in share

    # The colleague sees the team's view, not the agent's own.
    client.post("/logout", data={"csrf_token": _csrf(client)})
    sign_in(client, colleague.email)
    names = [view["name"] for view in client.get("/api/v1/inbox/views").json()]
    assert names == ["Care queue"]
    col_csrf = {"X-CSRF-Token": _csrf(client)}
    assert client.delete(f"/api/v1/inbox/views/{shared.json()['id']}", headers=col_csrf).status_code == 403
    assert client.delete(f"/api/v1/inbox/views/{urgent.json()['id']}", headers=col_csrf).status_code == 404

    # A case arriving after the inbox was loaded is offered, not pushed into the list.
    newest = max(row_ids(client.get("/inbox")))
    assert client.get(f"/inbox/news?after={newest}").text == ""
    add_case(session, brand=brand, subject="Late flight", handle="di", opened_hours_ago=0)
    session.commit()
    assert "1 new case: show them" in client.get(f"/inbox/news?after={newest}").text


def test_a_bulk_lowering_leaves_the_urgent_cases_the_agent_may_not_lower_and_names_them(
    client: TestClient, session: Session, brand: Brand, team: Team
) -> None:
    urgent = add_case(session, brand=brand, subject="Child left at gate", handle="u1", opened_hours_ago=1)
    urgent.priority = 1
    calm = add_case(session, brand=brand, subject="Seat", handle="u2", opened_hours_ago=2)
    session.commit()
    answer = client.post(
        "/api/v1/inbox/bulk",
        json={"case_ids": [urgent.id, calm.id], "action": "priority", "priority": 4},
        headers=_token(session, brand),  # an integration's token acts as an agent
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["changed"] == [calm.id]
    assert "takes PR, a manager or an admin" in answer.json()["refused"][str(urgent.id)]
    session.expire_all()
    assert session.get(Case, urgent.id).priority == 1  # type: ignore[union-attr]
