"""Every mention comes in through one door that stores each (source, external id) once."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from ombuds.accounts import actions as accounts
from ombuds.accounts.models import Brand
from ombuds.errors import Conflict
from ombuds.events import Event
from ombuds.mentions import queries
from ombuds.mentions.actions import get_or_create_source, ingest_mentions
from ombuds.mentions.models import Direction, Mention, Stage
from ombuds.mentions.schemas import IncomingMention, MentionCreate


def incoming(external_id: str, text: str = "Where is my parcel?", **fields: object) -> IncomingMention:
    mention = MentionCreate.model_validate(
        {
            "external_id": external_id,
            "author": "parcel_pete",
            "text": text,
            "created_at": "2017-10-31T22:10:47+01:00",
            "channel": "twitter",
            **fields,
        }
    )
    return IncomingMention(mention=mention, raw=f"raw {external_id}".encode(), raw_format="json")


def test_new_mentions_enter_the_pipeline_with_their_raw_payload(session: Session, brand: Brand) -> None:
    source = get_or_create_source(session, brand_id=brand.id, kind="api", name="api:crm")

    result = ingest_mentions(
        session, source=source, mentions=[incoming("a", direction="outbound", metrics={"likes": 2})]
    )
    session.commit()

    stored = session.scalars(select(Mention)).one()
    assert result.imported == 1
    assert result.ids == [stored.id]
    assert stored.stage is Stage.INGESTED
    assert stored.direction is Direction.OUTBOUND
    assert stored.brand_id == brand.id
    assert stored.raw == b"raw a"
    assert stored.metrics == {"likes": 2}
    assert stored.created_at == datetime(2017, 10, 31, 21, 10, 47, tzinfo=UTC)


def test_repeats_within_a_batch_and_across_batches_are_duplicates_with_the_stored_id(
    session: Session, brand: Brand
) -> None:
    source = get_or_create_source(session, brand_id=brand.id, kind="import", name="import:generic")
    first = ingest_mentions(session, source=source, mentions=[incoming("a"), incoming("b"), incoming("a")])
    session.commit()

    second = ingest_mentions(
        session, source=source, mentions=[incoming("b", text="edited later"), incoming("c")]
    )
    session.commit()

    assert (first.imported, first.duplicates) == (2, 1)
    assert first.ids[0] == first.ids[2]
    assert (second.imported, second.duplicates) == (1, 1)
    assert second.ids[0] == first.ids[1]
    assert queries.count_mentions(session, brand_id=brand.id) == 3
    kept = queries.get_mention(session, brand_id=brand.id, mention_id=first.ids[1])
    assert kept is not None
    assert kept.text == "Where is my parcel?"  # the first version stays; ingest never overwrites


def test_the_same_external_id_from_two_sources_is_two_mentions(session: Session, brand: Brand) -> None:
    twitter = get_or_create_source(session, brand_id=brand.id, kind="import", name="import:twcs")
    crm = get_or_create_source(session, brand_id=brand.id, kind="api", name="api:crm")

    ingest_mentions(session, source=twitter, mentions=[incoming("42")])
    ingest_mentions(session, source=crm, mentions=[incoming("42")])

    assert queries.count_mentions(session, brand_id=brand.id) == 2


def test_each_ingest_that_stores_something_leaves_one_event(session: Session, brand: Brand) -> None:
    source = get_or_create_source(session, brand_id=brand.id, kind="import", name="import:generic")
    result = ingest_mentions(session, source=source, mentions=[incoming("a"), incoming("b")])
    ingest_mentions(session, source=source, mentions=[incoming("a")])
    session.commit()

    events = session.scalars(select(Event).where(Event.kind == "mentions.ingested")).all()
    assert len(events) == 1
    assert events[0].data == {
        "imported": 2,
        "duplicates": 0,
        "first_mention_id": min(result.ids),
        "last_mention_id": max(result.ids),
    }


def test_sources_are_per_brand_and_keep_their_kind(session: Session, brand: Brand) -> None:
    other = accounts.create_brand(session, slug="railco", name="RailCo")
    mine = get_or_create_source(session, brand_id=brand.id, kind="import", name="import:airline")
    again = get_or_create_source(session, brand_id=brand.id, kind="import", name="import:airline")
    theirs = get_or_create_source(session, brand_id=other.id, kind="import", name="import:airline")

    assert mine.id == again.id
    assert theirs.id != mine.id
    with pytest.raises(Conflict, match="is a 'import' source, not 'api'"):
        get_or_create_source(session, brand_id=brand.id, kind="api", name="import:airline")
