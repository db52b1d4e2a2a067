"""Build the default analysis models shipped in src/ombuds/enrichment/trained/.

Usage (from the repository root; the public data sets sit beside it in ../shared/data):

    .venv/bin/python scripts/build_enrichment_models.py [--data ../shared/data] \
        [--teacher-cache /tmp/teacher.npz] [--exclude score.csv] [--permissive-only] \
        [--teacher DIR]

The sentence projection is distilled from all-MiniLM-L6-v2 (from its registry package, on the
CPU): encoding the ~52,000 unlabelled texts takes about 8 minutes on two cores, so the vectors
can be kept in ``--teacher-cache`` for the next build. ``--exclude`` leaves the texts of a CSV
file out of the unlabelled corpus (to measure on texts the projection never saw).
``--teacher DIR`` adds an accurate model's sentiment probabilities (MiniLM fine-tuned on the
airline labels, ``ombuds.enrichment.accurate``) to what the projection is distilled from: the
model saved in DIR, or, when DIR holds none, one tuned there first on the same labelled rows the
heads learn from (about 10 minutes on two quiet cores, fixed seeds); its probabilities are
cached beside the encoder's vectors.
``--permissive-only`` builds ``permissive.npz`` instead of ``default.npz``, from files whose
licence allows commercial use only (``ombuds_lab/enrichment/permissive.py`` names them and how
their labels are derived); the default model learns from CC BY-NC-SA airline tweets.
Deterministic: the same data and encoder give the same weights. What each model was trained on
is written to trained/default.json and explained in docs/analysis.md.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
from pathlib import Path

import numpy as np

from ombuds.enrichment.analyzers.category import NO_CATEGORY
from ombuds.enrichment.artifacts import DEFAULT_MODEL, fingerprint, read_arrays, trained_dir, write_arrays
from ombuds.enrichment.features import TextFeaturizer
from ombuds.enrichment.training import (
    SELF_TRAINING_WEIGHT,
    TrainingSet,
    fit_category,
    fit_featurizer,
    fit_sentiment,
    read_labeled_csv,
)
from ombuds_lab.enrichment import permissive
from ombuds_lab.enrichment.distill import (
    EPOCHS,
    PROBABILITY_WEIGHT,
    TEACHER_LABEL_SHARE,
    agreement,
    distill_projection,
    teacher_labels,
    teacher_targets,
)

AIRLINE = "airline_dev.csv"
PERMISSIVE_MODEL = "permissive"
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


def build(
    data: Path,
    out: Path,
    *,
    teacher_cache: Path | None = None,
    exclude: Path | None = None,
    permissive_only: bool = False,
    teacher: Path | None = None,
    labels: Path | None = None,
) -> dict[str, object]:
    if permissive_only and teacher is not None:
        raise ValueError("--teacher is built for the airline model only (not measured on the permissive one)")
    if permissive_only:
        airline = None
        sentiment_set = permissive.sentiment_set(data)
        categories = permissive.category_set(data)
        corpus = permissive.unlabelled_texts(data)
        vocabulary = sentiment_set.texts + categories.texts
        name = PERMISSIVE_MODEL
    else:
        labelled = labels or data / AIRLINE
        airline = sentiment_set = read_labeled_csv(labelled, text_col="text", label_col="airline_sentiment")
        categories = _airline_categories(labelled)
        corpus = _unlabelled_texts(data)
        vocabulary = _column(data / AIRLINE, "text")
        name = DEFAULT_MODEL
    vectors = _teacher_vectors(corpus, teacher_cache)
    tuned: dict[str, object] | None = None
    outputs: list[np.ndarray] = []
    if teacher is not None:
        tuned = _accurate_teacher(teacher, labels or data / AIRLINE)
        outputs = [_accurate_sentiment(corpus, teacher, teacher_cache)]
    if exclude is not None:
        left_out = set(_column(exclude, "text"))
        kept = [i for i, text in enumerate(corpus) if text not in left_out]
        corpus, vectors = [corpus[i] for i in kept], vectors[kept]
        outputs = [output[kept] for output in outputs]
    targets = teacher_targets(vectors, outputs, weight=PROBABILITY_WEIGHT if outputs else 0.0)
    featurizer, fit = _distilled_featurizer(fit_featurizer(vocabulary), corpus, targets)
    guessed = _teacher_guesses(corpus, outputs, set(vocabulary), tuned) if tuned is not None else None
    sentiment = fit_sentiment(featurizer, sentiment_set, guessed=guessed)
    category = fit_category(featurizer, categories)
    arrays = {
        **featurizer.arrays("features/"),
        **sentiment.arrays("sentiment/"),
        **category.arrays("category/"),
    }
    path = out / f"{name}.npz"
    write_arrays(path, arrays)
    manifest: dict[str, object] = {
        "artifact": path.name,
        "fingerprint": fingerprint(path),
        "features": {
            "word_terms": featurizer.words.size,
            "char_terms": featurizer.chars.size,
            "sentence_dimensions": featurizer.dimensions,
        },
        "models": {
            "sentiment": (
                _provenance(airline, "airline_sentiment")
                if airline is not None
                else _provenance(sentiment_set, "derived labels (ombuds_lab/enrichment/permissive.py)")
            )
            | (
                {
                    "teacher_labels": {
                        "data": "the accurate model's labels on the unlabelled texts that are not airline "
                        f"tweets, the {TEACHER_LABEL_SHARE:.0%} it is surest of",
                        "rows": len(guessed),
                        "weight": SELF_TRAINING_WEIGHT,
                        "classes": {
                            label: guessed.labels.count(label) for label in sorted(set(guessed.labels))
                        },
                    }
                }
                if guessed is not None
                else {}
            ),
            "embedding": {
                "method": _embedding_method(featurizer.dimensions, tuned),
                "data": ", ".join(
                    [f.name for f in permissive.FILES] if permissive_only else [f for f, _ in UNLABELLED]
                ),
                "rows": len(corpus),
                "excluded": exclude.name if exclude is not None else None,
                "mean_cosine_to_teacher": round(fit, 3),
                **({"teacher": tuned} if tuned is not None else {}),
            },
            "category": _provenance(
                categories,
                'intents grouped into topics, UCI sentences as "none"'
                if permissive_only
                else 'negativereason (without "Can\'t Tell"; other tweets as "none")',
                " + the distilled sentence vector, per-class decision offsets tuned by 3-fold"
                " cross-validation for macro-F1",
            ),
        },
        "license_note": _license_note(permissive_only),
    }
    (out / f"{name}.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return manifest


def _embedding_method(dimensions: int, tuned: dict[str, object] | None) -> str:
    if tuned is None:
        return (
            f"word TF-IDF × a {dimensions}-dimension projection distilled from all-MiniLM-L6-v2 "
            f"(top principal directions of its vectors, cosine loss, {EPOCHS} epochs of Adam), no labels used"
        )
    return (
        f"word TF-IDF × a {dimensions}-dimension projection distilled from all-MiniLM-L6-v2 (top "
        f"principal directions of its vectors) and the sentiment probabilities of the accurate model "
        f"{tuned['version']} (MiniLM fine-tuned on the labels under 'teacher'; their block weighs "
        f"{PROBABILITY_WEIGHT} beside the directions), cosine loss, {EPOCHS} epochs of Adam"
    )


def _license_note(permissive_only: bool) -> str:
    if permissive_only:
        return (
            "Trained only on data that allows commercial use: "
            + "; ".join(f"{f.name} ({f.licence})" for f in permissive.FILES)
            + "; sentence vectors from all-MiniLM-L6-v2 (Apache-2.0)."
        )
    return (
        "Trained on the Twitter US Airline Sentiment data set (CrowdFlower, CC BY-NC-SA 4.0): "
        "non-commercial use only; use permissive.npz (--permissive-only) or your own labelled data "
        "for commercial use."
    )


def _unlabelled_texts(data: Path) -> list[str]:
    """Texts only (no labels) from every public set present: what words keep company."""
    texts: list[str] = []
    for name, column in UNLABELLED:
        if (data / name).exists():
            texts.extend(text[:1000] for text in _column(data / name, column))
    return [text for text in texts if text.strip()]


def _column(path: Path, column: str) -> list[str]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [row.get(column) or "" for row in csv.DictReader(handle)]


def _teacher_vectors(corpus: list[str], cache: Path | None) -> np.ndarray:
    """MiniLM sentence vectors of the corpus, read from the cache when it holds this corpus."""
    key = hashlib.sha256("\n".join(corpus).encode()).hexdigest()
    if cache is not None and cache.exists():
        stored = read_arrays(cache)
        if str(stored["key"]) == key:
            return stored["vectors"].astype(np.float32)
    from ombuds.promises.encoder import MiniLMEncoder

    vectors = MiniLMEncoder().encode(corpus)
    if cache is not None:
        write_arrays(cache, {"key": np.array(key), "vectors": vectors.astype(np.float16)})
    return vectors


TEACHER_NOTE = "teacher.json"


def _accurate_teacher(folder: Path, airline: Path) -> dict[str, object]:
    """The accurate model in ``folder`` (tuned there first on the airline labels when there is
    none), described for the manifest: its version and what it learnt from."""
    from ombuds.enrichment.accurate.tuning import AccurateModel

    note = folder / TEACHER_NOTE
    if not (folder / "model.json").is_file():
        from ombuds.enrichment.accurate.export import export_for_inference
        from ombuds.enrichment.accurate.recipe import Recipe
        from ombuds.enrichment.accurate.tuning import fine_tune

        sentiment = read_labeled_csv(airline, text_col="text", label_col="airline_sentiment")
        reasons = _airline_reasons(airline)
        model = fine_tune(
            {
                "sentiment": list(zip(sentiment.texts, sentiment.labels, strict=True)),
                "category": list(zip(reasons.texts, reasons.labels, strict=True)),
            },
            Recipe(),
        )
        model.save(folder)
        export_for_inference(folder, sentiment.texts, threads=Recipe().threads)
        data = f'{airline.name} columns airline_sentiment and negativereason (without "Can\'t Tell")'
        note.write_text(json.dumps({"data": data}, indent=2) + "\n", encoding="utf-8")
    model = AccurateModel.load(folder)
    described: dict[str, object] = {
        "version": model.stamp,
        "examples": model.examples,
        "sentiment_classes": list(model.heads["sentiment"].classes),
    }
    if note.is_file():
        described |= json.loads(note.read_text(encoding="utf-8"))
    return described


def _teacher_guesses(
    corpus: list[str], outputs: list[np.ndarray], airline: set[str], tuned: dict[str, object]
) -> TrainingSet:
    """The teacher's sentiment labels on the unlabelled texts that are not airline tweets, the
    share it is surest of (airline tweets are the labelled rows or the scoring part)."""
    others = [i for i, text in enumerate(corpus) if text not in airline]
    classes = [str(name) for name in tuned["sentiment_classes"]]  # type: ignore[attr-defined]
    texts, labels = teacher_labels([corpus[i] for i in others], outputs[0][others], classes)
    return TrainingSet(texts, labels, "teacher")


def _accurate_sentiment(corpus: list[str], folder: Path, cache: Path | None) -> np.ndarray:
    """The accurate model's sentiment probabilities of the corpus, read from the cache (beside
    the encoder's, ``NAME.accurate.npz``) when it holds them for this corpus and this model."""
    from ombuds.enrichment.accurate.tuning import AccurateModel

    model = AccurateModel.load(folder)
    key = hashlib.sha256("\n".join([model.stamp, *corpus]).encode()).hexdigest()
    stored_at = cache.with_suffix(".accurate.npz") if cache is not None else None
    if stored_at is not None and stored_at.exists():
        stored = read_arrays(stored_at)
        if str(stored["key"]) == key:
            return stored["probabilities"].astype(np.float32)
    probabilities = np.concatenate(
        [
            model.probabilities("sentiment", corpus[start : start + 4_000])
            for start in range(0, len(corpus), 4_000)
        ]
    ).astype(np.float32)
    if stored_at is not None:
        write_arrays(stored_at, {"key": np.array(key), "probabilities": probabilities})
    return probabilities


def _distilled_featurizer(
    featurizer: TextFeaturizer, corpus: list[str], targets: np.ndarray
) -> tuple[TextFeaturizer, float]:
    """The featurizer with a sentence projection fitted to the teacher's targets, and the fit reached."""
    words = featurizer.transform(corpus)[:, : featurizer.words.size].tocsr()
    projection = distill_projection(words, targets)
    return featurizer.with_projection(projection), agreement(words, projection, targets)


#: The airline data set writes one reason unlike the others ("longlines"); the desk shows it as
#: they are written.
REASON_NAMES = {"longlines": "Long Lines"}


def _airline_reasons(path: Path) -> TrainingSet:
    """The data set's complaint reasons, undecided ones left out, each named as the desk shows it."""
    reasons = read_labeled_csv(path, text_col="text", label_col="negativereason").without(["Can't Tell"])
    return TrainingSet(
        reasons.texts, [REASON_NAMES.get(label, label) for label in reasons.labels], reasons.source
    )


def _airline_categories(path: Path) -> TrainingSet:
    """Airline complaint reasons as the default taxonomy; tweets without one teach "none"."""
    every = read_labeled_csv(path, text_col="text", label_col="airline_sentiment")
    reasons = _airline_reasons(path)
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
    parser.add_argument("--teacher-cache", type=Path, help="keep the encoder's vectors here between builds")
    parser.add_argument("--exclude", type=Path, help="a CSV whose texts stay out of the unlabelled corpus")
    parser.add_argument(
        "--teacher",
        type=Path,
        help="distil from the accurate model in this folder (tuned there first when it holds none)",
    )
    parser.add_argument(
        "--labels",
        type=Path,
        help="labelled rows for the heads (airline_dev.csv's columns; default: that file itself)",
    )
    parser.add_argument(
        "--permissive-only",
        action="store_true",
        help="train permissive.npz only on data whose licence allows commercial use",
    )
    args = parser.parse_args()
    manifest = build(
        args.data,
        args.out,
        teacher_cache=args.teacher_cache,
        exclude=args.exclude,
        permissive_only=args.permissive_only,
        teacher=args.teacher,
        labels=args.labels,
    )
    print(json.dumps(manifest, indent=2))


if __name__ == "__main__":
    main()
