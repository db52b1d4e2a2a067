"""Does a matched message confirm the promise, contradict it, or only mention it? And which words show it.

The analysis engine's sentiment is the first witness (a complaint that matches "On time, every
time" contradicts it). Without one, cue words decide: negations and failure words contradict,
praise words confirm. Pure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ombuds.enrichment.analyzers.pii import whole_values
from ombuds.promises.matching import Stance

_NEGATIVE = re.compile(
    r"\b(not|no|never|nobody|nothing|can't|cannot|won't|didn't|doesn't|don't|isn't|wasn't|"
    r"delay(ed|s)?|late|cancel+(ed|led|lation)?|lost|los(e|ing)|broken|damaged|rude|worst|terrible|"
    r"awful|horrible|fail(ed|s|ure)?|waiting|wait(ed)?|stuck|missed|ruined|disappointed|"
    r"unacceptable|ridiculous|still|again|hours?)\b",
    re.IGNORECASE,
)
_POSITIVE = re.compile(
    r"\b(thanks?|thank you|great|love[ds]?|awesome|amazing|excellent|perfect|best|kudos|"
    r"appreciate[ds]?|wonderful|fantastic|smooth|friendly|helpful|early|on time)\b",
    re.IGNORECASE,
)
_SENTENCE = re.compile(r"[^.!?\n]+[.!?]*")


@dataclass(frozen=True, slots=True)
class StanceFinding:
    stance: Stance
    evidence: str
    start: int
    end: int
    source: str  # "sentiment" or "cues"


def sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence-like piece that carries a word."""
    found = [(m.start(), m.end()) for m in _SENTENCE.finditer(text) if re.search(r"\w", m.group())]
    return found or [(0, len(text))]


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def cue_stance(text: str) -> Stance:
    negative = len(_NEGATIVE.findall(text))
    positive = len(_POSITIVE.findall(text))
    if negative > positive:
        return Stance.CONTRADICTS
    if positive > negative:
        return Stance.CONFIRMS
    return Stance.NEUTRAL


def detect_stance(
    text: str, *, span: tuple[int, int] | None = None, sentiment: str | None = None
) -> StanceFinding:
    """The stance toward a matched promise and the evidence span (the best-matching sentence)."""
    start, end = whole_values(text, *_trim(text, *(span or (0, len(text)))))
    evidence = text[start:end]
    if sentiment in ("negative", "positive", "neutral"):
        stance = {
            "negative": Stance.CONTRADICTS,
            "positive": Stance.CONFIRMS,
            "neutral": cue_stance(evidence),
        }[sentiment]
        return StanceFinding(stance, evidence, start, end, "sentiment")
    stance = cue_stance(evidence)
    if stance is Stance.NEUTRAL and span is not None:
        stance = cue_stance(text)
    return StanceFinding(stance, evidence, start, end, "cues")
