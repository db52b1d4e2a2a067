"""A brand's own models, retrained from its labelled examples (corrections and imported rows).

Category is learned from the brand's examples alone (its taxonomy is its own); sentiment keeps
the shipped model as a prior and moves toward the brand's examples (see adapt.py); intent
learns a head that overrides the rules where it is confident. ``ombuds train`` adds many rows
at once (``train_from_file``); ``ombuds serve``'s runner retrains what changed in the background
(``retrain_stale_models``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from ombuds.accounts.models import Brand
from ombuds.clock import utcnow
from ombuds.enrichment.accurate.store import ACCURATE, Pointer
from ombuds.enrichment.adapt import adapt
from ombuds.enrichment.engine import load_default_engine
from ombuds.enrichment.learnable import LEARNABLE, check_label
from ombuds.enrichment.linear import LinearModel
from ombuds.enrichment.models import BrandModel, Enrichment, LabeledExample
from ombuds.enrichment.training import TrainingSet, fit_category, fit_linear
from ombuds.errors import NotFound
from ombuds.events import record_event
from ombuds.mentions.models import Direction, Mention

#: A category model with few examples self-trains on at most this many of the brand's complaints.
UNLABELLED_LIMIT = 2000


def example_state(session: Session, brand_id: int, analyzer: str) -> tuple[int, int | None]:
    """How many examples the brand has for the analyzer, and the newest one's id."""
    count, newest = session.execute(
        select(func.count(), func.max(LabeledExample.id)).where(
            LabeledExample.brand_id == brand_id, LabeledExample.analyzer == analyzer
        )
    ).one()
    return int(count), newest


def stale_models(session: Session) -> list[tuple[int, str]]:
    """(brand, analyzer) pairs whose examples changed since their model was trained."""
    trained = {
        (row.brand_id, row.analyzer): (row.example_count, row.last_example_id)
        for row in session.scalars(select(BrandModel))
    }
    examples = session.execute(
        select(LabeledExample.brand_id, LabeledExample.analyzer, func.count(), func.max(LabeledExample.id))
        .group_by(LabeledExample.brand_id, LabeledExample.analyzer)
        .order_by(LabeledExample.brand_id, LabeledExample.analyzer)
    ).all()
    return [
        (brand_id, analyzer)
        for brand_id, analyzer, count, newest in examples
        if analyzer in LEARNABLE and trained.get((brand_id, analyzer)) != (count, newest)
    ]


def retrain_stale_models(factory: sessionmaker[Session]) -> list[tuple[int, str]]:
    """Retrain, one transaction each, the models whose examples changed (the runner calls this)."""
    with factory() as session:
        stale = stale_models(session)
    for brand_id, analyzer in stale:
        with factory.begin() as session:
            if retrain_brand_model(session, brand_id=brand_id, analyzer=analyzer) is None:
                _mark_untrainable(session, brand_id, analyzer)
    return stale


def _mark_untrainable(session: Session, brand_id: int, analyzer: str) -> None:
    """Too few examples to learn from: an older model stays, marked current, so the runner stops retrying.

    (A brand with no model at all is retried each round; that costs one query and no training.)
    """
    count, newest = example_state(session, brand_id, analyzer)
    row = session.scalar(
        select(BrandModel).where(BrandModel.brand_id == brand_id, BrandModel.analyzer == analyzer)
    )
    if row is not None:
        row.example_count, row.last_example_id = count, newest


def add_examples(
    session: Session,
    *,
    brand_id: int,
    analyzer: str,
    rows: Sequence[tuple[str, str]],
    origin: str,
    actor_id: int | None = None,
) -> int:
    """Store labelled (text, label) rows for a brand; returns how many were new.

    A row the brand already has (the same text with the same label, from any file or person) is
    not stored again: a file given twice teaches nothing twice. Repeats within ``rows`` are kept,
    as the file had them."""
    checked = [(text, check_label(analyzer, label)) for text, label in rows]
    known = {
        (text, label)
        for text, label in session.execute(
            select(LabeledExample.text, LabeledExample.label).where(
                LabeledExample.brand_id == brand_id, LabeledExample.analyzer == analyzer
            )
        )
    }
    new = [(text, label) for text, label in checked if (text, label) not in known]
    session.add_all(
        LabeledExample(
            brand_id=brand_id, analyzer=analyzer, label=label, text=text, origin=origin, actor_id=actor_id
        )
        for text, label in new
    )
    session.flush()
    return len(new)


def retrain_brand_model(session: Session, *, brand_id: int, analyzer: str) -> BrandModel | None:
    """Train the brand's head for one analyzer from all its examples; None while too few to learn."""
    examples = list(
        session.execute(
            select(LabeledExample.text, LabeledExample.label)
            .where(LabeledExample.brand_id == brand_id, LabeledExample.analyzer == analyzer)
            .order_by(LabeledExample.id)
        )
    )
    training = TrainingSet([text for text, _ in examples], [label for _, label in examples], "brand")
    unlabelled = recent_complaints(session, brand_id) if analyzer == "category" else []
    model = _fit(analyzer, training, unlabelled)
    if model is None:
        return None
    weights = model.to_bytes()
    version = f"brand{brand_id}-{len(training)}ex-{hashlib.sha256(weights).hexdigest()[:8]}"
    state = example_state(session, brand_id, analyzer)
    row = session.scalar(
        select(BrandModel).where(BrandModel.brand_id == brand_id, BrandModel.analyzer == analyzer)
    )
    if row is None:
        row = BrandModel(brand_id=brand_id, analyzer=analyzer)
        session.add(row)
    row.version = version
    row.example_count, row.last_example_id = state
    row.weights = weights
    record_event(
        session,
        brand_id=brand_id,
        kind="brand_model.trained",
        subject_type="brand",
        subject_id=brand_id,
        data={"analyzer": analyzer, "version": version, "examples": len(training)},
    )
    session.flush()
    return row


def recent_complaints(session: Session, brand_id: int, limit: int = UNLABELLED_LIMIT) -> list[str]:
    """The brand's newest complaints: what a category model with few examples self-trains on."""
    return list(
        session.scalars(
            select(Mention.text)
            .join(Enrichment, Enrichment.mention_id == Mention.id)
            .where(
                Mention.brand_id == brand_id,
                Enrichment.analyzer == "intent",
                Enrichment.label == "complaint",
            )
            .order_by(Mention.id.desc())
            .limit(limit)
        )
    )


def _fit(analyzer: str, training: TrainingSet, unlabelled: Sequence[str] = ()) -> LinearModel | None:
    default = load_default_engine()
    featurizer = default.featurizer
    if analyzer == "sentiment":
        if not training.texts:
            return None
        prior = default.classifier("sentiment")
        assert prior is not None
        return adapt(
            prior.model,
            featurizer.transform(training.texts),
            training.labels,
            movable=featurizer.sparse_size,
        )
    if len(training.classes()) < 2:
        return None  # one category alone cannot be told apart from anything
    if analyzer == "category":
        return fit_category(featurizer, training, unlabelled=unlabelled)
    return fit_linear(featurizer, training)


def train_from_file(
    session: Session, *, brand_slug: str, columns: dict[str, list[tuple[str, str]]], source: str
) -> dict[str, Any]:
    """Add a file's rows (``example_files.read_example_columns``) as the brand's examples and retrain."""
    brand = session.scalar(select(Brand).where(Brand.slug == brand_slug))
    if brand is None:
        raise NotFound(f"brand {brand_slug!r} not found")
    result: dict[str, Any] = {"brand": brand.slug, "analyzers": {}}
    for analyzer, rows in columns.items():
        added = add_examples(
            session, brand_id=brand.id, analyzer=analyzer, rows=rows, origin=f"import:{source}"
        )
        model = retrain_brand_model(session, brand_id=brand.id, analyzer=analyzer)
        result["analyzers"][analyzer] = {
            "examples_added": added,
            "examples_total": model.example_count if model else added,
            "version": model.version if model else None,
            "note": None if model else "too few classes to learn yet (need two)",
        }
    return result


def brand_examples(session: Session, brand_id: int) -> dict[str, list[tuple[str, str]]]:
    """Every labelled (text, label) row of the brand, by analyzer: what its accurate model learns."""
    found: dict[str, list[tuple[str, str]]] = {}
    for analyzer, text, label in session.execute(
        select(LabeledExample.analyzer, LabeledExample.text, LabeledExample.label)
        .where(LabeledExample.brand_id == brand_id, LabeledExample.analyzer.in_(LEARNABLE))
        .order_by(LabeledExample.id)
    ):
        found.setdefault(analyzer, []).append((text, label))
    return found


def recent_texts(session: Session, brand_id: int, *, at_most: int = 1000) -> list[str]:
    """The brand's newest inbound mentions' texts: what a new accurate model will read next."""
    return list(
        session.scalars(
            select(Mention.text)
            .where(Mention.brand_id == brand_id, Mention.direction == Direction.INBOUND)
            .order_by(Mention.created_at.desc(), Mention.id.desc())
            .limit(at_most)
        )
    )


def newest_example_id(session: Session, brand_id: int) -> int | None:
    """The id of the brand's newest example an accurate model can learn: what it has learnt up to."""
    return session.scalar(
        select(func.max(LabeledExample.id)).where(
            LabeledExample.brand_id == brand_id, LabeledExample.analyzer.in_(LEARNABLE)
        )
    )


def current_accurate_pointer(session: Session, brand_id: int) -> Pointer | None:
    """Where the brand's current accurate model is kept; None without one."""
    weights = session.scalar(
        select(BrandModel.weights).where(BrandModel.brand_id == brand_id, BrandModel.analyzer == ACCURATE)
    )
    return Pointer.from_bytes(weights) if weights is not None else None


def record_accurate_model(
    session: Session,
    *,
    brand_id: int,
    pointer: Pointer,
    examples: dict[str, int],
    learnt_up_to: int | None = None,
) -> BrandModel:
    """Make the saved accurate model the brand's current one; its engine picks it up at once."""
    row = session.scalar(
        select(BrandModel).where(BrandModel.brand_id == brand_id, BrandModel.analyzer == ACCURATE)
    )
    if row is None:
        row = BrandModel(brand_id=brand_id, analyzer=ACCURATE)
        session.add(row)
    row.version = pointer.version
    row.example_count, row.last_example_id = sum(examples.values()), learnt_up_to
    # when this model became the brand's current one, not when the first one did
    row.trained_at = utcnow()
    row.weights = pointer.to_bytes()
    record_event(
        session,
        brand_id=brand_id,
        kind="brand_model.trained",
        subject_type="brand",
        subject_id=brand_id,
        data={
            "analyzer": ACCURATE,
            "version": pointer.version,
            "examples": sum(examples.values()),
            "heads": examples,
        },
    )
    session.flush()
    return row
