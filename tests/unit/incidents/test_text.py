"""Text signatures: what a burst is about, told by its most typical message."""

from __future__ import annotations

import csv

import snowballstemmer
from snowballstemmer.english_stemmer import EnglishStemmer

from ombuds.incidents.detectors.text import medoid, phrase_hash, phrase_text, phrases, words
from tests.conftest import shared_data


def test_words_drop_links_handles_entities_and_retweet_markers() -> None:
    text = "RT @Brand: Our fleet's on fleek &amp; more http://t.co/abc #fail"
    assert words(text) == ["our", "fleet's", "on", "fleek", "more", "#fail"]


def test_phrase_hashes_are_the_same_for_the_same_words_anywhere() -> None:
    tokens = words("lol our fleet's on fleek")
    found = phrases(tokens)
    assert phrase_hash("fleet's on fleek") in found
    assert phrase_text(tokens, found[phrase_hash("on fleek")]) == "on fleek"
    # a run of stopwords alone is not a phrase
    assert phrase_hash("on the") not in phrases(words("it is on the way"))


def test_the_representative_text_is_the_one_that_carries_what_is_new() -> None:
    texts = [
        "Thanks for the help!",
        "lol “Our fleet's on fleek.”",
        "Please don't. RT “Our fleet's on fleek.”",
        "STAHP “Our fleet's on fleek.” this is embarrassing",
        "Thanks, all sorted now",
        "my bag is lost again",
    ]
    common = {phrase_hash(w) for w in ("thanks", "help", "now", "bag", "lost")}

    def rate(keys: list[int]) -> list[float]:
        return [0.2 if key in common else 0.001 for key in keys]

    chosen = texts[medoid(texts, rate)]
    assert "fleek" in chosen


def test_the_c_stemmer_gives_the_stems_of_the_pure_python_one() -> None:
    # snowballstemmer hands stemming to PyStemmer when it is installed (16 times faster on a
    # word not seen before); the agreement test and storm topics must not notice the swap
    stemmer = snowballstemmer.stemmer("english")
    assert type(stemmer).__module__ == "Stemmer"
    seen: set[str] = set()
    with shared_data("airline_dev.csv").open(newline="", encoding="utf-8") as file:
        for row in csv.DictReader(file):
            seen.update(words(row["text"]))
    every = sorted(seen)
    assert len(every) > 10_000
    assert stemmer.stemWords(every) == [EnglishStemmer().stemWord(word) for word in every]
