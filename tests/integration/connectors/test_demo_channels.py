"""The demo's live channels: the RSS feed it serves itself brings reviews in, one more as time passes."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from ombuds.accounts.models import Brand
from ombuds.connectors.secrets import secret_box
from ombuds.demo.live_channels import EVERY, DemoFeedServer, add_live_sources
from ombuds.mentions.models import Mention, Source
from ombuds.sources.poller import poll_source

BOX = secret_box("demo-channels-key-" * 3)


def test_the_demo_feed_is_polled_and_grows_while_the_demo_runs(
    session_factory: sessionmaker[Session], session: Session, brand: Brand
) -> None:
    now = [datetime(2026, 12, 1, 9, 0, tzinfo=UTC)]
    feed = DemoFeedServer(clock=lambda: now[0])
    try:
        feed_id, hook_id, secret = add_live_sources(
            session_factory, brand_id=brand.id, feed_url=feed.url, box=BOX
        )
        assert poll_source(session_factory, source_id=feed_id, box=BOX).imported == 3
        now[0] += EVERY
        assert poll_source(session_factory, source_id=feed_id, box=BOX).imported == 1
    finally:
        feed.stop()
    assert session.scalar(select(func.count()).select_from(Mention).where(Mention.channel == "reviews")) == 4
    assert session.scalar(select(Source.kind).where(Source.id == hook_id)) == "webhook"
    assert len(secret) >= 32
