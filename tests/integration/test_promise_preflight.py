"""PR checks a draft claim against what customers wrote before launching it; care comments; nothing
becomes a promise until someone registers it."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from ombuds.accounts import actions as accounts
from ombuds.accounts.models import Brand, Role, Team
from ombuds.clock import utcnow
from ombuds.mentions.actions import get_or_create_source, ingest_mentions
from ombuds.mentions.schemas import IncomingMention, MentionCreate
from ombuds.pipeline.runner_inline import run_until_idle
from ombuds.promises.models import Promise, PromiseDraft
from tests.integration.test_web_cases import PASSWORD, rival, sign_in

__all__ = ["rival"]

#: Six weeks of a small airline's customers: mostly delays, one happy on-time flight, one unrelated.
MESSAGES = (
    "@Skyways flight delayed three hours again, we missed our connection",
    "@Skyways another delay at Lisbon, nobody tells us anything. Late every single time",
    "@Skyways two hour delay so far and the app still says on schedule",
    "@Skyways cancelled at the gate after waiting all night. Unacceptable",
    "@Skyways landed early, great crew, thank you!",
    "@Skyways can I add a second bag to my booking online?",
)


@pytest.fixture
def desk(session: Session, session_factory: sessionmaker[Session], brand: Brand, team: Team) -> Brand:
    """PR, a care lead (manager) and an agent; the messages above through the pipeline."""
    for email, role in (
        ("priya@skyways.test", Role.PR),
        ("lea@skyways.test", Role.MANAGER),
        ("ada@skyways.test", Role.AGENT),
    ):
        user = accounts.create_user(session, email=email, name=email.split("@")[0].title(), password=PASSWORD)
        accounts.add_membership(session, user=user, brand=brand, role=role)
    session.commit()
    now = utcnow()
    with session_factory.begin() as writing:
        source = get_or_create_source(writing, brand_id=brand.id, kind="api", name="feed")
        ingest_mentions(
            writing,
            source=source,
            mentions=[
                IncomingMention(
                    MentionCreate(
                        external_id=f"m-{index}",
                        author=f"traveller{index}",
                        text=text,
                        created_at=now - timedelta(days=40 - 7 * index),
                        channel="twitter",
                    ),
                    b"{}",
                    "json",
                )
                for index, text in enumerate(MESSAGES)
            ],
        )
    run_until_idle(session_factory)
    return brand


def _token(session: Session, brand: Brand, email: str) -> str:
    person = session.scalars(select(accounts.User).where(accounts.User.email == email)).one()
    secret = accounts.create_api_token(session, brand=brand, name="preflight", user=person)[1]
    session.commit()
    return secret


def _count(factory: sessionmaker[Session], model: type[Promise] | type[PromiseDraft]) -> int:
    with factory() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_a_punctuality_claim_is_contradicted_by_delays_and_stored_nowhere(
    client: TestClient, session: Session, session_factory: sessionmaker[Session], desk: Brand
) -> None:
    pr = {"Authorization": f"Bearer {_token(session, desk, 'priya@skyways.test')}"}
    answer = client.post(
        "/api/v1/promises/preflight",
        json={"text": "Our flights leave and arrive on time, every time", "weeks": 8},
        headers=pr,
    )

    assert answer.status_code == 200, answer.text
    found = answer.json()
    assert found["contradicts"] > found["confirms"], found
    assert found["contradicts"] >= 3, found
    assert found["matches"] == found["confirms"] + found["contradicts"] + found["neutral"]
    low, high = found["interval"]
    assert 0 <= low <= found["alignment"] <= high <= 1
    assert found["alignment"] < 0.5
    first = found["examples"][0]
    assert first["stance"] == "contradicts"
    assert first["case_id"] is not None
    assert any("delay" in example["text"] for example in found["examples"])
    assert not any("second bag" in example["text"] for example in found["examples"])
    assert _count(session_factory, Promise) == 0, "a preflight registers no promise"

    narrow = client.post(
        "/api/v1/promises/preflight",
        json={"text": "Our flights leave and arrive on time, every time", "weeks": 1},
        headers=pr,
    )
    assert narrow.json()["messages"] == 1, "the window holds only the last week's message"

    agent = {"Authorization": f"Bearer {_token(session, desk, 'ada@skyways.test')}"}
    refused = client.post(
        "/api/v1/promises/preflight",
        json={"text": "Our flights leave and arrive on time, every time"},
        headers=agent,
    )
    assert refused.status_code == 403
    assert "pr, manager or admin" in refused.json()["detail"]


def _csrf(client: TestClient, url: str) -> str:
    page = client.get(url)
    assert page.status_code == 200, page.text
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found
    return found.group(1)


def test_pr_saves_a_draft_care_comments_from_its_queue_and_pr_registers_it(
    client: TestClient, session: Session, session_factory: sessionmaker[Session], desk: Brand, rival: Brand
) -> None:
    sign_in(client, "priya@skyways.test")
    token = _csrf(client, "/promises/preflight")
    checked = client.post(
        "/promises/preflight",
        data={"text": "Our flights leave and arrive on time, every time", "weeks": "8", "csrf_token": token},
    )
    assert checked.status_code == 200, checked.text
    assert 'data-testid="preflight-contradicts"' in checked.text
    assert "missed our connection" in checked.text, "a contradicting voice is shown"
    assert _count(session_factory, PromiseDraft) == 0, "checking alone saves nothing"

    saved = client.post(
        "/promises/preflight/drafts",
        data={"text": "Our flights leave and arrive on time, every time", "weeks": "8", "csrf_token": token},
    )
    assert saved.status_code == 303, saved.text
    draft_url = saved.headers["location"]

    # PR of another brand on the same installation: the draft does not exist for them
    client.post("/logout", data={"csrf_token": token})
    outsider = accounts.create_user(session, email="pia@rival.test", name="Pia", password=PASSWORD)
    accounts.add_membership(session, user=outsider, brand=rival, role=Role.PR)
    session.commit()
    sign_in(client, "pia@rival.test")
    assert client.get(draft_url).status_code == 404
    rival_token = _csrf(client, "/promises/preflight")
    for action, data in (("comments", {"text": "mine now"}), ("register", {"key": ""}), ("check", {})):
        answer = client.post(f"{draft_url}/{action}", data={**data, "csrf_token": rival_token})
        assert answer.status_code == 404, (action, answer.status_code)

    client.post("/logout", data={"csrf_token": rival_token})
    sign_in(client, "lea@skyways.test")
    queue = client.get("/team").text
    assert f'href="{draft_url}"' in queue, "the care lead finds the draft from the team page"
    lead_token = _csrf(client, draft_url)
    commented = client.post(
        f"{draft_url}/comments", data={"text": "Lisbon delays are still weekly", "csrf_token": lead_token}
    )
    assert commented.status_code == 303
    assert "Lisbon delays are still weekly" in client.get(draft_url).text

    client.post("/logout", data={"csrf_token": lead_token})
    sign_in(client, "priya@skyways.test")
    page = client.get(draft_url).text
    assert "Lisbon delays are still weekly" in page
    assert _count(session_factory, Promise) == 0
    registered = client.post(
        f"{draft_url}/register", data={"key": "", "csrf_token": _csrf(client, draft_url)}
    )
    assert registered.status_code == 303, registered.text
    with session_factory() as session:
        promise = session.scalars(select(Promise)).one()
        assert promise.text == "Our flights leave and arrive on time, every time"
        assert registered.headers["location"] == f"/promises/{promise.id}"
