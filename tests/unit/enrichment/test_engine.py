"""The engine the pipeline calls: one list of findings per mention, every finding stamped."""

from __future__ import annotations

from ombuds.enrichment.base import MentionFacts
from ombuds.enrichment.engine import load_default_engine


def test_angry_delay_tweet_reads_negative_and_thanks_read_positive() -> None:
    engine = load_default_engine()
    batch = [
        MentionFacts("@skyways flight 1234 delayed 3 hours and still no update. worst airline ever"),
        MentionFacts("@skyways thank you so much, the crew was lovely and we landed early!"),
        MentionFacts("@skyways what time does the check-in desk open at JFK tomorrow?"),
    ]
    results = engine.analyze(batch)
    assert len(results) == 3
    sentiment = [next(f for f in findings if f.analyzer == "sentiment") for findings in results]
    assert [finding.label for finding in sentiment] == ["negative", "positive", "neutral"]
    for finding in sentiment:
        assert finding.model_version
        probabilities = finding.data["probabilities"]
        assert set(probabilities) == {"negative", "neutral", "positive"}
        assert finding.score == max(probabilities.values())


def test_every_mention_gets_a_finding_from_every_analyzer() -> None:
    engine = load_default_engine()
    results = engine.analyze([MentionFacts(""), MentionFacts("ok")])
    names = set(engine.versions)
    assert all({finding.analyzer for finding in findings} == names for findings in results)
    assert engine.analyze([]) == []


def test_default_engine_is_loaded_once() -> None:
    assert load_default_engine() is load_default_engine()


def embeddings(texts: list[str]) -> list[list[float]]:
    results = load_default_engine().analyze([MentionFacts(text) for text in texts])
    return [next(f for f in found if f.analyzer == "embedding").data["vector"] for found in results]


def cosine(a: list[float], b: list[float]) -> float:
    return sum(x * y for x, y in zip(a, b, strict=True))


def test_embeddings_put_similar_complaints_closer_than_unrelated_ones() -> None:
    texts = [
        "@skyways you lost my luggage on the flight to Denver",
        "@skyways my bag never arrived, lost baggage again",
        "@skyways the app will not let me pick a seat for my booking",
    ]
    vectors = embeddings(texts)
    assert cosine(vectors[0], vectors[1]) > cosine(vectors[0], vectors[2])
    assert abs(cosine(vectors[0], vectors[0]) - 1) < 1e-3


def test_embeddings_bring_together_complaints_that_share_no_word() -> None:
    texts = [
        "@skyways sat on the tarmac for two hours, nobody tells us anything",
        "@skyways my flight is delayed again",
        "@skyways the website crashed while I was paying",
    ]
    vectors = embeddings(texts)
    assert cosine(vectors[0], vectors[1]) > cosine(vectors[0], vectors[2]) + 0.1
