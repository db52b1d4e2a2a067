"""Messages fed through the whole pipeline, for tests that need processed cases and customers."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session, sessionmaker

from ombuds.accounts.models import Brand
from ombuds.clock import utcnow
from ombuds.mentions.actions import get_or_create_source, ingest_mentions
from ombuds.mentions.schemas import IncomingMention, MentionCreate
from ombuds.pipeline.runner_inline import run_until_idle


def feed(factory: sessionmaker[Session], brand: Brand, messages: list[tuple[str, str, str]]) -> None:
    """(channel, handle, text) messages a minute apart, from two hours ago, through every stage."""
    start = utcnow() - timedelta(hours=2)
    with factory.begin() as writing:
        source = get_or_create_source(writing, brand_id=brand.id, kind="api", name="feed")
        ingest_mentions(
            writing,
            source=source,
            mentions=[
                IncomingMention(
                    MentionCreate(
                        external_id=f"{brand.slug}-{index}",
                        author=handle,
                        text=text,
                        created_at=start + timedelta(minutes=index),
                        channel=channel,
                    ),
                    b"{}",
                    "json",
                )
                for index, (channel, handle, text) in enumerate(messages)
            ],
        )
    run_until_idle(factory)
