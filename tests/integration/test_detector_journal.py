"""The detectors keep each batch as a journal entry and their whole state only now and then; a
worker that did not write the last batches (another process, or one whose batch rolled back)
carries on with the same detectors."""

from __future__ import annotations

import json
import zlib
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from ombuds.accounts.models import Brand
from ombuds.incidents import actions as incidents_actions
from ombuds.incidents import stage
from ombuds.incidents.detectors import DetectorSettings
from ombuds.incidents.detectors.state import dumps, loads, monitor_to_state
from ombuds.incidents.models import DetectorJournal, DetectorState
from ombuds.mentions.actions import get_or_create_source, ingest_mentions
from ombuds.mentions.models import Mention
from ombuds.mentions.schemas import IncomingMention, MentionCreate
from tests.support.detector_states import as_stored_before_voices

START = datetime(2026, 3, 2, tzinfo=UTC)
WORDS = ["bag", "lost", "delayed", "gate", "refund", "crew", "seat", "late", "wifi", "meal"]


def _stream(count: int) -> list[MentionCreate]:
    """Two days of everyday complaints from a few dozen customers, ordered in time."""
    return [
        MentionCreate(
            external_id=f"m{index}",
            author=f"flyer{index % 37}",
            text=f"my {WORDS[index % 10]} was {WORDS[(index * 7) % 10]} again at {WORDS[(index * 3) % 10]}",
            created_at=START + timedelta(minutes=7 * index),
            channel="twitter",
        )
        for index in range(count)
    ]


@pytest.fixture
def mention_ids(session_factory: sessionmaker[Session], brand: Brand) -> list[int]:
    with session_factory.begin() as session:
        source = get_or_create_source(session, brand_id=brand.id, kind="import", name="import:test")
        incoming = [IncomingMention(mention=m, raw=b"{}", raw_format="json") for m in _stream(400)]
        ingest_mentions(session, source=source, mentions=incoming)
    with session_factory() as session:
        return list(session.scalars(select(Mention.id).order_by(Mention.created_at, Mention.id)))


def _detect(factory: sessionmaker[Session], brand: Brand, ids: list[int]) -> bytes:
    """One batch through the stage; the monitor it left, as this process keeps it."""
    with factory.begin() as session:
        batch = list(session.scalars(select(Mention).where(Mention.id.in_(ids))))
        stage.detect(session, brand_id=brand.id, mentions=batch, now=max(m.created_at for m in batch))
        url = str(session.get_bind().engine.url)
    return dumps(stage._monitors[(url, brand.id)][1])


def _as_another_worker_sees_it(factory: sessionmaker[Session], brand: Brand) -> bytes:
    stage._monitors.clear()  # nothing kept in this process: read from the database alone
    with factory() as session:
        row = session.get(DetectorState, brand.id)
        assert row is not None
        monitor, _ = stage._monitor_for(session, row)
    return dumps(monitor)


def test_a_worker_that_did_not_write_the_last_batches_carries_on_with_the_same_detectors(
    session_factory: sessionmaker[Session],
    brand: Brand,
    mention_ids: list[int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(stage, "JOURNAL_LIMIT", 250)
    stored: list[bytes | None] = []
    journal: list[int] = []
    for start in range(0, len(mention_ids), 100):
        kept = _detect(session_factory, brand, mention_ids[start : start + 100])
        with session_factory() as session:
            stored.append(session.scalar(select(DetectorState.state)))
            journal.append(session.scalar(select(func.count()).select_from(DetectorJournal)) or 0)
        assert _as_another_worker_sees_it(session_factory, brand) == kept, f"after the batch at {start}"

    # the first batch is stored whole; the next two are journaled; the fourth (300 observations
    # journaled by then) stores the state whole again and empties the journal
    assert journal == [0, 1, 2, 0]
    assert stored[0] == stored[1] == stored[2] != stored[3]

    again = _detect(session_factory, brand, mention_ids[-100:])  # the same batch taken twice
    with session_factory() as session:
        assert session.scalar(select(func.count()).select_from(DetectorJournal)) == 0, (
            "a rerun writes nothing"
        )
    assert again == _as_another_worker_sees_it(session_factory, brand)


def test_new_detector_settings_keep_what_the_journal_holds(
    session_factory: sessionmaker[Session], brand: Brand, mention_ids: list[int]
) -> None:
    for start in (0, 100):  # the first batch stored whole, the second journaled
        _detect(session_factory, brand, mention_ids[start : start + 100])
    with session_factory.begin() as session:
        incidents_actions.set_detector_settings(
            session,
            brand_id=brand.id,
            settings=DetectorSettings(warmup_hours=12.0),
            now=datetime(2026, 3, 3, tzinfo=UTC),
        )
    with session_factory() as session:
        assert session.scalar(select(func.count()).select_from(DetectorJournal)) == 0
        state = session.scalar(select(DetectorState.state))
    assert state is not None
    monitor = loads(state)
    assert monitor.settings.warmup_hours == 12.0
    assert set(mention_ids[:200]) <= set(monitor.seen), "the journaled batch is kept in the stored state"


def test_a_state_stored_when_detectors_counted_bare_handles_carries_on_with_its_mentions_channels(
    session_factory: sessionmaker[Session], brand: Brand, mention_ids: list[int]
) -> None:
    for start in range(0, 300, 100):
        kept = _detect(session_factory, brand, mention_ids[start : start + 100])
    old = as_stored_before_voices(json.loads(zlib.decompress(kept)))
    assert "twitter:flyer1" not in json.dumps(old)
    with session_factory.begin() as session:  # as version 1 stored it, whole, nothing journaled
        row = session.get(DetectorState, brand.id)
        assert row is not None
        incidents_actions.store_detector_state(
            session, row=row, state=zlib.compress(json.dumps(old).encode()), now=START
        )
    assert _as_another_worker_sees_it(session_factory, brand) == kept
    later = _detect(session_factory, brand, mention_ids[300:])
    assert monitor_to_state(loads(later))["version"] == 2
