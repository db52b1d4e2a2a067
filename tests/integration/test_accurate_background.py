"""A brand's accurate model catches up with its agents' corrections by itself, in the background.

The runner's after-round work starts the real ``ombuds train --accurate`` in a child process once
enough examples are new and nothing waits; the child tunes MiniLM (a few steps on a dozen
examples), exports it and makes it the brand's model.
"""

from __future__ import annotations

import os
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from ombuds.accounts.models import Brand, Team
from ombuds.clock import utcnow
from ombuds.enrichment.accurate import background
from ombuds.enrichment.accurate.store import ACCURATE, Pointer
from ombuds.enrichment.models import BrandModel, LabeledExample
from ombuds.enrichment.retraining import add_examples, record_accurate_model
from ombuds.events import Event
from ombuds.mentions.actions import get_or_create_source, ingest_mentions
from ombuds.mentions.schemas import IncomingMention, MentionCreate
from ombuds.pipeline.runner_inline import run_until_idle
from ombuds.settings import get_settings

# tuning and exporting take the time; the rows written are the ones every other test writes
pytestmark = [pytest.mark.slow, pytest.mark.one_database]

PRAISE = [
    "the crew on my flight to Lisbon were wonderful, thank you",
    "smooth flight and a lovely welcome on board, well done",
    "great service at the gate today, really kind staff",
    "landed early and the seats were comfortable, loved it",
    "thanks for rebooking me so quickly, you saved my trip",
    "best airline I have flown with this year",
]
COMPLAINTS = [
    "my bag never arrived and nobody answers the phone",
    "flight cancelled again with no explanation, awful",
    "stuck at the gate for three hours with no updates",
    "charged twice for my seat and still no refund",
    "rude agent at check-in and a broken seat, never again",
    "two hours on hold and the line just hung up on me",
]


@pytest.fixture
def tuned_long_ago(
    session_factory: sessionmaker[Session],
    brand: Brand,
    team: Team,
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> Brand:
    """A brand whose accurate model learnt two of its examples two days ago; ten more came since."""
    monkeypatch.setenv("OMBUDS_DATA_DIR", str(tmp_path_factory.mktemp("data")))
    monkeypatch.setenv("OMBUDS_ACCURATE_RETRAIN_EXAMPLES", "10")
    monkeypatch.setattr(background, "_started", {})
    get_settings.cache_clear()
    with session_factory.begin() as session:
        rows = [(text, "positive") for text in PRAISE] + [(text, "negative") for text in COMPLAINTS]
        add_examples(
            session, brand_id=brand.id, analyzer="sentiment", rows=rows[:1] + rows[-1:], origin="test"
        )
        learnt = session.scalar(select(func.max(LabeledExample.id)))
        add_examples(session, brand_id=brand.id, analyzer="sentiment", rows=rows[1:-1], origin="correction")
        model = record_accurate_model(
            session,
            brand_id=brand.id,
            pointer=Pointer(f"models/accurate/brand-{brand.id}/first", "minilm-ft-first"),
            examples={"sentiment": 2},
            learnt_up_to=learnt,
        )
        model.trained_at = utcnow() - timedelta(days=2)
    yield brand
    get_settings.cache_clear()


def _accurate(session: Session, brand: Brand) -> BrandModel:
    row = session.scalar(
        select(BrandModel).where(BrandModel.brand_id == brand.id, BrandModel.analyzer == ACCURATE)
    )
    assert row is not None
    return row


def test_the_runner_tunes_a_brand_s_accurate_model_again_once_calm_and_once_only(
    session_factory: sessionmaker[Session], tuned_long_ago: Brand
) -> None:
    settings = get_settings()
    brand = tuned_long_ago
    with session_factory.begin() as session:  # a mention arrives: the pipeline comes first
        source = get_or_create_source(session, brand_id=brand.id, kind="api", name="api")
        mention = MentionCreate(external_id="1", author="ann", text="where is my bag", created_at=utcnow())
        ingest_mentions(session, source=source, mentions=[IncomingMention(mention, b"{}", "json")])
    assert background.retrain_accurate_when_due(session_factory, settings) is None

    run_until_idle(session_factory)
    folders = settings.data_dir / "models" / "accurate" / f"brand-{brand.id}"
    for name in ("first", "older", "being-saved"):  # the current model, one before, another tuning's
        (folders / name).mkdir(parents=True)
    two_days_ago = time.time() - 2 * 24 * 3600
    os.utime(folders / "first", (two_days_ago, two_days_ago))
    os.utime(folders / "older", (two_days_ago, two_days_ago))
    child = background.retrain_accurate_when_due(session_factory, settings)
    assert child is not None
    try:
        # while it tunes, no second tuning starts, from this runner or any other
        background._started.clear()
        assert background.retrain_accurate_when_due(session_factory, settings) is None
    finally:
        assert child.wait(timeout=900) == 0

    with session_factory() as session:
        model = _accurate(session, brand)
        assert model.version.startswith("minilm-ft-")
        assert model.version != "minilm-ft-first"
        assert model.example_count == len(PRAISE) + len(COMPLAINTS)
        assert model.last_example_id == session.scalar(select(func.max(LabeledExample.id)))
        assert model.trained_at > utcnow() - timedelta(hours=1)
        # the new model and the one it replaced stay, older ones go (about 110 MB each)
        current = Pointer.from_bytes(model.weights).folder
        assert sorted(path.name for path in folders.iterdir()) == sorted(
            ["first", "being-saved", current.rsplit("/", 1)[1]]
        )
        trained = session.scalars(
            select(Event.data).where(Event.kind == "brand_model.trained").order_by(Event.id)
        ).all()
        assert [data["version"] for data in trained if data["analyzer"] == ACCURATE][-1] == model.version

    # it learnt every example there is: nothing is due, whatever this runner remembers
    background._started.clear()
    assert background.retrain_accurate_when_due(session_factory, settings) is None
