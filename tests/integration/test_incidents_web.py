"""PR works incidents in the browser and over the API; other brands never see them."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from ombuds.accounts import actions as accounts
from ombuds.accounts.models import Brand, Role, Team, User
from ombuds.events import Event
from ombuds.incidents import actions
from ombuds.incidents.actions import queue_alerts
from ombuds.incidents.detectors import Severity
from ombuds.incidents.models import Alert, Incident, IncidentStatus
from ombuds.incidents.queries import incident_figures
from ombuds.incidents.schemas import NOTE_MAX_CHARS, TITLE_MAX_CHARS
from tests.integration.test_web_cases import NOW, PASSWORD, add_case, add_mention, sign_in


def _member(session: Session, brand: Brand, email: str, role: Role) -> User:
    user = accounts.create_user(session, email=email, name=email.split("@")[0].title(), password=PASSWORD)
    accounts.add_membership(session, user=user, brand=brand, role=role)
    session.commit()
    return user


@pytest.fixture
def storm(session: Session, brand: Brand, team: Team) -> Incident:
    """Three angry customers quoting the same post; an incident holds their mentions and an alert went out."""
    mention_ids = []
    for index, handle in enumerate(("ann", "bo", "cy")):
        case = add_case(
            session,
            brand=brand,
            subject=f"Fleet post {handle}",
            handle=handle,
            opened_hours_ago=2 - index / 2,
        )
        mention = add_mention(
            session,
            case=case,
            text=f"{handle}: STAHP “@Skyways: Our fleet's on fleek.”",
            at=case.opened_at,
            findings={"sentiment": {"label": "negative", "score": 0.9}},
        )
        mention_ids.append(mention.id)
    incident = actions.open_incident(
        session,
        brand_id=brand.id,
        title="Many people saying “fleet's on fleek”",
        actor_id=None,
        now=NOW,
        severity=Severity.HIGH,
        mention_ids=mention_ids,
    )
    incident.representative_text = "STAHP “@Skyways: Our fleet's on fleek.”"
    queue_alerts(session, incident=incident, reason="opened", at=NOW)
    session.commit()
    return incident


def _csrf(page_text: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page_text)
    assert found
    return found.group(1)


def test_pr_follows_an_alert_to_the_incident_its_chart_mentions_and_cases(
    client: TestClient, session: Session, brand: Brand, storm: Incident
) -> None:
    _member(session, brand, "pia@skyways.test", Role.PR)
    sign_in(client, "pia@skyways.test")

    listing = client.get("/incidents")
    assert listing.status_code == 200
    assert "fleet&#39;s on fleek" in listing.text or "fleet's on fleek" in listing.text
    assert 'data-testid="mention-count">3<' in listing.text
    alert_form = re.search(r'action="(/incidents/alerts/(\d+))/read"', listing.text)
    assert alert_form
    assert 'data-testid="alert-link"' in listing.text

    # A GET (a link preview, a prefetch) reaches the incident but leaves the alert unread for the team.
    peeked = client.get(alert_form.group(1))
    assert peeked.status_code == 303
    assert peeked.headers["location"] == f"/incidents/{storm.id}"
    session.expire_all()
    assert all(alert.read_at is None for alert in session.query(Alert).filter_by(kind="in_app"))

    followed = client.post(f"{alert_form.group(1)}/read", data={"csrf_token": _csrf(listing.text)})
    assert followed.status_code == 303
    assert followed.headers["location"] == f"/incidents/{storm.id}"
    session.expire_all()
    assert session.get(Alert, int(alert_form.group(2))).read_at is not None
    assert 'data-testid="alert-link"' not in client.get("/incidents").text

    page = client.get(followed.headers["location"])
    assert page.status_code == 200
    assert '<span data-testid="chart-clock">· times in UTC</span>' in page.text  # the axis says its clock
    assert page.text.count('class="bar bar-negative"') >= 1  # the chart, drawn on the server
    assert "Our fleet&#39;s on fleek" in page.text
    case_links = set(re.findall(r'href="(/cases/\d+)" data-testid="incident-case-link"', page.text))
    assert len(case_links) == 3
    assert client.get(sorted(case_links)[0]).status_code == 200
    assert 'data-testid="open-case-customers">3 of 3<' in page.text

    token = _csrf(page.text)
    assert (
        client.post(
            f"/incidents/{storm.id}/notes", data={"note": "Holding line agreed", "csrf_token": token}
        ).status_code
        == 303
    )
    assert (
        client.post(
            f"/incidents/{storm.id}/status", data={"status": "resolved", "csrf_token": token}
        ).status_code
        == 303
    )
    session.expire_all()
    resolved = session.get(Incident, storm.id)
    assert resolved is not None
    assert resolved.status is IncidentStatus.RESOLVED
    assert resolved.summary is not None
    assert resolved.summary["customers_with_open_case"] == 3
    assert "Holding line agreed" in client.get(f"/incidents/{storm.id}").text


def test_the_incident_says_when_people_describe_one_problem_in_their_own_words(
    client: TestClient, session: Session, brand: Brand, storm: Incident
) -> None:
    storm.evidence = {
        "peak": {
            "signal": "volume",
            "voices": 6,
            "window_minutes": 15,
            "expected": 0.42,
            "agreeing_voices": 5,
            "agreeing_by_meaning": True,
        }
    }
    session.commit()
    _member(session, brand, "pia@skyways.test", Role.PR)
    sign_in(client, "pia@skyways.test")
    page = client.get(f"/incidents/{storm.id}").text
    assert 'data-testid="agreeing">5 of 6 describe the same problem, in their own words<' in page
    assert "<dt>Usual</dt><dd>0.4 people in 15 min</dd>" in page

    storm.evidence = {"peak": {"signal": "volume", "voices": 12, "window_minutes": 15, "expected": 3.0}}
    session.commit()
    assert 'data-testid="agreeing"' not in client.get(f"/incidents/{storm.id}").text


def test_agents_read_incidents_but_only_pr_changes_them(
    client: TestClient, session: Session, brand: Brand, storm: Incident, agent: User
) -> None:
    sign_in(client, "agent@skyways.test")
    page = client.get(f"/incidents/{storm.id}")
    assert page.status_code == 200
    assert 'action="/incidents/' not in page.text
    token = _csrf(page.text)
    assert (
        client.post(
            f"/incidents/{storm.id}/status", data={"status": "resolved", "csrf_token": token}
        ).status_code
        == 403
    )


def test_a_token_made_for_an_agent_reads_incidents_but_changes_them_no_more_than_the_agent_can(
    client: TestClient, session: Session, brand: Brand, storm: Incident, agent: User
) -> None:
    _, token = accounts.create_api_token(session, brand=brand, name="agent's script", user=agent)
    session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get(f"/api/v1/incidents/{storm.id}", headers=headers).status_code == 200
    for path, body in (
        ("status", {"status": "resolved"}),
        ("title", {"title": "Nothing to see"}),
        ("notes", {"text": "closing this"}),
    ):
        answer = client.post(f"/api/v1/incidents/{storm.id}/{path}", json=body, headers=headers)
        assert answer.status_code == 403, (path, answer.text)
    opened = client.post("/api/v1/incidents", json={"title": "A storm of my own"}, headers=headers)
    assert opened.status_code == 403, opened.text
    session.expire_all()
    assert session.get_one(Incident, storm.id).status is not IncidentStatus.RESOLVED


def test_another_brand_cannot_see_the_incident_in_pages_or_api(
    client: TestClient, session: Session, brand: Brand, storm: Incident
) -> None:
    rival = accounts.create_brand(session, slug="rival-air", name="Rival Air")
    _member(session, rival, "ray@rival.test", Role.PR)
    sign_in(client, "ray@rival.test")
    assert client.get(f"/incidents/{storm.id}").status_code == 404
    assert client.get(f"/api/v1/incidents/{storm.id}").status_code == 404
    assert "fleek" not in client.get("/incidents").text


def test_the_api_lists_counts_figures_and_takes_notes_from_a_token(
    client: TestClient, session: Session, brand: Brand, storm: Incident
) -> None:
    _, integration = accounts.create_api_token(session, brand=brand, name="status-page")
    pia = _member(session, brand, "pia@skyways.test", Role.PR)
    _, token = accounts.create_api_token(session, brand=brand, name="pr-bot", user=pia)
    session.commit()
    # a token made for no person has an agent's rights: it reads incidents and changes none
    refused = client.post(
        f"/api/v1/incidents/{storm.id}/notes",
        json={"text": "Statement drafted"},
        headers={"Authorization": f"Bearer {integration}"},
    )
    assert refused.status_code == 403
    assert "pr, manager or admin" in refused.text
    seen = client.get("/api/v1/incidents", headers={"Authorization": f"Bearer {integration}"})
    assert [i["id"] for i in seen.json()["incidents"]] == [storm.id]
    headers = {"Authorization": f"Bearer {token}"}
    listed = client.get("/api/v1/incidents", headers=headers).json()["incidents"]
    assert [(i["id"], i["mention_count"], i["severity"]) for i in listed] == [(storm.id, 3, "high")]
    assert client.get(f"/api/v1/incidents?brand={brand.slug}", headers=headers).json()["incidents"] == listed
    # an empty slug names no brand, as on every other list: not "all of them"
    unnamed = client.get("/api/v1/incidents?brand=", headers=headers)
    assert unnamed.status_code == 404
    assert "no brand ''" in unnamed.json()["detail"]
    detail = client.get(f"/api/v1/incidents/{storm.id}", headers=headers).json()
    assert detail["figures"]["sentiment"] == {"negative": 3}
    assert sum(point["total"] for point in detail["series"]) == 3
    assert len(client.get(f"/api/v1/incidents/{storm.id}/cases", headers=headers).json()) == 3
    noted = client.post(
        f"/api/v1/incidents/{storm.id}/notes", json={"text": "Statement drafted"}, headers=headers
    )
    assert noted.status_code == 201
    assert noted.json()[-1]["kind"] == "note"
    unread = client.get("/api/v1/incidents/alerts?unread=true", headers=headers).json()
    assert [alert["reason"] for alert in unread] == ["opened"]


def test_marking_an_alert_read_takes_the_form_s_security_token(
    client: TestClient, session: Session, brand: Brand, storm: Incident
) -> None:
    _member(session, brand, "pia@skyways.test", Role.PR)
    sign_in(client, "pia@skyways.test")
    alert = session.query(Alert).filter_by(kind="in_app").one()

    forged = client.post(f"/incidents/alerts/{alert.id}/read")

    assert forged.status_code == 403
    session.expire_all()
    assert session.get(Alert, alert.id).read_at is None


def test_page_forms_cap_notes_and_titles_as_the_api_does(
    client: TestClient, session: Session, brand: Brand, storm: Incident
) -> None:
    _member(session, brand, "pia@skyways.test", Role.PR)
    sign_in(client, "pia@skyways.test")
    token = _csrf(client.get(f"/incidents/{storm.id}").text)
    notes = session.query(Event).filter_by(kind="incident.note")

    long_note = client.post(
        f"/incidents/{storm.id}/notes", data={"note": "x" * (NOTE_MAX_CHARS + 1), "csrf_token": token}
    )
    long_title = client.post(
        "/incidents", data={"title": "y" * (TITLE_MAX_CHARS + 1), "severity": "high", "csrf_token": token}
    )

    for answer, field in ((long_note, "note"), (long_title, "title")):
        assert answer.status_code == 400
        assert field in answer.text
        assert "at most" in answer.text
    session.expire_all()
    assert notes.count() == 0
    assert session.query(Incident).count() == 1
    # Exactly at the cap is fine, as through the API.
    at_cap = client.post(
        f"/incidents/{storm.id}/notes", data={"note": "x" * NOTE_MAX_CHARS, "csrf_token": token}
    )
    assert at_cap.status_code == 303
    # So is a note the text box let through with its line breaks, which a browser sends as CRLF
    # (the box counts each once): NOTE_MAX_CHARS characters as typed, more as sent.
    typed = "\n".join(["y" * 99] * (NOTE_MAX_CHARS // 100))
    typed += "y" * (NOTE_MAX_CHARS - len(typed))
    lines = client.post(
        f"/incidents/{storm.id}/notes", data={"note": typed.replace("\n", "\r\n"), "csrf_token": token}
    )
    assert lines.status_code == 303, lines.text
    session.expire_all()
    assert [event.data["text"] for event in notes.order_by(Event.id)][-1] == typed


def test_an_incident_counts_one_handle_on_two_channels_as_two_people(
    session: Session, brand: Brand, team: Team
) -> None:
    case = add_case(session, brand=brand, subject="Fleet post", handle="sam", opened_hours_ago=1)
    on_x = add_mention(session, case=case, text="that fleet post, really?", at=case.opened_at)
    on_reddit = add_mention(session, case=case, text="the fleet post is everywhere", at=NOW)
    for mention, channel, audience in ((on_x, "x", 5000), (on_reddit, "reddit", 10)):
        mention.channel, mention.author_handle, mention.author_followers = channel, "sam", audience
    incident = actions.open_incident(
        session,
        brand_id=brand.id,
        title="The fleet post",
        actor_id=None,
        now=NOW,
        severity=Severity.LOW,
        mention_ids=[on_x.id, on_reddit.id],
    )
    session.commit()

    figures = incident_figures(session, incident=incident)
    assert (figures.author_count, figures.reach) == (2, 5010), "sam on X and sam on Reddit are two people"


def test_a_big_incident_shows_its_newest_mentions_and_first_cases_and_folds_the_rest(
    client: TestClient, session: Session, brand: Brand, team: Team
) -> None:
    """Fifty mentions and sixty cases made the page seven thousand pixels tall; PR reads the top."""
    mention_ids = []
    for index in range(18):
        case = add_case(
            session,
            brand=brand,
            subject=f"Storm {index}",
            handle=f"p{index}",
            opened_hours_ago=3 - index / 10,
        )
        mention_ids.append(
            add_mention(session, case=case, text=f"outage again #{index}", at=case.opened_at).id
        )
    incident = actions.open_incident(
        session,
        brand_id=brand.id,
        title="Outage",
        actor_id=None,
        now=NOW,
        severity=Severity.HIGH,
        mention_ids=mention_ids,
    )
    session.commit()
    pr = _member(session, brand, "pia@skyways.test", Role.PR)
    sign_in(client, pr.email)
    page = client.get(f"/incidents/{incident.id}").text

    shown, _, folded = page.partition('data-testid="incident-mentions-more"')
    in_view = shown.split('data-testid="incident-mentions"')[1]
    assert in_view.count('class="incident-mention"') == 10
    assert "<summary>Show 8 more</summary>" in page
    assert folded.split("</details>")[0].count('class="incident-mention"') == 8
    cases = page.split('data-testid="incident-cases"')[1].split("</section>")[0]
    assert cases.count('data-testid="incident-case-link"') == 18  # every case is there, three folded
    assert "<summary>Show 3 more</summary>" in cases


def test_a_storm_past_fifty_mentions_lists_the_next_ones_on_the_page_not_only_in_the_api(
    client: TestClient, session: Session, brand: Brand, team: Team
) -> None:
    case = add_case(session, brand=brand, subject="Storm", handle="many", opened_hours_ago=3)
    mention_ids = [
        add_mention(
            session, case=case, text=f"down again #{index}", at=case.opened_at + timedelta(seconds=index)
        ).id
        for index in range(53)
    ]
    incident = actions.open_incident(
        session,
        brand_id=brand.id,
        title="Outage",
        actor_id=None,
        now=NOW,
        severity=Severity.HIGH,
        mention_ids=mention_ids,
    )
    session.commit()
    sign_in(client, _member(session, brand, "pia@skyways.test", Role.PR).email)

    first = client.get(f"/incidents/{incident.id}").text
    assert first.count('class="incident-mention"') == 50
    assert "The newest 50 of 53 are listed." in first
    link = re.search(r'<a href="(/incidents/\d+\?shown=100)#mentions-title">List the next 3</a>', first)
    assert link, "PR lists the rest on the page"
    every = client.get(link.group(1)).text
    assert every.count('class="incident-mention"') == 53
    assert 'data-testid="more-mentions"' not in every
    for shown in ("10", "1001", "1.0", "-1"):
        assert client.get(f"/incidents/{incident.id}?shown={shown}").status_code == 400, shown
