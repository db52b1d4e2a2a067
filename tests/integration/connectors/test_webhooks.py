"""Signed webhooks in: the signature is the credential; bad, stale and replayed requests are refused."""

from __future__ import annotations

import json
import logging
import time

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from ombuds.accounts.models import Brand
from ombuds.clock import utcnow
from ombuds.connectors.registry import get_kind
from ombuds.connectors.secrets import secret_box
from ombuds.connectors.webhook import signature
from ombuds.mentions.actions import set_source_paused
from ombuds.mentions.models import Mention, Source
from ombuds.sources.actions import add_source
from ombuds.sources.api import MAX_HOOK_BYTES
from ombuds.sources.models import SourceState
from ombuds.web.app import HOOK_REFUSALS_PER_MINUTE

SECRET = "chat-widget-secret-0123456789"
MENTION = {
    "external_id": "chat-1",
    "author": "mara@example.org",
    "text": "The chat bot promised a refund that never came",
    "created_at": "2026-11-30T09:00:00+00:00",
    "channel": "chat",
    "is_public": False,
}


@pytest.fixture
def hook(client: TestClient, session_factory: sessionmaker[Session], brand: Brand) -> int:
    box = secret_box(client.app.state.settings.resolved_secret_key())  # type: ignore[attr-defined]
    with session_factory.begin() as session:
        return add_source(
            session,
            brand_id=brand.id,
            kind=get_kind("webhook"),
            name="Chat",
            config={"secret": SECRET},
            box=box,
        ).id


def post(client: TestClient, source_id: int, body: bytes, *, secret: str = SECRET, at: int | None = None):  # type: ignore[no-untyped-def]
    stamp = str(at if at is not None else int(time.time()))
    headers = {
        "X-Ombuds-Timestamp": stamp,
        "X-Ombuds-Signature": signature(secret, timestamp=stamp, body=body),
        "Content-Type": "application/json",
    }
    return client.post(f"/api/v1/hooks/{source_id}", content=body, headers=headers)


def test_a_signed_push_is_stored_and_a_repeat_counts_as_a_duplicate(
    client: TestClient, hook: int, session: Session
) -> None:
    one = post(client, hook, json.dumps(MENTION).encode())
    assert one.status_code == 202, one.text
    assert one.json()["imported"] == 1
    second = {**MENTION, "external_id": "chat-2"}
    many = post(client, hook, json.dumps([MENTION, second]).encode(), at=int(time.time()) - 1)
    assert many.status_code == 202, many.text
    assert (many.json()["imported"], many.json()["duplicates"]) == (1, 1)
    assert many.json()["ids"][0] == one.json()["ids"][0]
    assert session.scalar(select(func.count()).select_from(Mention).where(Mention.source_id == hook)) == 2
    health = session.get(SourceState, hook)
    assert health is not None
    assert health.last_success_at is not None
    assert health.newest_created_at is not None
    assert health.newest_created_at.isoformat() == "2026-11-30T09:00:00+00:00"


def test_bad_stale_and_replayed_signatures_are_refused_and_logged_without_the_secret(
    client: TestClient, hook: int, session: Session, caplog: pytest.LogCaptureFixture
) -> None:
    body = json.dumps(MENTION).encode()
    caplog.set_level(logging.WARNING, logger="ombuds.sources.api")
    wrong = post(client, hook, body, secret="not-the-secret-at-all-000")
    assert wrong.status_code == 401
    assert "does not match" in wrong.json()["detail"]
    stale = post(client, hook, body, at=int(time.time()) - 301)
    assert stale.status_code == 401
    assert "300 s" in stale.json()["detail"]
    unsigned = client.post(f"/api/v1/hooks/{hook}", content=body)
    assert unsigned.status_code == 401
    stamp = str(int(time.time()))
    headers = {
        "X-Ombuds-Timestamp": stamp,
        "X-Ombuds-Signature": signature(SECRET, timestamp=stamp, body=body),
    }
    assert client.post(f"/api/v1/hooks/{hook}", content=body, headers=headers).status_code == 202
    replay = client.post(f"/api/v1/hooks/{hook}", content=body, headers=headers)
    assert replay.status_code == 401
    assert "replayed" in replay.json()["detail"]
    # the same signature padded or in capitals is the same signature, not a new one
    for disguised in (f"  {headers['X-Ombuds-Signature'].upper()}\t", headers["X-Ombuds-Signature"] + "\xa0"):
        again = client.post(
            f"/api/v1/hooks/{hook}",
            content=body,
            headers={**headers, "X-Ombuds-Signature": disguised.encode("latin-1")},
        )
        assert again.status_code == 401, disguised
    refusals = [record.getMessage() for record in caplog.records]
    assert any("does not match" in line for line in refusals)
    assert any("replayed" in line for line in refusals)
    assert not any(SECRET in line for line in refusals)
    assert session.scalar(select(func.count()).select_from(Mention)) == 1


def test_bad_bodies_are_refused_with_their_reason(client: TestClient, hook: int, session: Session) -> None:
    assert post(client, hook, b"{not json").status_code == 422
    invalid = post(client, hook, json.dumps({**MENTION, "created_at": "yesterday"}).encode())
    assert invalid.status_code == 422
    assert invalid.json()["detail"][0]["loc"] == ["body", "created_at"]
    assert post(client, hook, b"[" + b" " * (1024 * 1024) + b"]").status_code == 413
    with session.begin():
        found = session.get(Source, hook)
        assert found is not None
        set_source_paused(session, source=found, paused=True, at=utcnow())
    paused = post(client, hook, json.dumps(MENTION).encode())
    assert paused.status_code == 503
    assert paused.headers["retry-after"] == "300"
    assert post(client, 999_999, json.dumps(MENTION).encode()).status_code == 401


def test_a_flood_of_forged_pushes_is_answered_429_before_any_work_and_others_still_push(
    client: TestClient, hook: int, session: Session, caplog: pytest.LogCaptureFixture
) -> None:
    body = json.dumps(MENTION).encode()
    caplog.set_level(logging.WARNING, logger="ombuds.sources.api")
    answers = [post(client, hook, body, secret="forged-secret-guess-000").status_code for _ in range(25)]
    assert answers == [401] * HOOK_REFUSALS_PER_MINUTE + [429] * 5
    paused = post(client, hook, body, secret="forged-secret-guess-000")
    assert 1 <= int(paused.headers["Retry-After"]) <= 60
    assert len(caplog.records) == HOOK_REFUSALS_PER_MINUTE, "the flood stops filling the log"
    big = post(client, hook, b"x" * (MAX_HOOK_BYTES + 1), secret="forged-secret-guess-000")
    assert big.status_code == 429, "paused before its body is even read"
    # another address is not paused: only refusals from the flooding address count
    other = TestClient(client.app, client=("203.0.113.7", 50000))
    stamp = str(int(time.time()))
    signed = {
        "X-Ombuds-Timestamp": stamp,
        "X-Ombuds-Signature": signature(SECRET, timestamp=stamp, body=body),
        "Content-Type": "application/json",
    }
    assert other.post(f"/api/v1/hooks/{hook}", content=body, headers=signed).status_code == 202
    assert session.scalar(select(func.count()).select_from(Mention)) == 1
    # an IPv6 sender is one /64: a fresh address from it per try is paused all the same
    forged = {**signed, "X-Ombuds-Signature": "sha256=" + "0" * 64}
    for n in range(HOOK_REFUSALS_PER_MINUTE):
        rotating = TestClient(client.app, client=(f"2001:db8:7::{n + 1:x}", 50000))
        assert rotating.post(f"/api/v1/hooks/{hook}", content=body, headers=forged).status_code == 401
    fresh = TestClient(client.app, client=("2001:db8:7::ffff", 50000))
    assert fresh.post(f"/api/v1/hooks/{hook}", content=body, headers=signed).status_code == 429
