"""Two writers ingesting the same mentions at the same moment still store each mention once."""

from __future__ import annotations

import sys
import threading
import time
import traceback

from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session, sessionmaker

from ombuds.accounts.models import Brand
from ombuds.mentions.actions import get_or_create_source, ingest_mentions
from ombuds.mentions.models import Mention, Source
from ombuds.mentions.schemas import IncomingMention, IngestResult, MentionCreate


def incoming(external_id: str) -> IncomingMention:
    mention = MentionCreate(
        external_id=external_id,
        author="mara",
        text=f"message {external_id}",
        created_at="2026-03-02T09:00:00+00:00",  # type: ignore[arg-type]
    )
    return IncomingMention(mention=mention, raw=external_id.encode(), raw_format="json")


def wait_until_a_backend_waits_for_a_lock(
    engine: Engine, writer: threading.Thread, *, timeout: float = 60.0
) -> None:
    """On PostgreSQL, block until the second writer is queued behind the first one's rows (or has
    ended, which the test's assertions then explain)."""
    deadline = time.monotonic() + timeout
    with engine.connect() as connection:
        while time.monotonic() < deadline and writer.is_alive():
            waiting = connection.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity"
                    " WHERE wait_event_type = 'Lock' AND datname = current_database()"
                )
            ).scalar_one()
            if waiting:
                return
            time.sleep(0.01)  # polling a condition with a deadline, not guessing a duration
            connection.rollback()  # a transaction sees the activity of its first read, never later
        if writer.is_alive():
            others = connection.execute(
                text("SELECT state, wait_event_type, wait_event, left(query, 80) FROM pg_stat_activity")
            ).all()
            stack = "".join(traceback.format_stack(sys._current_frames()[writer.ident or 0]))
            raise AssertionError(f"the second writer never waited for the first one: {others}\n{stack}")


def test_concurrent_ingests_of_overlapping_mentions_store_each_once_and_agree_on_ids(
    engine: Engine, session_factory: sessionmaker[Session], brand: Brand
) -> None:
    with session_factory.begin() as setup:
        source_id = get_or_create_source(setup, brand_id=brand.id, kind="api", name="api:crm").id
    everything = [incoming(str(number)) for number in range(50)]
    outcome: dict[str, IngestResult | BaseException] = {}
    connected, go = threading.Event(), threading.Event()

    def second_writer() -> None:
        try:
            with session_factory.begin() as session:
                source = session.get(Source, source_id)  # connects before the race starts
                assert source is not None
                connected.set()
                go.wait(timeout=60)
                outcome["second"] = ingest_mentions(session, source=source, mentions=everything)
        except BaseException as exc:
            outcome["second"] = exc
        finally:
            connected.set()

    writer = threading.Thread(target=second_writer)
    writer.start()
    assert connected.wait(timeout=60), "the second writer could not connect"
    first = session_factory()
    try:
        source = first.get(Source, source_id)
        assert source is not None
        first_result = ingest_mentions(first, source=source, mentions=everything[:30])  # not committed yet
        go.set()
        if engine.dialect.name == "postgresql":
            wait_until_a_backend_waits_for_a_lock(engine, writer)
        first.commit()
    finally:
        first.close()
    writer.join(timeout=60)

    second = outcome["second"]
    assert isinstance(second, IngestResult), second
    assert (first_result.imported, first_result.duplicates) == (30, 0)
    assert (second.imported, second.duplicates) == (20, 30)
    assert second.ids[:30] == first_result.ids
    with session_factory() as check:
        assert check.scalar(select(func.count()).select_from(Mention)) == 50
