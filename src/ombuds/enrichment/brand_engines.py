"""The analysis engine for one brand: the shipped engine with the brand's own models swapped in.

Kept per brand in this process and rebuilt only when one of its models changes version.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ombuds.enrichment.accurate.analyzers import with_accurate
from ombuds.enrichment.accurate.store import ACCURATE, Pointer, load_pointed
from ombuds.enrichment.analyzers.category import CategoryAnalyzer
from ombuds.enrichment.analyzers.intent import IntentAnalyzer
from ombuds.enrichment.analyzers.sentiment import SentimentAnalyzer
from ombuds.enrichment.analyzers.text_classifier import TextClassifier
from ombuds.enrichment.engine import AnalysisEngine, load_default_engine
from ombuds.enrichment.linear import LinearModel
from ombuds.enrichment.models import BrandModel
from ombuds.settings import get_settings

#: brand → (its models' versions, engine with the accurate model if any, engine without it)
_engines: dict[int, tuple[tuple[str, ...], AnalysisEngine, AnalysisEngine]] = {}


def has_accurate_model(session: Session, brand_id: int) -> bool:
    """Whether the brand has an accurate model (``ombuds train --accurate``), without loading it."""
    found = session.scalar(
        select(BrandModel.id).where(BrandModel.brand_id == brand_id, BrandModel.analyzer == ACCURATE)
    )
    return found is not None


def load_engine_for_brand(session: Session, brand_id: int, *, use_accurate: bool = True) -> AnalysisEngine:
    """The default engine with the brand's own heads swapped in; rebuilt only when they change.

    A brand with an accurate model (``ombuds train --accurate``) reads sentiment, category and
    intent with it; ``use_accurate=False`` gives its fast path (its linear heads) instead.
    """
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
        return cached[1] if use_accurate else cached[2]
    engine = default
    pointer = None
    for model in session.scalars(select(BrandModel).where(BrandModel.brand_id == brand_id)):
        if model.analyzer == ACCURATE:
            pointer = Pointer.from_bytes(model.weights)
            continue
        linear = LinearModel.from_bytes(model.weights)
        if linear.coef.shape[1] != default.featurizer.size:
            continue  # trained on another release's features; the default serves until retrained
        if model.analyzer == "intent":
            learned = TextClassifier(default.featurizer, linear, version=model.version)
            engine = engine.with_intent(IntentAnalyzer(learned=learned))
        else:
            kind = SentimentAnalyzer if model.analyzer == "sentiment" else CategoryAnalyzer
            engine = engine.replace(kind(default.featurizer, linear, version=model.version))
    fast = engine
    if pointer is not None:
        settings = get_settings()
        accurate = load_pointed(settings.data_dir, pointer, threads=settings.accurate_threads)
        if accurate is not None:
            engine = with_accurate(engine, accurate)
    _engines[brand_id] = (key, engine, fast)
    return engine if use_accurate else fast
