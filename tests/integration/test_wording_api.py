"""PR's approved wording over the API: versioned talking points, templates, news, and a case's suggestions."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from ombuds.accounts import actions as accounts
from ombuds.accounts.models import Brand, Role, User
from ombuds.cases.models import Case
from ombuds.clock import utcnow
from ombuds.incidents import actions as incidents
from ombuds.incidents.detectors import Severity
from ombuds.incidents.models import Incident, IncidentStatus
from ombuds.responses.wording.models import NewsItem, ReplyTemplate, TalkingPoint, TalkingPointVersion
from ombuds.responses.wording.queries import talking_points_for_case
from tests.integration.test_web_cases import NOW, PASSWORD, add_case, add_mention, sign_in
from tests.support.moments import UNKEEPABLE_MOMENTS

STATEMENT = "We know flights out of Oslo are delayed by a baggage system fault. Refunds within 14 days."


def member(session: Session, brand: Brand, email: str, role: Role) -> User:
    user = accounts.create_user(session, email=email, name=email.split("@")[0].title(), password=PASSWORD)
    accounts.add_membership(session, user=user, brand=brand, role=role)
    session.commit()
    return user


def as_person(client: TestClient, email: str) -> dict[str, str]:
    """Sign in and return the header a signed-in caller's API writes carry."""
    sign_in(client, email)
    page = client.get("/inbox")
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found, "the inbox carries the session's CSRF token"
    return {"X-CSRF-Token": found.group(1)}


@pytest.fixture
def outage(session: Session, brand: Brand) -> tuple[Incident, list[Case]]:
    """An active incident gathering two customers' cases; a third case is about something else."""
    linked = []
    mention_ids = []
    for handle in ("ann", "bo"):
        case = add_case(
            session, brand=brand, subject=f"Stuck in Oslo ({handle})", handle=handle, opened_hours_ago=1
        )
        mention = add_mention(session, case=case, text=f"{handle}: three hours at OSL, no bags", at=NOW)
        linked.append(case)
        mention_ids.append(mention.id)
    incident = incidents.open_incident(
        session,
        brand_id=brand.id,
        title="Oslo baggage fault",
        actor_id=None,
        now=NOW,
        severity=Severity.HIGH,
        mention_ids=mention_ids,
    )
    incident.status = IncidentStatus.ACTIVE
    session.commit()
    return incident, linked


def test_pr_writes_a_holding_statement_and_it_comes_first_on_every_linked_case(
    client: TestClient, session: Session, brand: Brand, outage: tuple[Incident, list[Case]]
) -> None:
    incident, cases = outage
    pr = member(session, brand, "pia@skyways.test", Role.PR)
    other = add_case(session, brand=brand, subject="Seat upgrade", handle="cy", opened_hours_ago=1)
    add_mention(session, case=other, text="Can I pay for an upgrade with miles?", at=NOW)
    topic = add_case(session, brand=brand, subject="Refund", handle="di", opened_hours_ago=1)
    add_mention(
        session, case=topic, text="Where is my refund?", at=NOW, findings={"category": {"label": "refund"}}
    )
    session.commit()
    headers = as_person(client, pr.email)

    topical = client.post(
        "/api/v1/talking-points",
        json={"title": "Refund times", "text": "Refunds reach you within 7 days.", "categories": ["Refund"]},
        headers=headers,
    )
    assert topical.status_code == 201, topical.text
    made = client.post(
        "/api/v1/talking-points",
        json={"title": "Oslo", "text": STATEMENT, "incident_id": incident.id},
        headers=headers,
    )
    assert made.status_code == 201, made.text
    body = made.json()
    assert (body["version"], body["text"], body["incident_id"]) == (1, STATEMENT, incident.id)
    assert body["approved_by_name"] == "Pia"

    for case in cases:
        found = client.get(f"/api/v1/cases/{case.id}/suggestions").json()
        first = found["talking_points"][0]
        assert (first["id"], first["text"], first["is_incident_active"]) == (body["id"], STATEMENT, True)
    # a case outside the incident is not told about it; one on the statement's topic gets that one
    assert client.get(f"/api/v1/cases/{other.id}/suggestions").json()["talking_points"] == []
    on_topic = client.get(f"/api/v1/cases/{topic.id}/suggestions").json()["talking_points"]
    assert [(p["title"], p["matched"]) for p in on_topic] == [("Refund times", ["Refund"])]
    # the checker sees the same statements, the incident's first and marked active
    seen = talking_points_for_case(session, cases[0])
    assert [(p.id, p.version, p.is_incident_active) for p in seen] == [(body["id"], 1, True)]


def test_a_revision_is_version_2_and_version_1_is_no_longer_offered(
    client: TestClient, session: Session, brand: Brand, outage: tuple[Incident, list[Case]]
) -> None:
    incident, cases = outage
    pr = member(session, brand, "pia@skyways.test", Role.PR)
    headers = as_person(client, pr.email)
    first = client.post(
        "/api/v1/talking-points",
        json={"title": "Oslo", "text": STATEMENT, "incident_id": incident.id},
        headers=headers,
    ).json()
    revised_text = "The Oslo baggage system is fixed; bags arrive within 24 hours."
    revised = client.post(
        f"/api/v1/talking-points/{first['id']}/versions", json={"text": revised_text}, headers=headers
    )
    assert revised.status_code == 201, revised.text
    assert (revised.json()["id"], revised.json()["version"]) == (first["id"], 2)

    offered = client.get(f"/api/v1/cases/{cases[0].id}/suggestions").json()["talking_points"]
    assert [(p["version"], p["text"]) for p in offered] == [(2, revised_text)]
    history = client.get(f"/api/v1/talking-points/{first['id']}").json()
    assert [(v["version"], v["text"]) for v in history["versions"]] == [(2, revised_text), (1, STATEMENT)]


def test_an_expired_or_withdrawn_statement_is_not_offered(
    client: TestClient, session: Session, brand: Brand, outage: tuple[Incident, list[Case]]
) -> None:
    incident, cases = outage
    pr = member(session, brand, "pia@skyways.test", Role.PR)
    headers = as_person(client, pr.email)
    made = client.post(
        "/api/v1/talking-points",
        json={"title": "Oslo", "text": STATEMENT, "incident_id": incident.id},
        headers=headers,
    ).json()
    # it ran out an hour ago (as a statement written for yesterday's outage would have)
    point = session.get(TalkingPoint, made["id"])
    assert point is not None
    point.valid_from = utcnow() - timedelta(days=1)
    point.valid_until = utcnow() - timedelta(hours=1)
    session.commit()
    assert client.get(f"/api/v1/cases/{cases[0].id}/suggestions").json()["talking_points"] == []
    assert talking_points_for_case(session, cases[0]) == []
    listed = client.get("/api/v1/talking-points").json()
    assert listed == []
    assert [p["is_valid"] for p in client.get("/api/v1/talking-points?include_expired=true").json()] == [
        False
    ]

    again = client.post(
        "/api/v1/talking-points",
        json={"title": "Oslo 2", "text": STATEMENT, "incident_id": incident.id},
        headers=headers,
    ).json()
    withdrawn = client.post(f"/api/v1/talking-points/{again['id']}/withdraw", headers=headers)
    assert withdrawn.status_code == 200, withdrawn.text
    assert withdrawn.json()["is_valid"] is False
    assert client.get(f"/api/v1/cases/{cases[0].id}/suggestions").json()["talking_points"] == []


def test_only_pr_managers_and_admins_write_wording_and_other_brands_are_out_of_reach(
    client: TestClient,
    session: Session,
    brand: Brand,
    agent: User,
    outage: tuple[Incident, list[Case]],
) -> None:
    incident, _cases = outage
    viewer = member(session, brand, "vic@skyways.test", Role.VIEWER)
    rival = accounts.create_brand(session, slug="rival-air", name="Rival Air")
    session.commit()
    rival_incident = incidents.open_incident(
        session, brand_id=rival.id, title="Rival trouble", actor_id=None, now=NOW, severity=Severity.LOW
    )
    rival_case = add_case(session, brand=rival, subject="Rival case", handle="zed", opened_hours_ago=1)
    session.commit()

    for person in (agent, viewer):
        headers = as_person(client, person.email)
        for url, payload in (
            ("/api/v1/talking-points", {"title": "Oslo", "text": STATEMENT, "incident_id": incident.id}),
            ("/api/v1/reply-templates", {"name": "Sorry", "body": "Sorry, {customer_name}."}),
            ("/api/v1/news", {"kind": "launch", "title": "New lounge"}),
        ):
            refused = client.post(url, json=payload, headers=headers)
            assert refused.status_code == 403, (person.email, url, refused.text)
            assert "pr, manager or admin" in refused.json()["detail"]
        client.post("/logout", headers=headers)
    assert session.scalars(select(TalkingPoint)).all() == []

    manager = member(session, brand, "max@skyways.test", Role.MANAGER)
    headers = as_person(client, manager.email)
    elsewhere = client.post(
        "/api/v1/talking-points",
        json={"title": "Theirs", "text": STATEMENT, "incident_id": rival_incident.id},
        headers=headers,
    )
    assert elsewhere.status_code == 404
    assert client.get(f"/api/v1/cases/{rival_case.id}/suggestions").status_code == 404
    assert client.get("/api/v1/talking-points?brand=rival-air").status_code == 404
    empty = client.post("/api/v1/talking-points", json={"title": "Oslo", "text": "  "}, headers=headers)
    assert empty.status_code == 422
    backwards = client.post(
        "/api/v1/talking-points",
        json={"title": "Oslo", "text": STATEMENT, "valid_until": "2000-01-01T00:00:00Z"},
        headers=headers,
    )
    assert backwards.status_code == 422
    assert "valid_until" in backwards.json()["detail"]


def test_templates_and_news_are_managed_and_a_template_counts_its_uses(
    client: TestClient, session: Session, brand: Brand, agent: User
) -> None:
    pr = member(session, brand, "pia@skyways.test", Role.PR)
    case = add_case(session, brand=brand, subject="Lounge", handle="eve", opened_hours_ago=1)
    add_mention(session, case=case, text="Is the new lounge in Bergen open yet?", at=NOW)
    session.commit()
    headers = as_person(client, pr.email)

    generic = client.post(
        "/api/v1/reply-templates",
        json={"name": "Thanks", "body": "Thanks {customer_name}, {agent_name} here about {case_ref}."},
        headers=headers,
    )
    assert generic.status_code == 201, generic.text
    short = client.post(
        "/api/v1/reply-templates",
        json={
            "name": "Lounge",
            "body": "Dear {customer_name}, thank you for asking about our lounges.",
            "variants": {"X": "Hi {customer_name}! Lounge info: skyways.test/lounge"},
            "keywords": ["lounge"],
        },
        headers=headers,
    )
    assert short.status_code == 201, short.text
    clash = client.post("/api/v1/reply-templates", json={"name": "thanks", "body": "Again"}, headers=headers)
    assert clash.status_code == 409
    renamed = client.put(
        f"/api/v1/reply-templates/{generic.json()['id']}",
        json={"name": "Thank you", "body": "Thank you {customer_name}, {agent_name} here about {case_ref}."},
        headers=headers,
    )
    assert renamed.status_code == 200
    assert renamed.json()["name"] == "Thank you"

    launch = client.post(
        "/api/v1/news",
        json={
            "kind": "launch",
            "title": "Bergen lounge opens",
            "body": "Open from 1 December.",
            "keywords": ["lounge"],
            "may_share": True,
        },
        headers=headers,
    )
    assert launch.status_code == 201, launch.text
    unrelated = client.post(
        "/api/v1/news",
        json={"kind": "good_news", "title": "Award", "keywords": ["punctuality"]},
        headers=headers,
    )
    assert unrelated.status_code == 201
    client.post("/logout", headers=headers)

    headers = as_person(client, agent.email)
    found = client.get(f"/api/v1/cases/{case.id}/suggestions").json()
    # the template on the case's topic with the channel's own wording comes first, filled in
    assert [t["name"] for t in found["templates"]] == ["Lounge", "Thank you"]
    assert found["templates"][0]["text"] == "Hi Eve! Lounge info: skyways.test/lounge"
    assert found["templates"][1]["text"] == f"Thank you Eve, Ada Agent here about #{case.id}."
    assert [(n["title"], n["may_share"]) for n in found["news"]] == [("Bergen lounge opens", True)]

    used = client.post(
        f"/api/v1/reply-templates/{generic.json()['id']}/use", json={"case_id": case.id}, headers=headers
    )
    assert used.status_code == 200, used.text
    assert used.json()["usage_count"] == 1
    client.post(
        f"/api/v1/reply-templates/{generic.json()['id']}/use", json={"case_id": case.id}, headers=headers
    )
    stored = session.get(ReplyTemplate, generic.json()["id"])
    assert stored is not None
    session.refresh(stored)
    assert stored.usage_count == 2
    # agents use templates but do not change them
    assert client.delete(f"/api/v1/reply-templates/{short.json()['id']}", headers=headers).status_code == 403
    client.post("/logout", headers=headers)

    headers = as_person(client, pr.email)
    assert client.delete(f"/api/v1/reply-templates/{short.json()['id']}", headers=headers).status_code == 204
    assert client.delete(f"/api/v1/news/{launch.json()['id']}", headers=headers).status_code == 204
    again = client.get(f"/api/v1/cases/{case.id}/suggestions").json()
    assert [t["name"] for t in again["templates"]] == ["Thank you"]
    assert again["news"] == []
    # the retired template's name is free again
    assert (
        client.post(
            "/api/v1/reply-templates", json={"name": "Lounge", "body": "New"}, headers=headers
        ).status_code
        == 201
    )


def test_a_token_acting_for_pr_writes_a_statement_and_one_acting_for_an_agent_cannot(
    client: TestClient, session: Session, brand: Brand, agent: User
) -> None:
    pr = member(session, brand, "pia@skyways.test", Role.PR)
    pr_token = accounts.create_api_token(session, brand=brand, name="pr desk", user=pr)[1]
    agent_token = accounts.create_api_token(session, brand=brand, name="agent desk", user=agent)[1]
    session.commit()
    payload = {"title": "Oslo", "text": STATEMENT}

    written = client.post(
        "/api/v1/talking-points", json=payload, headers={"Authorization": f"Bearer {pr_token}"}
    )
    refused = client.post(
        "/api/v1/talking-points", json=payload, headers={"Authorization": f"Bearer {agent_token}"}
    )

    assert written.status_code == 201, written.text
    assert written.json()["version"] == 1
    assert refused.status_code == 403


def test_a_validity_date_with_no_utc_equivalent_or_no_time_zone_is_refused_naming_its_field(
    client: TestClient, session: Session, brand: Brand
) -> None:
    pr = member(session, brand, "pia@skyways.test", Role.PR)
    headers = as_person(client, pr.email)
    point = client.post("/api/v1/talking-points", json={"title": "Oslo", "text": STATEMENT}, headers=headers)
    news = client.post("/api/v1/news", json={"kind": "launch", "title": "Lounge"}, headers=headers)
    assert (point.status_code, news.status_code) == (201, 201), (point.text, news.text)
    statement = {"title": "Bergen", "text": STATEMENT}
    item = {"kind": "outage", "title": "Bergen"}

    for value, says in UNKEEPABLE_MOMENTS.items():
        for method, url, body, field in (
            ("POST", "/api/v1/talking-points", {**statement, "valid_from": value}, "valid_from"),
            ("POST", "/api/v1/talking-points", {**statement, "valid_until": value}, "valid_until"),
            (
                "POST",
                f"/api/v1/talking-points/{point.json()['id']}/versions",
                {"text": "New words", "valid_until": value},
                "valid_until",
            ),
            ("POST", "/api/v1/news", {**item, "valid_from": value}, "valid_from"),
            ("POST", "/api/v1/news", {**item, "valid_until": value}, "valid_until"),
            ("PUT", f"/api/v1/news/{news.json()['id']}", {**item, "valid_until": value}, "valid_until"),
        ):
            refused = client.request(method, url, json=body, headers=headers)

            assert refused.status_code == 422, (method, url, value, refused.text)
            assert [problem["loc"] for problem in refused.json()["detail"]] == [["body", field]]
            assert refused.json()["message"].startswith(f"“{field}” {says}")
    session.expire_all()
    assert [p.title for p in session.scalars(select(TalkingPoint))] == ["Oslo"]
    assert len(session.scalars(select(TalkingPointVersion)).all()) == 1
    assert [(n.title, n.valid_until) for n in session.scalars(select(NewsItem))] == [("Lounge", None)]
