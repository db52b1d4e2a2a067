"""What a matched message says about a promise: the matcher's hits with their stance and evidence.

The one path from texts to judged matches, shared by the pipeline stage (which stores them) and
the preflight of a draft claim (which only counts them), so a draft is judged exactly as the
promise it would become. Pure: the encoder comes inside the matcher.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ombuds.promises.matching import Matcher, PromiseCandidate
from ombuds.promises.stance import StanceFinding, detect_stance, sentences


@dataclass(frozen=True, slots=True)
class Judged:
    """One promise a message speaks to, and what it says about it."""

    hit: PromiseCandidate
    finding: StanceFinding


def evidence_spans(matcher: Matcher, texts: Sequence[str]) -> dict[str, dict[str, tuple[int, int]]]:
    """Per message and promise, the sentence closest to the promise; every sentence encoded in one batch."""
    pieces = {text: sentences(text) for text in texts}
    several = [(text, span) for text, spans in pieces.items() if len(spans) > 1 for span in spans]
    vectors = matcher.encoder.encode([text[start:end] for text, (start, end) in several]) if several else None
    keys = [promise.key for promise in matcher.promises]
    found: dict[str, dict[str, tuple[int, int]]] = {
        text: dict.fromkeys(keys, spans[0]) for text, spans in pieces.items()
    }
    row = 0
    for text, spans in pieces.items():
        if len(spans) == 1:
            continue
        assert vectors is not None
        scores = vectors[row : row + len(spans)] @ matcher.promise_matrix.T  # sentences × promises
        for column, key in enumerate(keys):
            found[text][key] = spans[int(scores[:, column].argmax())]
        row += len(spans)
    return found


def judge(matcher: Matcher, texts: Sequence[str], sentiments: Sequence[str | None]) -> list[list[Judged]]:
    """For each text, the promises it speaks to (best first) with stance and evidence.

    ``sentiments`` are the analysis engine's labels for the texts (None where there is none).
    """
    results = matcher.match(texts)
    spans = evidence_spans(matcher, [text for text, found in zip(texts, results, strict=True) if found])
    return [
        [
            Judged(hit, detect_stance(text, span=spans[text][hit.promise_key], sentiment=sentiment))
            for hit in found
        ]
        for text, found, sentiment in zip(texts, results, sentiments, strict=True)
    ]
