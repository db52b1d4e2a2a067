"""Which language a mention is written in, offline.

Most messages to a brand are in its main language, so a cheap check of common English function
words settles the clear cases; the rest go to py3langid (a naive Bayes model over byte n-grams
that ships inside its PyPI package, 97 languages). Both are measured in docs/analysis.md.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache
from typing import Any, ClassVar

from ombuds.enrichment.base import Finding, MentionFacts


def words(text: str) -> list[str]:
    return text.split()


ENGLISH_WORDS = frozenset(
    words(
        "the and you your is are was were my to for with this that have has not it's i'm don't "
        "can't what why how when where will would should could just been get got our we they them "
        "their there from about please thanks thank of be it on at an if so but i me we us he she "
        "all out up now still again only very really had did does do who which or as by than then "
        "too need help u ur im dont cant its thx any can now no"
    )
)
# Candidate languages for the model: the widely spoken ones. Leaving out rare languages avoids
# labelling short English or Spanish posts as, say, Nigerian Pidgin or Walloon.
LANGUAGES = tuple(
    words(
        "en es fr de it pt nl sv da no fi pl cs sk hu ro bg el ru uk tr ar he fa hi bn ur id ms tl "
        "vi th zh ja ko ca hr sr sl lt lv et ga cy"
    )
)
MIN_CONFIDENCE = 0.5  # below this the model is guessing ("ok", "lol"): say undetermined
WORD = re.compile(r"[a-z']+")
NON_ASCII = re.compile(r"[^\x00-\x7f]")
NOISE = re.compile(r"@\w+|#\w+|https?://\S+")


def fast_english(text: str) -> float | None:
    """A confidence when the text is plainly English (ASCII words, many English function words)."""
    if not text.isascii() and any(char.isalpha() for char in NON_ASCII.findall(text)):
        return None  # emoji and curly quotes are fine, letters outside ASCII are not
    words = WORD.findall(NOISE.sub(" ", text.lower().replace("\u2019", "'")))
    if len(words) < 4:
        return None
    hits = sum(word in ENGLISH_WORDS for word in words)
    share = hits / len(words)
    if hits >= 2 and share >= 0.2:
        return round(min(0.99, 0.8 + share / 2), 4)
    return None


def load_identifier() -> None:
    """Load the language model now (a second of CPU), not on the first message that needs it."""
    _identifier()


@cache
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier  # type: ignore[import-untyped]

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(LANGUAGES)
    return identifier


class LanguageAnalyzer:
    """Label is an ISO 639-1 code (``und`` when there is no text to judge); score the confidence."""

    name: ClassVar[str] = "language"

    @property
    def version(self) -> str:
        return "py3langid-0.4+en-fast.1"

    def analyze(self, batch: Sequence[MentionFacts]) -> list[Finding]:
        return [self._one(facts.text) for facts in batch]

    def _one(self, text: str) -> Finding:
        confidence = fast_english(text)
        if confidence is not None:
            return Finding(self.name, self.version, "en", confidence, {"method": "function-words"})
        cleaned = NOISE.sub(" ", text).strip()
        if not any(char.isalpha() for char in cleaned):
            return Finding(self.name, self.version, "und", 0.0, {"method": "empty"})
        code, probability = _identifier().classify(cleaned)
        confidence = round(float(probability), 4)
        if confidence < MIN_CONFIDENCE:
            return Finding(self.name, self.version, "und", confidence, {"method": "py3langid", "guess": code})
        return Finding(self.name, self.version, str(code), confidence, {"method": "py3langid"})
