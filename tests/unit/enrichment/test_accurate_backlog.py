"""A brand's accurate model reads while few mentions wait and none has waited long; in a burst
(too many waiting, or the oldest waiting too long) the fast path reads."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from ombuds.accounts.models import Brand
from ombuds.enrichment.accurate.recipe import Recipe
from ombuds.enrichment.accurate.store import Pointer, brand_folder
from ombuds.enrichment.accurate.tuning import AccurateModel, Encoder, base_model_dir
from ombuds.enrichment.linear import LinearModel
from ombuds.enrichment.models import Enrichment
from ombuds.enrichment.retraining import record_accurate_model
from ombuds.mentions.models import Mention, Source, Stage
from ombuds.pipeline.burst import Backlog, is_burst, lag_seconds
from ombuds.pipeline.stages import enrich
from ombuds.settings import get_settings

NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("OMBUDS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("OMBUDS_ACCURATE_BACKLOG_LIMIT", "2")
    monkeypatch.setenv("OMBUDS_ACCURATE_LAG_LIMIT", "60")
    get_settings.cache_clear()
    yield tmp_path / "data"
    get_settings.cache_clear()


def test_a_burst_is_too_many_waiting_or_the_oldest_waiting_too_long() -> None:
    def burst(waiting: int, oldest: datetime | None) -> bool:
        return is_burst(Backlog(waiting, oldest), NOW, waiting_limit=200, lag_limit=60.0)

    assert not burst(0, None)
    assert not burst(200, NOW - timedelta(seconds=60))
    assert burst(201, NOW)
    # few wait, but the oldest has waited over a minute: the accurate path has fallen behind
    assert burst(0, NOW - timedelta(seconds=61))
    # a mention received "after" now (another machine's clock) has not waited
    assert lag_seconds(Backlog(0, NOW + timedelta(seconds=5)), NOW) == 0.0


def add_mentions(
    session: Session, brand: Brand, count: int, start: int, *, received: datetime = NOW
) -> list[Mention]:
    source = session.scalar(select(Source).where(Source.brand_id == brand.id))
    if source is None:
        source = Source(brand_id=brand.id, kind="api", name="feed")
        session.add(source)
        session.flush()
    mentions = [
        Mention(
            brand_id=brand.id,
            source_id=source.id,
            external_id=str(start + i),
            channel="x",
            author_handle=f"c{start + i}",
            text="@skyways flight delayed again",
            created_at=NOW,
            received_at=received,
            raw=b"x",
            raw_format="text",
        )
        for i in range(count)
    ]
    session.add_all(mentions)
    session.flush()
    return mentions


def sentiment_version(session: Session, mention: Mention) -> str:
    return session.scalars(
        select(Enrichment.model_version).where(
            Enrichment.mention_id == mention.id, Enrichment.analyzer == "sentiment"
        )
    ).one()


@pytest.mark.slow
def test_the_fast_path_reads_when_more_mentions_wait_than_the_limit_or_the_oldest_waited_too_long(
    session: Session, brand: Brand, data_dir: Path
) -> None:
    # An untuned MiniLM with a head that always leans negative: a real model, saved and pointed to.
    head = LinearModel(
        ("negative", "neutral", "positive"),
        np.zeros((3, 384), dtype=np.float32),
        np.array([2.0, 0.0, 0.0], dtype=np.float32),
    )
    model = AccurateModel(
        version="minilm-ft-0123456789ab",
        encoder=Encoder.load(base_model_dir(), max_tokens=32, threads=2),
        heads={"sentiment": head},
        recipe=Recipe(max_tokens=32),
        trained_at=NOW,
        examples={"sentiment": 0},
    )
    pointer = Pointer(brand_folder(brand.id, model.version), model.version)
    model.save(data_dir / pointer.folder)
    record_accurate_model(session, brand_id=brand.id, pointer=pointer, examples=model.examples)

    calm = add_mentions(session, brand, 1, 0)
    enrich(session, calm, NOW)
    calm[0].stage = Stage.ENRICHED
    assert sentiment_version(session, calm[0]).startswith(model.version)

    burst = add_mentions(session, brand, 4, 1)  # three wait beside the one read: above the limit of 2
    enrich(session, burst[:1], NOW)
    assert sentiment_version(session, burst[0]).startswith("tfidf-lr-")

    # The burst read, one mention alone waits, but it was received two minutes ago: lag, fast path.
    for mention in burst:
        mention.stage = Stage.ENRICHED
    late = add_mentions(session, brand, 1, 5, received=NOW - timedelta(minutes=2))
    enrich(session, late, NOW)
    assert sentiment_version(session, late[0]).startswith("tfidf-lr-")
