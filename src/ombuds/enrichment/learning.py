"""Learning from people: corrections and imported rows become the brand's own models.

* ``record_correction`` stores an agent's label for a mention, shows it on the mention at once,
  and retrains that analyzer for the brand, so the next similar message is predicted the new way:
  at once for a brand with up to ``INLINE_RETRAIN_EXAMPLES`` examples, else in the background
  (``retrain_stale_models``, after each round of ``ombuds serve``'s runner).
* ``train_from_file`` (``ombuds train``) adds many labelled rows and retrains.
* ``load_engine_for_brand`` assembles the engine with the brand's models, cached per version.

Category is learned from the brand's examples alone (its taxonomy is its own); sentiment keeps
the shipped model as a prior and moves toward the brand's examples (see adapt.py); intent
learns a head that overrides the rules where it is confident.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from ombuds.accounts.models import Brand
from ombuds.enrichment.actions import CORRECTION, show_correction
from ombuds.enrichment.adapt import adapt
from ombuds.enrichment.analyzers.category import CategoryAnalyzer
from ombuds.enrichment.analyzers.intent import INTENTS, IntentAnalyzer
from ombuds.enrichment.analyzers.sentiment import SENTIMENTS, SentimentAnalyzer
from ombuds.enrichment.analyzers.text_classifier import TextClassifier
from ombuds.enrichment.engine import AnalysisEngine, load_default_engine
from ombuds.enrichment.linear import LinearModel
from ombuds.enrichment.models import BrandModel, Enrichment, LabeledExample
from ombuds.enrichment.training import DataError, TrainingSet, fit_category, fit_linear
from ombuds.errors import InvalidInput, NotFound
from ombuds.events import record_event
from ombuds.mentions.models import Mention

LEARNABLE = ("sentiment", "intent", "category")
#: Up to this many examples a correction retrains at once (a second or so); beyond, the background
#: runner retrains (``retrain_stale_models``), so an agent never waits a minute for a click.
INLINE_RETRAIN_EXAMPLES = 1000
#: A category model with few examples self-trains on at most this many of the brand's complaints.
UNLABELLED_LIMIT = 2000
FIXED_LABELS: dict[str, tuple[str, ...]] = {"sentiment": SENTIMENTS, "intent": INTENTS}

_engines: dict[int, tuple[tuple[str, ...], AnalysisEngine]] = {}


def check_label(analyzer: str, label: str) -> str:
    """The label, trimmed, if the analyzer can learn it; InvalidInput otherwise."""
    label = label.strip()
    if analyzer not in LEARNABLE:
        raise InvalidInput(
            f"analyzer {analyzer!r} does not learn from labels (one of {', '.join(LEARNABLE)})"
        )
    if not label:
        raise InvalidInput("label is empty")
    allowed = FIXED_LABELS.get(analyzer)
    if allowed and label not in allowed:
        raise InvalidInput(f"{analyzer} label {label!r} is not one of {', '.join(allowed)}")
    if len(label) > 200:
        raise InvalidInput("label is longer than 200 characters")
    return label


def record_correction(
    session: Session,
    *,
    mention_id: int,
    brand_id: int,
    analyzer: str,
    label: str,
    actor_id: int | None,
    retrain: bool = True,
) -> LabeledExample:
    """Store a person's label for a mention, show it on the mention, and (by default) retrain."""
    label = check_label(analyzer, label)
    mention = session.get(Mention, mention_id)
    if mention is None or mention.brand_id != brand_id:
        raise NotFound(f"mention {mention_id} not found")
    earlier = session.scalar(
        select(LabeledExample).where(
            LabeledExample.brand_id == brand_id,
            LabeledExample.analyzer == analyzer,
            LabeledExample.mention_id == mention_id,
            LabeledExample.origin == CORRECTION,
        )
    )
    if earlier is not None:
        session.delete(earlier)  # a fresh row (a new id) tells the background retrainer something changed
    example = LabeledExample(
        brand_id=brand_id,
        analyzer=analyzer,
        mention_id=mention_id,
        text=mention.text,
        origin=CORRECTION,
        label=label,
        actor_id=actor_id,
    )
    session.add(example)
    previous = show_correction(session, mention=mention, analyzer=analyzer, label=label, actor_id=actor_id)
    record_event(
        session,
        brand_id=brand_id,
        kind="enrichment.corrected",
        subject_type="mention",
        subject_id=mention_id,
        actor_id=actor_id,
        data={"analyzer": analyzer, "label": label, "previous": previous},
    )
    session.flush()
    if retrain and _example_state(session, brand_id, analyzer)[0] <= INLINE_RETRAIN_EXAMPLES:
        retrain_brand_model(session, brand_id=brand_id, analyzer=analyzer)
    return example


def _example_state(session: Session, brand_id: int, analyzer: str) -> tuple[int, int | None]:
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
    count, newest = _example_state(session, brand_id, analyzer)
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
    """Store labelled (text, label) rows for a brand; returns how many."""
    for text, label in rows:
        session.add(
            LabeledExample(
                brand_id=brand_id,
                analyzer=analyzer,
                label=check_label(analyzer, label),
                text=text,
                origin=origin,
                actor_id=actor_id,
            )
        )
    session.flush()
    return len(rows)


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
    weights = _to_bytes(model)
    version = f"brand{brand_id}-{len(training)}ex-{hashlib.sha256(weights).hexdigest()[:8]}"
    state = _example_state(session, brand_id, analyzer)
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


def load_engine_for_brand(session: Session, brand_id: int) -> AnalysisEngine:
    """The default engine with the brand's own heads swapped in; rebuilt only when they change."""
    rows = list(
        session.execute(
            select(BrandModel.analyzer, BrandModel.version)
            .where(BrandModel.brand_id == brand_id)
            .order_by(BrandModel.analyzer)
        )
    )
    default = load_default_engine()
    if not rows:
        return default
    key = tuple(f"{analyzer}:{version}" for analyzer, version in rows)
    cached = _engines.get(brand_id)
    if cached is not None and cached[0] == key:
        return cached[1]
    engine = default
    for model in session.scalars(select(BrandModel).where(BrandModel.brand_id == brand_id)):
        linear = _from_bytes(model.weights)
        if linear.coef.shape[1] != default.featurizer.size:
            continue  # trained on another release's features; the default serves until retrained
        if model.analyzer == "intent":
            learned = TextClassifier(default.featurizer, linear, version=model.version)
            engine = engine.with_intent(IntentAnalyzer(learned=learned))
        else:
            kind = SentimentAnalyzer if model.analyzer == "sentiment" else CategoryAnalyzer
            engine = engine.replace(kind(default.featurizer, linear, version=model.version))
    _engines[brand_id] = (key, engine)
    return engine


def _to_bytes(model: LinearModel) -> bytes:
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **model.arrays(""))  # type: ignore[arg-type]
    return buffer.getvalue()


def _from_bytes(weights: bytes) -> LinearModel:
    with np.load(io.BytesIO(weights), allow_pickle=False) as stored:
        return LinearModel.from_arrays({name: stored[name] for name in stored.files}, "")


# --- ombuds train ------------------------------------------------------------------------------


def read_example_columns(
    path: Path, *, text_col: str, label_cols: Sequence[str] | None, analyzer: str | None
) -> dict[str, list[tuple[str, str]]]:
    """Analyzer → (text, label) rows from a CSV file; every label checked, errors name the line."""
    if not path.is_file():
        raise DataError(f"{path}: no such file")
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        header = reader.fieldnames or []
        if not header:
            raise DataError(f"{path}: the file is empty (no header row)")
        mapping = _label_columns(path, header, text_col, label_cols, analyzer)
        found: dict[str, list[tuple[str, str]]] = {name: [] for name in mapping.values()}
        for row in reader:
            text = (row.get(text_col) or "").strip()
            for column, name in mapping.items():
                label = (row.get(column) or "").strip()
                if not label:
                    continue
                if not text:
                    raise DataError(
                        f"{path}, line {reader.line_num}: {column!r} is set but {text_col!r} is empty"
                    )
                try:
                    found[name].append((text, check_label(name, label)))
                except InvalidInput as exc:
                    raise DataError(f"{path}, line {reader.line_num}, column {column!r}: {exc}") from exc
    if not any(found.values()):
        raise DataError(f"{path}: no rows with a label in {', '.join(map(repr, mapping))}")
    return found


def _label_columns(
    path: Path, header: Sequence[str], text_col: str, label_cols: Sequence[str] | None, analyzer: str | None
) -> dict[str, str]:
    if text_col not in header:
        raise DataError(f"{path}: no column {text_col!r} (columns: {', '.join(header)})")
    if analyzer is not None:
        if analyzer not in LEARNABLE:
            raise DataError(f"--analyzer must be one of {', '.join(LEARNABLE)}, not {analyzer!r}")
        columns = list(label_cols or ["label"])
        if len(columns) != 1:
            raise DataError("--analyzer takes exactly one --label-col")
        mapping = {columns[0]: analyzer}
    elif label_cols:
        mapping = {}
        for column in label_cols:
            if column not in LEARNABLE:
                raise DataError(
                    f"column {column!r} is not an analyzer name: add --analyzer to say what it teaches"
                )
            mapping[column] = column
    else:
        mapping = {column: column for column in header if column in LEARNABLE}
        if not mapping:
            raise DataError(
                f"{path}: no label column: name one {', '.join(LEARNABLE)}, or pass --label-col and --analyzer"
            )
    for column in mapping:
        if column not in header:
            raise DataError(f"{path}: no column {column!r} (columns: {', '.join(header)})")
    return mapping


def train_from_file(
    session: Session, *, brand_slug: str, columns: dict[str, list[tuple[str, str]]], source: str
) -> dict[str, Any]:
    """Add the file's rows as the brand's examples and retrain each analyzer they teach."""
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
