"""An accepted mention is never left unread: counts no post could have do not fail its analysis,
and a mention a stage did fail on goes back to that stage with `ombuds pipeline retry`."""

from __future__ import annotations

import json

import httpx2
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ombuds.accounts import actions as accounts
from ombuds.accounts.models import Brand
from ombuds.events import Event
from ombuds.mentions.models import Mention, Stage
from ombuds.pipeline.runner_inline import _fail_alone, run_until_idle
from ombuds.pipeline.stages import STAGES
from tests.conftest import Ombuds


def post(client: TestClient, headers: httpx2.Headers, external_id: str, **extra: object) -> int:
    body = {
        "external_id": external_id,
        "author_handle": "vik",
        "text": "my bag never arrived",
        "created_at": "2026-12-01T09:00:00Z",
        **extra,
    }
    answer = client.post("/api/v1/mentions", json=body, headers=headers)
    assert answer.status_code == 200, answer.text
    return int(answer.json()["ids"][0])


def test_a_mention_with_counts_past_any_post_is_read_and_a_failed_one_is_retried(
    client: TestClient,
    session: Session,
    session_factory: sessionmaker[Session],
    brand: Brand,
    ombuds: Ombuds,
) -> None:
    _, secret = accounts.create_api_token(session, brand=brand, name="feed")
    session.commit()
    headers = httpx2.Headers({"Authorization": f"Bearer {secret}"})
    # likes summed past 2**64 once failed the analysis, and the accepted message was never read
    huge = post(client, headers, "m-huge", metrics={"likes": 1e308, "favorites": 9e18, "favourites": 9e18})
    run_until_idle(session_factory)
    session.expire_all()
    read = session.get(Mention, huge)
    assert read is not None
    assert read.stage is Stage.DETECTED
    assert read.case_id is not None

    # a mention a stage failed on alone, as the runner marks it (a disk full, a bug mended since)
    other = post(client, headers, "m-other")
    _fail_alone(session_factory, STAGES[0], other, RuntimeError("disk full"))
    status = ombuds("pipeline", "status")
    assert "1 failed" in status.output
    assert "ombuds pipeline retry" in status.output

    retried = ombuds("pipeline", "retry", "--json")
    assert retried.exit_code == 0, retried.output
    assert json.loads(retried.output) == {"retried": {"enrich": 1}}
    assert ombuds("pipeline", "run").exit_code == 0
    session.expire_all()
    again = session.get(Mention, other)
    assert again is not None
    assert again.stage is Stage.DETECTED
    assert again.case_id is not None
    kinds = session.scalars(
        select(Event.kind)
        .where(Event.subject_type == "mention", Event.subject_id == other)
        .order_by(Event.id)  # PostgreSQL keeps no order of its own
    )
    assert list(kinds) == ["pipeline.failed", "pipeline.retried"]
    # nothing left to send back; a brand that does not exist is named
    assert "no mention has failed" in ombuds("pipeline", "retry").output
    unknown = ombuds("pipeline", "retry", "--brand", "nobody")
    assert unknown.exit_code == 2
    assert "no brand 'nobody'" in unknown.output
