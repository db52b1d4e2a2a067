"""Build the default analysis models shipped in src/ombuds/enrichment/trained/.

Usage (from the repository root; the public data sets sit beside it in ../shared/data):

    .venv/bin/python scripts/build_enrichment_models.py [--data ../shared/data]

Deterministic: the same data gives byte-identical weights. What each model was trained on is
written to trained/default.json and explained in docs/analysis.md.
"""

from __future__ import annotations

import argparse
import csv
import json
from pathlib import Path

import numpy as np
from sklearn.decomposition import TruncatedSVD

from ombuds.enrichment.analyzers.category import NO_CATEGORY
from ombuds.enrichment.artifacts import DEFAULT_MODEL, fingerprint, trained_dir, write_arrays
from ombuds.enrichment.features import TextFeaturizer
from ombuds.enrichment.training import (
    TrainingSet,
    fit_category,
    fit_featurizer,
    fit_sentiment,
    read_labeled_csv,
)

AIRLINE = "airline_dev.csv"
EMBEDDING_DIMENSIONS = 32
UNLABELLED = (
    ("airline_dev.csv", "text"),
    ("twcs_spotifycares_inbound_dev.csv", "text"),
    ("twcs_threads_dev.csv", "text"),
    ("tweeteval_sentiment_test.csv", "text"),
    ("banking77_train.csv", "text"),
    ("cfpb_complaints_dev.csv", "Consumer complaint narrative"),
    ("uci_amazon_cells_labelled.csv", "sentence"),
    ("uci_yelp_labelled.csv", "sentence"),
)


def build(data: Path, out: Path) -> dict[str, object]:
    airline = read_labeled_csv(data / AIRLINE, text_col="text", label_col="airline_sentiment")
    featurizer = fit_featurizer(airline.texts)
    sentiment = fit_sentiment(featurizer, airline)
    categories = _airline_categories(data / AIRLINE)
    category = fit_category(featurizer, categories)
    corpus = _unlabelled_texts(data)
    components = _lsa_components(featurizer, corpus)
    arrays = {
        **featurizer.arrays("features/"),
        **sentiment.arrays("sentiment/"),
        **category.arrays("category/"),
        "embedding/components": components.astype(np.float16),
    }
    path = out / f"{DEFAULT_MODEL}.npz"
    write_arrays(path, arrays)
    manifest: dict[str, object] = {
        "artifact": path.name,
        "fingerprint": fingerprint(path),
        "features": {"word_terms": featurizer.words.size, "char_terms": featurizer.chars.size},
        "models": {
            "sentiment": _provenance(airline, "airline_sentiment"),
            "embedding": {
                "method": f"truncated SVD ({EMBEDDING_DIMENSIONS} dimensions) of word TF-IDF, no labels used",
                "data": ", ".join(name for name, _ in UNLABELLED),
                "rows": len(corpus),
            },
            "category": _provenance(
                categories,
                'negativereason (without "Can\'t Tell"; other tweets as "none")',
                ", per-class decision offsets tuned by 3-fold cross-validation for macro-F1",
            ),
        },
        "license_note": (
            "Trained on the Twitter US Airline Sentiment data set (CrowdFlower, CC BY-NC-SA 4.0): "
            "non-commercial use only; replace with your own labelled data for commercial use."
        ),
    }
    (out / f"{DEFAULT_MODEL}.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return manifest


def _unlabelled_texts(data: Path) -> list[str]:
    """Texts only (no labels) from every public set present: what words keep company."""
    texts: list[str] = []
    for name, column in UNLABELLED:
        path = data / name
        if not path.exists():
            continue
        with path.open(encoding="utf-8", newline="") as handle:
            texts.extend((row.get(column) or "")[:1000] for row in csv.DictReader(handle))
    return [text for text in texts if text.strip()]


def _lsa_components(featurizer: TextFeaturizer, texts: list[str]) -> np.ndarray:
    words = featurizer.transform(texts)[:, : featurizer.words.size]
    svd = TruncatedSVD(n_components=EMBEDDING_DIMENSIONS, algorithm="randomized", n_iter=7, random_state=0)
    svd.fit(words)
    components: np.ndarray = svd.components_.astype(np.float32)
    return components


def _airline_categories(path: Path) -> TrainingSet:
    """Airline complaint reasons as the default taxonomy; tweets without one teach "none"."""
    every = read_labeled_csv(path, text_col="text", label_col="airline_sentiment")
    reasons = read_labeled_csv(path, text_col="text", label_col="negativereason").without(["Can't Tell"])
    with_reason = set(reasons.texts)
    others = [text for text, label in zip(every.texts, every.labels, strict=True) if label != "negative"]
    others = [text for text in others if text not in with_reason]
    return TrainingSet(reasons.texts + others, reasons.labels + [NO_CATEGORY] * len(others), reasons.source)


def _provenance(training: TrainingSet, column: str, extra: str = "") -> dict[str, object]:
    return {
        "method": "TF-IDF word 1-2-grams + char 2-5-grams, class-balanced multinomial logistic regression"
        + extra,
        "data": f"{training.source} column {column}",
        "rows": len(training.texts),
        "classes": {label: training.labels.count(label) for label in sorted(set(training.labels))},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    root = Path(__file__).resolve().parents[1]
    parser.add_argument("--data", type=Path, default=root.parent / "shared" / "data")
    parser.add_argument("--out", type=Path, default=trained_dir())
    args = parser.parse_args()
    manifest = build(args.data, args.out)
    print(json.dumps(manifest, indent=2))


if __name__ == "__main__":
    main()
