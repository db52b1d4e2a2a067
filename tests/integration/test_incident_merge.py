"""One outage, one incident: a storm that opens beside an open incident of the same event is
proposed for merging, and PR merges it; its mentions, cases and later messages go to the first."""

from __future__ import annotations

import re
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ombuds.accounts import actions as accounts
from ombuds.accounts.models import Brand, Role
from ombuds.events import Event
from ombuds.incidents import actions
from ombuds.incidents.detectors import Signal, Storm, StormChange
from ombuds.incidents.models import Incident, IncidentMention, IncidentStatus
from ombuds.mentions.models import Mention
from tests.integration.test_web_cases import NOW, PASSWORD, add_case, add_mention, sign_in

START = NOW - timedelta(hours=2)


def _mention(session: Session, brand: Brand, handle: str, minutes: float) -> Mention:
    case = add_case(
        session, brand=brand, subject=f"Down {handle}", handle=handle, opened_hours_ago=2 - minutes / 60
    )
    return add_mention(session, case=case, text="also down for me", at=START + timedelta(minutes=minutes))


def _storm(storm_id: int, phrase: str, minutes: float) -> Storm:
    at = START + timedelta(minutes=minutes)
    storm = Storm(storm_id=storm_id, signal=Signal.CLUSTER, key="phrase", opened_at=at, last_activity_at=at)
    storm.phrases = {storm_id: phrase}
    storm.first_mention_at = storm.last_mention_at = at.timestamp()
    return storm


def _change(storm_id: int, kind: str, minutes: float, *mentions: Mention) -> StormChange:
    return StormChange(storm_id, kind, START + timedelta(minutes=minutes), tuple(m.id for m in mentions))  # type: ignore[arg-type]


def test_pr_merges_the_outage_s_second_storm_into_the_first_from_the_proposal(
    client: TestClient, session: Session, brand: Brand
) -> None:
    first = [_mention(session, brand, h, m) for h, m in (("ann", 0), ("bo", 3))]
    second = [_mention(session, brand, "cy", 10)]
    storms = {1: _storm(1, "also down for me", 0), 2: _storm(2, "nothing loads", 10)}
    [a] = actions.apply_storm_changes(
        session, brand_id=brand.id, storms=storms, changes=[_change(1, "opened", 5, *first)]
    )
    [b] = actions.apply_storm_changes(
        session, brand_id=brand.id, storms=storms, changes=[_change(2, "opened", 12, *second)]
    )
    user = accounts.create_user(session, email="pia@skyways.test", name="Pia", password=PASSWORD)
    accounts.add_membership(session, user=user, brand=brand, role=Role.PR)
    session.commit()
    sign_in(client, "pia@skyways.test")

    page = client.get(f"/incidents/{b.id}")
    assert 'data-testid="merge-proposal"' in page.text
    assert f'Looks like the same event as <a href="/incidents/{a.id}">#{a.id}' in page.text
    assert 'data-testid="merge-proposal"' not in client.get(f"/incidents/{a.id}").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token

    merged = client.post(f"/incidents/{b.id}/merge", data={"into": str(a.id), "csrf_token": token.group(1)})
    assert merged.headers["location"] == f"/incidents/{a.id}"
    session.expire_all()
    a, b = session.get(Incident, a.id), session.get(Incident, b.id)
    assert a is not None
    assert b is not None
    assert (b.status, b.merged_into_id, a.mention_count) == (IncidentStatus.RESOLVED, a.id, 3)
    assert session.scalar(select(func.count()).where(IncidentMention.incident_id == b.id)) == 0
    kinds = set(
        session.scalars(
            select(Event.kind).where(Event.subject_type == "incident", Event.kind.like("%merge%"))
        )
    )
    assert kinds == {"incident.merge_proposed", "incident.merged", "incident.merged_in"}

    # B's page is A's now, saying so; A lists the third customer's case.
    followed = client.get(f"/incidents/{b.id}")
    assert followed.status_code == 303
    shown = client.get(followed.headers["location"])
    assert f"Incident #{b.id}" in shown.text
    assert "was merged into this one" in shown.text
    assert f'href="/cases/{second[0].case_id}" data-testid="incident-case-link"' in shown.text

    # The second storm keeps talking: its new mentions land on A.
    later = _mention(session, brand, "dee", 30)
    actions.apply_storm_changes(
        session, brand_id=brand.id, storms=storms, changes=[_change(2, "grew", 30, later)]
    )
    session.commit()
    assert a.mention_count == 4
    assert client.get(f"/api/v1/incidents/{b.id}").json()["merged_into_id"] == a.id


def test_the_api_refuses_merging_into_itself_or_a_merged_incident(
    client: TestClient, session: Session, brand: Brand
) -> None:
    one, two = (
        actions.open_incident(session, brand_id=brand.id, title=t, actor_id=None, now=NOW)
        for t in ("One", "Two")
    )
    pia = accounts.create_user(session, email="pia@skyways.test", name="Pia", password=PASSWORD)
    accounts.add_membership(session, user=pia, brand=brand, role=Role.PR)
    _, token = accounts.create_api_token(session, brand=brand, name="pr-bot", user=pia)
    _, integration = accounts.create_api_token(session, brand=brand, name="status-page")
    session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    refused = client.post(
        f"/api/v1/incidents/{two.id}/merge",
        json={"into": one.id},
        headers={"Authorization": f"Bearer {integration}"},
    )
    assert refused.status_code == 403, "a token made for no person has an agent's rights"
    assert (
        client.post(f"/api/v1/incidents/{one.id}/merge", json={"into": one.id}, headers=headers).status_code
        == 422
    )
    done = client.post(f"/api/v1/incidents/{two.id}/merge", json={"into": one.id}, headers=headers)
    assert (done.status_code, done.json()["id"]) == (200, one.id)
    again = client.post(f"/api/v1/incidents/{one.id}/merge", json={"into": two.id}, headers=headers)
    assert again.status_code == 422
    assert "not open" in again.text
