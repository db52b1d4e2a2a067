"""The inbox's widest-reach order follows what the desk learns of a customer's audience.

Reach is stored on each case (the customer's largest audience on any channel), so the order is
only right if every change reaches it: a new follower count in a later message, customers merged
and the merge undone.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ombuds.accounts.actions import create_api_token
from ombuds.accounts.models import Brand, Team
from ombuds.cases.models import Case, Customer, Identity
from ombuds.mentions.actions import get_or_create_source, ingest_mentions
from ombuds.mentions.schemas import IncomingMention, MentionCreate
from ombuds.pipeline.runner_inline import run_until_idle

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _post(factory: sessionmaker[Session], brand: Brand, *posts: tuple[str, str, int, int]) -> None:
    """Mentions (id, author, followers, minutes after T0) accepted, then the pipeline run."""
    mentions: Sequence[IncomingMention] = [
        IncomingMention(
            mention=(
                created := MentionCreate(
                    external_id=external_id,
                    author=author,
                    text=f"@Skyways my bag never arrived, day {minutes} and nobody answers",
                    created_at=T0 + timedelta(minutes=minutes),
                    channel="x",
                    followers=followers,
                )
            ),
            raw=created.model_dump_json().encode(),
            raw_format="json",
        )
        for external_id, author, followers, minutes in posts
    ]
    with factory.begin() as session:
        source = get_or_create_source(session, brand_id=brand.id, kind="api", name="test feed")
        ingest_mentions(session, source=source, mentions=mentions)
    run_until_idle(factory)


def _customer(session: Session, brand: Brand, handle: str) -> int:
    return session.scalars(
        select(Identity.customer_id).where(Identity.brand_id == brand.id, Identity.handle == handle)
    ).one()


def _by_reach(client: TestClient, headers: dict[str, str], session: Session) -> list[str]:
    """The open cases' customers' names, widest reach first, as the inbox API lists them."""
    answer = client.get("/api/v1/cases?sort=reach", headers=headers)
    assert answer.status_code == 200, answer.text
    names = dict(session.execute(select(Case.id, Customer.display_name).join(Customer)).all())
    return [names[item["id"]] for item in answer.json()["items"]]


def test_the_widest_reach_order_follows_new_counts_merges_and_their_undoing(
    client: TestClient, session_factory: sessionmaker[Session], session: Session, brand: Brand, team: Team
) -> None:
    _, secret = create_api_token(session, brand=brand, name="bridge")
    session.commit()
    headers = {"Authorization": f"Bearer {secret}"}
    _post(session_factory, brand, ("1", "ann", 100, 0), ("2", "bo", 5_000, 1), ("3", "cy", 20_000, 2))
    assert _by_reach(client, headers, session) == ["cy", "bo", "ann"]

    _post(session_factory, brand, ("4", "ann", 9_000, 10))  # Ann's audience grew: her open case moves up
    session.expire_all()
    assert _by_reach(client, headers, session) == ["cy", "ann", "bo"]

    bo, cy = _customer(session, brand, "bo"), _customer(session, brand, "cy")
    merged = client.post(f"/api/v1/customers/{bo}/merge", json={"other_id": cy}, headers=headers)
    assert merged.status_code == 200, merged.text
    session.expire_all()
    # one person now, known on X by 20,000: both cases carry that reach, ahead of Ann's
    order = _by_reach(client, headers, session)
    assert order == ["bo", "bo", "ann"]

    undo = client.post(f"/api/v1/customers/{bo}/merges/{merged.json()['merges'][0]}/undo", headers=headers)
    assert undo.status_code == 200, undo.text
    session.expire_all()
    assert _by_reach(client, headers, session) == ["cy", "ann", "bo"]
