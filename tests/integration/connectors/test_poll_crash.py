"""A poller killed (SIGKILL) between fetching a batch and storing it loses and doubles nothing.

The real command, ``ombuds sources poll --once``, runs as a subprocess; the test holds a write lock
on the source so the batch it fetched cannot be stored, kills it once the feed was served, and polls
again as a restarted process would: every item arrives exactly once, resumed from the cursor
stored with the earlier items.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session, sessionmaker

from ombuds.accounts.models import Brand
from ombuds.connectors.registry import get_kind
from ombuds.connectors.secrets import secret_box
from ombuds.mentions.models import Mention, Source
from ombuds.sources.actions import add_source
from ombuds.sources.poller import poll_source
from ombuds.sources.scheduler import poll_all_once
from tests.integration.connectors.feed_server import FeedServer

OMBUDS = Path(sys.executable).with_name("ombuds")
KEY = "crash-test-secret-key-" * 3


def _poll(env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [str(OMBUDS), "sources", "poll", "--once", "--json"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_a_poller_killed_mid_batch_brings_every_item_exactly_once_after_a_restart(
    database_url: str,
    engine: Engine,
    session_factory: sessionmaker[Session],
    session: Session,
    brand: Brand,
    tmp_path: Path,
) -> None:
    env = {
        **os.environ,
        "OMBUDS_DATABASE_URL": database_url,
        "OMBUDS_DATA_DIR": str(tmp_path / "var"),
        "OMBUDS_SECRET_KEY": KEY,
    }
    with FeedServer() as server:
        feed = server.feed("/reviews.xml")
        for number in range(1, 6):
            feed.add(f"r-{number}", f"Review {number}", f"complaint number {number}")
        with session_factory.begin() as writing:
            source_id = add_source(
                writing,
                brand_id=brand.id,
                kind=get_kind("rss"),
                name="Reviews",
                config={"url": server.url("/reviews.xml")},
                box=secret_box(KEY),
            ).id
        assert poll_source(session_factory, source_id=source_id, box=secret_box(KEY)).imported == 5
        stored_cursor = session.scalar(select(Source.cursor).where(Source.id == source_id))
        for number in range(6, 11):
            feed.add(f"r-{number}", f"Review {number}", f"complaint number {number}")

        server.served.clear()
        with engine.connect() as blocker:
            # a write in an open transaction: SQLite's write lock, PostgreSQL's lock on the source row
            blocker.execute(text("UPDATE source SET name = name WHERE id = :id"), {"id": source_id})
            poller = _poll(env)
            try:
                assert server.served.wait(60), "the poller never fetched the feed"
            finally:
                poller.kill()  # SIGKILL: no clean-up, no rollback but the database's own
                poller.communicate(timeout=30)
            blocker.rollback()
        assert server.requests[-1] == ("/reviews.xml", 200)
        session.expire_all()
        assert session.scalar(select(Source.cursor).where(Source.id == source_id)) == stored_cursor
        assert len(list(session.scalars(select(Mention.id)))) == 5

        # the restart, in this process: the CLI's own poll of every source
        again = poll_all_once(session_factory, box=secret_box(KEY))
        assert [outcome.as_json() for outcome in again] == [
            {"id": source_id, "fetched": 5, "imported": 5, "duplicates": 0, "errors": 0}
        ]
    session.expire_all()
    external_ids = list(session.scalars(select(Mention.external_id).order_by(Mention.id)))
    assert sorted(external_ids) == sorted(f"r-{number}" for number in range(1, 11))
