"""The embedded scheduler: a channel that never answers does not hold up another source's items."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ombuds.accounts.models import Brand
from ombuds.connectors.base import Batch, Cursor, FetchFailed
from ombuds.connectors.registry import get_kind
from ombuds.connectors.secrets import secret_box
from ombuds.mentions.actions import set_source_paused
from ombuds.mentions.models import Mention, Source
from ombuds.sources.actions import add_source
from ombuds.sources.models import SourceState
from ombuds.sources.poller import fetch_within
from ombuds.sources.scheduler import Scheduler
from tests.integration.connectors.feed_server import FeedServer

BOX = secret_box("scheduler-test-key-" * 3)


def _rss(session_factory: sessionmaker[Session], brand: Brand, name: str, url: str) -> int:
    with session_factory.begin() as session:
        return add_source(
            session, brand_id=brand.id, kind=get_kind("rss"), name=name, config={"url": url}, box=BOX
        ).id


def test_a_source_that_never_answers_does_not_delay_another_sources_items(
    session_factory: sessionmaker[Session], session: Session, brand: Brand
) -> None:
    with FeedServer() as silent, FeedServer() as lively:
        silent.feed("/feed.xml").add("s-1", "Never seen", "the server sits on it")
        silent.hang.set()
        lively.feed("/feed.xml").add("l-1", "Seen", "my flight was cancelled")
        hung = _rss(session_factory, brand, "Hung forum", silent.url("/feed.xml"))
        _rss(session_factory, brand, "Review site", lively.url("/feed.xml"))
        imported = threading.Event()
        scheduler = Scheduler(
            session_factory, box=BOX, timeout=20, tick_seconds=0.05, on_imported=imported.set
        )
        scheduler.start()
        try:
            assert imported.wait(15), "the lively source's item never arrived"
            assert not silent.requests, "the hung server has answered nothing yet"
            assert list(session.scalars(select(Mention.external_id))) == ["l-1"]
            assert hung in scheduler.polling(), "the hung source waits in its own thread"
        finally:
            scheduler.stop()
            silent.release.set()


def test_a_paused_source_is_not_polled_until_it_resumes(
    session_factory: sessionmaker[Session], session: Session, brand: Brand
) -> None:
    with FeedServer() as server:
        server.feed("/feed.xml").add("a-1", "One", "text")
        source_id = _rss(session_factory, brand, "Paused", server.url("/feed.xml"))
        with session_factory.begin() as writing:
            found = writing.get(Source, source_id)
            assert found is not None
            set_source_paused(writing, source=found, paused=True, at=datetime.now(UTC))
        scheduler = Scheduler(session_factory, box=BOX)
        assert scheduler.start_due_polls() == []
        with session_factory.begin() as writing:
            found = writing.get(Source, source_id)
            assert found is not None
            set_source_paused(writing, source=found, paused=False, at=datetime.now(UTC))
        assert scheduler.start_due_polls() == [source_id]
        assert scheduler.wait_idle(15)
        state = session.get(SourceState, source_id)
        assert state is not None
        assert state.last_success_at is not None


class _Stuck:
    kind = "stuck"

    def __init__(self) -> None:
        self.release = threading.Event()

    def fetch(self, cursor: Cursor | None) -> Batch:
        self.release.wait(30)
        return Batch(records=[], cursor=None, is_last=True)


def test_a_fetch_past_its_deadline_is_cut_off() -> None:
    stuck = _Stuck()
    with pytest.raises(FetchFailed, match=r"stuck: no answer within 0\.2 s"):
        fetch_within(stuck, None, seconds=0.2)
    stuck.release.set()
