"""What emoji say about a message's mood, so "hello?? 🤬" reads negative whatever its words are.

The text model learned from words; emoji are rare in its training data and a short message has
few words, so it calls "hello?? 🤬" neutral. Here each emoji's polarity comes from a public
lexicon (``trained/emoji_polarity.json``, built by ``scripts/build_emoji_polarity.py`` from the
Emoji Sentiment Ranking and the VADER lexicon over the names the ``emoji`` package gives), and the
fewer words a message has, the more its emoji decide. The language guess plays no part. Emoji
are found by the lexicon's own sequences, skin tones and the emoji-style selector removed first:
the ``emoji`` package's parser takes about a millisecond a message, too slow for the hot path. Pure: the lexicon is read from the package once.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

from ombuds.enrichment.artifacts import trained_dir

LEXICON_FILE = "emoji_polarity.json"
#: With this many words beside them, emoji weigh half as much as they would alone.
HALF_WEIGHT_WORDS = 6
#: The most emoji may weigh, however strong and however short the message.
MAX_WEIGHT = 0.9
#: Polarity this strong (of ±1) counts fully; weaker emoji count in proportion.
FULL_POLARITY = 0.3
WORD = re.compile(r"[^\W\d_]{2,}")
NOISE = re.compile(r"@\w+|#\w+|https?://\S+")
SKIN_TONES = re.compile("[\U0001f3fb-\U0001f3ff\ufe0f]")


@cache
def polarity_lexicon() -> Mapping[str, float]:
    """Emoji (without variation selectors) → polarity from -1 to +1; neutral emoji are absent."""
    document = json.loads((trained_dir() / LEXICON_FILE).read_text(encoding="utf-8"))
    return {str(char): float(score) for char, score in document["polarity"].items()}


@cache
def _by_first_character() -> Mapping[str, tuple[str, ...]]:
    """The lexicon's emoji by their first character, longest first so that a joined sequence wins
    over its parts."""
    starting: dict[str, list[str]] = {}
    for key in polarity_lexicon():
        starting.setdefault(key[0], []).append(key)
    return {char: tuple(sorted(keys, key=len, reverse=True)) for char, keys in starting.items()}


def known_emoji(text: str) -> list[str]:
    """The lexicon's emoji in the text, in order (skin tones and the emoji-style selector ignored)."""
    starting = _by_first_character()
    # most messages hold no emoji: a set test in C spares them the walk below
    if text.isascii() or starting.keys().isdisjoint(text):
        return []
    text = SKIN_TONES.sub("", text)
    found = []
    at = 0
    while at < len(text):
        step = 1
        for key in starting.get(text[at], ()):
            if text.startswith(key, at):
                found.append(key)
                step = len(key)
                break
        at += step
    return found


@dataclass(frozen=True, slots=True)
class EmojiReading:
    """The emoji with a known polarity, their mean polarity, how much they should weigh, and how
    many words the message has beside them (handles, hashtags and links not counted)."""

    emoji: tuple[str, ...]
    polarity: float
    weight: float
    words: int

    @property
    def label(self) -> str:
        return "negative" if self.polarity < 0 else "positive"


def read_emoji(text: str) -> EmojiReading | None:
    """None when the text has no emoji of known polarity."""
    found = known_emoji(text)
    if not found:
        return None
    lexicon = polarity_lexicon()
    polarity = sum(lexicon[char] for char in found) / len(found)
    words = len(WORD.findall(NOISE.sub(" ", text)))  # emoji are not word characters
    strength = min(1.0, abs(polarity) / FULL_POLARITY)
    weight = MAX_WEIGHT * strength * HALF_WEIGHT_WORDS / (HALF_WEIGHT_WORDS + words)
    return EmojiReading(tuple(found), round(polarity, 4), round(weight, 4), words)


def with_emoji(probabilities: Mapping[str, float], reading: EmojiReading) -> dict[str, float]:
    """The model's probabilities moved toward the emoji's side by the reading's weight."""
    return {
        label: round((1 - reading.weight) * p + (reading.weight if label == reading.label else 0.0), 4)
        for label, p in probabilities.items()
    }
