"""The analysis engine for one brand: the shipped engine with the brand's own models swapped in.

Kept per brand in this process and rebuilt only when one of its models changes version.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ombuds.enrichment.analyzers.category import CategoryAnalyzer
from ombuds.enrichment.analyzers.intent import IntentAnalyzer
from ombuds.enrichment.analyzers.sentiment import SentimentAnalyzer
from ombuds.enrichment.analyzers.text_classifier import TextClassifier
from ombuds.enrichment.engine import AnalysisEngine, load_default_engine
from ombuds.enrichment.linear import LinearModel
from ombuds.enrichment.models import BrandModel

_engines: dict[int, tuple[tuple[str, ...], AnalysisEngine]] = {}


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
        linear = LinearModel.from_bytes(model.weights)
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
