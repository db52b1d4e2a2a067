"""A problem reported solved is not a complaint: "Maria at the Vancouver desk found my lost passport. Hero".

The text models learned that "lost", "missing" and "bag" mean a lost-luggage complaint, and they
read each word apart, so thanks for a found passport reads negative and routes to Lost Luggage.
Here a message that reports a lost thing found, returned or tracked down (and not "still not
found") has that problem set aside, and the rest of its words decide: with nothing negative left
(a thank-you, "Hero", or just the news), sentiment moves toward positive and the category, which
names what to fix, is dropped. With something negative left ("found it myself, no help from
you") the models' reading stands.

The words' valence and the negations come from the VADER lexicon (``trained/word_valence.json``,
built by ``scripts/build_emoji_polarity.py``); the rules are VADER's own: a negation among the
three words before flips a word. Pure: the lexicon is read from the package once.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

from ombuds.enrichment.artifacts import trained_dir

LEXICON_FILE = "word_valence.json"
#: A thing reported lost; the problem a resolution answers.
_PROBLEM = r"(?:lost|missing|misplaced|forgotten|forgot|left(?: behind)?|dropped)"
#: Someone found it, or it came back (done: "help me find" is a request, not news).
_FOUND = (
    r"(?:found|returned|recovered|located|retrieved|tracked\s+down|brought\s+back|got\s+back|"
    r"handed\s+back|delivered|reunited\s+(?:me|us)\s+with)"
)
_GAP = r"(?:\W+\w+){0,8}?\W+"  # up to eight words between
#: "found my lost passport", "lost my phone … found it", "my missing bag was returned".
RESOLVED = re.compile(
    rf"\b{_FOUND}{_GAP}{_PROBLEM}\b|\b{_PROBLEM}{_GAP}{_FOUND}\b",
    re.IGNORECASE,
)
WORD = re.compile(r"[a-z']+")
NOISE = re.compile(r"@\w+|#\w+|https?://\S+")
#: VADER: a negation among the three words before flips a word and weakens it.
NEGATION_SCALE = -0.74
NEGATION_REACH = 3
#: VADER's normalisation of a sum of valences to -1..1.
ALPHA = 15.0
#: How far a resolution with nothing negative left moves sentiment toward positive, at least…
BASE_WEIGHT = 0.5
#: …and up to this much more as the rest of the message grows warmer.
WARMTH_WEIGHT = 0.4


#: Words that negate what follows besides VADER's list (VADER treats "no" apart, the same way).
EXTRA_NEGATIONS = frozenset({"no", "nobody", "noone"})
#: A turn in the story: what follows it decides ("found my bag, but it was smashed").
CONTRASTS = re.compile(r"\b(?:but|however|though|although|except)\b", re.IGNORECASE)


@cache
def _lexicon() -> tuple[Mapping[str, float], frozenset[str]]:
    document = json.loads((trained_dir() / LEXICON_FILE).read_text(encoding="utf-8"))
    valence = {str(word): float(score) for word, score in document["valence"].items()}
    return valence, frozenset(str(word) for word in document["negate"]) | EXTRA_NEGATIONS


def _denies(word: str, negate: frozenset[str]) -> bool:
    """A negation ("not", "never", "haven't"), or "still"/"yet", which say it has not happened."""
    return word.replace("'", "") in negate or word.endswith("n't") or word in ("still", "yet")


def _is_negated(words: list[str], at: int, negate: frozenset[str]) -> bool:
    return any(_denies(word, negate) for word in words[max(0, at - NEGATION_REACH) : at])


def warmth(text: str) -> float:
    """VADER's compound reading of the words: -1 (hostile) to +1 (warm), 0 with no feeling words."""
    valence, negate = _lexicon()
    words = WORD.findall(NOISE.sub(" ", text).lower())
    total = 0.0
    for at, word in enumerate(words):
        score = valence.get(word.strip("'"))
        if score is None or word in negate:  # a negation's own valence goes into what it negates
            continue
        total += score * NEGATION_SCALE if _is_negated(words, at, negate) else score
    return total / math.sqrt(total * total + ALPHA) if total else 0.0


@dataclass(frozen=True, slots=True)
class Resolution:
    """A solved problem in the message, and how warm the rest of it is."""

    solved: str  # the words reporting it ("found my lost")
    warmth: float
    turned: bool = False  # the story turns after it ("but …"), and what follows is not warm

    @property
    def is_thanks(self) -> bool:
        """Nothing negative besides the solved problem: news of it, or thanks for it."""
        return self.warmth >= 0.0 and not self.turned

    @property
    def weight(self) -> float:
        return round(BASE_WEIGHT + WARMTH_WEIGHT * max(0.0, self.warmth), 4)


def read_resolution(text: str) -> Resolution | None:
    """None unless the text reports a lost thing found (and not negated: "still haven't found")."""
    found = RESOLVED.search(text)
    if found is None:
        return None
    _, negate = _lexicon()
    before = WORD.findall(text[: found.start()].lower())[-NEGATION_REACH:]
    if any(_denies(word, negate) for word in [*before, *WORD.findall(found.group(0).lower())]):
        return None
    rest = text[: found.start()] + " " + text[found.end() :]
    after = CONTRASTS.split(text[found.end() :])
    turned = len(after) > 1 and warmth(after[-1]) <= 0.0
    return Resolution(found.group(0), round(warmth(rest), 4), turned)


def toward_positive(probabilities: Mapping[str, float], resolution: Resolution) -> dict[str, float]:
    """The model's sentiment probabilities moved toward positive by the resolution's weight."""
    weight = resolution.weight
    return {
        label: round((1 - weight) * p + (weight if label == "positive" else 0.0), 4)
        for label, p in probabilities.items()
    }
