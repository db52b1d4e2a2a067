"""A reply goes through the sink that serves its network, whichever of its names the sink was given."""

from __future__ import annotations

from sqlalchemy.orm import Session

from ombuds.accounts.models import Brand
from ombuds.responses.models import ReplySink, SinkKind
from ombuds.responses.queries import sink_for


def _sink(session: Session, brand: Brand, name: str, channels: list[str]) -> ReplySink:
    sink = ReplySink(
        brand_id=brand.id, name=name, kind=SinkKind.WEBHOOK, channels=channels, url="https://example.com/"
    )
    session.add(sink)
    session.flush()
    return sink


def test_a_sink_for_x_carries_replies_to_tweets_imported_as_twitter(session: Session, brand: Brand) -> None:
    anything = _sink(session, brand, "Everything else", ["*"])
    x = _sink(session, brand, "X", ["x"])
    assert sink_for(session, brand_id=brand.id, channel="twitter") == x
    assert sink_for(session, brand_id=brand.id, channel="x") == x
    assert sink_for(session, brand_id=brand.id, channel="email") == anything


def test_a_sink_named_for_the_channel_as_its_messages_name_it_comes_first(
    session: Session, brand: Brand
) -> None:
    x = _sink(session, brand, "X API", ["x"])
    archive = _sink(session, brand, "Archive bridge", ["twitter"])
    assert sink_for(session, brand_id=brand.id, channel="twitter") == archive
    assert sink_for(session, brand_id=brand.id, channel="x") == x
