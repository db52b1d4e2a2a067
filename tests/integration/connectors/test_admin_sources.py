"""The data sources page: add a feed or a webhook, see each source's health, and work the dead letters."""

from __future__ import annotations

import json
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ombuds.accounts.models import Brand, Role
from ombuds.connectors.secrets import secret_box
from ombuds.events import Event
from ombuds.mentions.actions import get_or_create_source
from ombuds.mentions.models import Mention, Source
from ombuds.sources.models import DeadLetter
from ombuds.sources.poller import poll_source
from tests.integration.connectors.feed_server import FeedServer
from tests.integration.test_admin_pages import _person, signed_in
from tests.integration.test_web_cases import rival

__all__ = ["rival"]


def _letter_ids(page: str) -> list[int]:
    return [int(found) for found in re.findall(r'data-testid="dead-letter" data-letter-id="(\d+)"', page)]


def test_an_admin_adds_a_feed_sees_its_health_and_retries_or_discards_its_dead_letters(
    client: TestClient, session_factory: sessionmaker[Session], session: Session, brand: Brand, rival: Brand
) -> None:
    admin = _person(session, brand, "ann@skyways.test", Role.ADMIN)
    csrf = signed_in(client, admin.email)
    box = secret_box(client.app.state.settings.resolved_secret_key())  # type: ignore[attr-defined]
    with FeedServer() as server:
        feed = server.feed("/reviews.xml")
        feed.add("r-1", "Lost bag", "My bag never arrived")
        feed.add("r-2", "Undated", "An item without a date", published=None)
        feed.add("r-3", "Also undated", "Another one", published=None)
        added = client.post(
            "/admin/sources",
            data={
                "csrf_token": csrf,
                "name": "Reviews",
                "kind": "rss",
                "url": server.url("/reviews.xml"),
                "every": "120",
            },
        )
        assert added.status_code == 303, added.text
        source = session.scalars(select(Source)).one()
        assert poll_source(session_factory, source_id=source.id, box=box).errors == 2

    page = client.get("/admin/sources").text
    assert "last success" in page
    assert "every 120 s" in page
    assert "2 dead letters" in page

    letters = client.get("/admin/sources/dead-letters").text
    assert "created_at: Field required" in letters
    assert "An item without a date" in letters, "the payload is shown as received"
    first, second = sorted(_letter_ids(letters))
    letter = session.get(DeadLetter, first)
    assert letter is not None
    assert letter.fields is not None
    fixed = {**letter.fields, "created_at": "2026-11-30T08:00:00+00:00"}

    # an admin of another brand neither sees nor works these letters
    client.post("/logout", data={"csrf_token": csrf})
    outsider = _person(session, rival, "rob@rival.test", Role.ADMIN)
    rival_csrf = signed_in(client, outsider.email)
    assert _letter_ids(client.get("/admin/sources/dead-letters").text) == []
    for action in ("retry", "discard"):
        answer = client.post(
            f"/admin/sources/dead-letters/{first}/{action}",
            data={"csrf_token": rival_csrf, "fields": json.dumps(fixed)},
        )
        assert answer.status_code == 404, (action, answer.status_code)
    client.post("/logout", data={"csrf_token": rival_csrf})
    csrf = signed_in(client, admin.email)

    wrong = client.post(
        f"/admin/sources/dead-letters/{first}/retry", data={"csrf_token": csrf, "fields": '{"text": "x"}'}
    )
    assert wrong.status_code == 422
    assert "external_id" in wrong.text
    retried = client.post(
        f"/admin/sources/dead-letters/{first}/retry", data={"csrf_token": csrf, "fields": json.dumps(fixed)}
    )
    assert retried.status_code == 303, retried.text
    assert (
        client.post(f"/admin/sources/dead-letters/{second}/discard", data={"csrf_token": csrf}).status_code
        == 303
    )

    after = client.get("/admin/sources/dead-letters").text
    assert after.count('data-testid="dead-letter-resolved"') == 2
    session.expire_all()
    assert sorted(session.scalars(select(Mention.external_id))) == ["r-1", "r-2"]
    kinds = list(
        session.scalars(select(Event.kind).where(Event.kind.like("dead_letter.%")).order_by(Event.id))
    )
    assert kinds == ["dead_letter.retried", "dead_letter.discarded"]


def test_a_webhook_secret_is_shown_once_and_then_only_as_set(
    client: TestClient, session: Session, brand: Brand
) -> None:
    admin = _person(session, brand, "ann@skyways.test", Role.ADMIN)
    csrf = signed_in(client, admin.email)
    created = client.post("/admin/sources", data={"csrf_token": csrf, "name": "Chat", "kind": "webhook"})
    assert created.status_code == 200
    secret = re.search(r'data-testid="source-secret-value" value="([^"]+)"', created.text)
    assert secret
    again = client.get("/admin/sources").text
    assert secret.group(1) not in again
    assert "secret: set" in again
    stored = session.scalars(select(Source.config)).one()
    assert secret.group(1) not in json.dumps(stored)


@pytest.mark.parametrize(
    "fields",
    ['{"a":' * 30_000 + "1" + "}" * 30_000, "[" * 60_000 + "]" * 60_000],
    ids=["objects", "arrays"],
)
def test_fields_nested_thousands_deep_are_refused_naming_fields_and_the_letter_stays_open(
    client: TestClient, session: Session, brand: Brand, fields: str
) -> None:
    source = get_or_create_source(session, brand_id=brand.id, kind="api", name="feed")
    letter = DeadLetter(
        brand_id=brand.id,
        source_id=source.id,
        position=1,
        raw=b"{}",
        raw_format="json",
        fields={"external_id": "d-1"},
        error="created_at: Field required",
        digest="0" * 64,
    )
    session.add(letter)
    session.commit()
    admin = _person(session, brand, "ann@skyways.test", Role.ADMIN)
    csrf = signed_in(client, admin.email)

    answer = client.post(
        f"/admin/sources/dead-letters/{letter.id}/retry", data={"csrf_token": csrf, "fields": fields}
    )

    assert answer.status_code == 422
    assert "fields: not JSON that can be read (nested too deeply)" in answer.text
    session.expire_all()
    assert (letter.resolved_at, letter.fields) == (None, {"external_id": "d-1"})
    assert session.scalars(select(Mention.id)).all() == []
