"""Links by meaning: two people link when they are closer to each other than to what the stream
usually says, and in the agreement test a voice needs two such links (pure; vectors given)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ombuds.enrichment.meaning import meaning_text
from ombuds.incidents.detectors import DetectorSettings
from ombuds.incidents.detectors.detect import _at_least_two_links
from ombuds.incidents.detectors.meaning import MeaningLinks, Vectors
from ombuds.incidents.detectors.storms import StormMessage


def _unit(*values: float) -> Vectors:
    vector = np.array(values, dtype=np.float32)
    return vector / np.linalg.norm(vector)


# A generic direction everything about the brand shares a little, and two problems' own.
MEANINGS = {
    "please help": _unit(1, 0.1, 0, 0),
    "help me please": _unit(1, 0.12, 0, 0),
    "offline playlists wiped": _unit(0.3, 0, 1, 0),
    "lost all downloaded songs": _unit(0.3, 0, 0.95, 0.1),
    "app crashes on start": _unit(0.3, 0, 0, 1),
}


class Reader:
    def __init__(self) -> None:
        self.read: list[str] = []

    def __call__(self, texts: Sequence[str]) -> Vectors:
        self.read.extend(texts)
        return np.stack([MEANINGS[text] for text in texts])


def _message(mention_id: int, text: str) -> StormMessage:
    return StormMessage(mention_id, float(mention_id), text, f"a{mention_id}", 0, 0, True, "negative")


def _background(count: int) -> list[StormMessage]:
    texts = ["please help", "app crashes on start"]
    return [_message(1000 + i, texts[i % 2]) for i in range(count)]


def test_people_closer_than_the_stream_usually_is_link_and_generic_ones_do_not() -> None:
    window = {
        1: "offline playlists wiped",
        2: "lost all downloaded songs",
        3: "help me please",
        4: "please help",
    }
    recent = {i: _message(i, text) for i, text in window.items()}
    written = {message.voice: [message.mention_id] for message in recent.values()}
    reader = Reader()
    links = MeaningLinks(reader)
    pairs = links.pairs(written, _background(40), recent, DetectorSettings())
    # two wordings of one problem link; two generic pleas are as alike as the stream always is
    assert pairs == [("a1", "a2")]

    # each message is read once, however often it is asked about
    read = len(reader.read)
    links.pairs(written, _background(40), recent, DetectorSettings())
    assert len(reader.read) == read


def test_no_links_by_meaning_without_enough_of_the_stream_to_compare_with() -> None:
    recent = {1: _message(1, "offline playlists wiped"), 2: _message(2, "lost all downloaded songs")}
    written = {"a1": [1], "a2": [2]}
    settings = DetectorSettings()
    few = _background(settings.agree_meaning_min_background - 1)
    assert MeaningLinks(Reader()).pairs(written, few, recent, settings) == []


def test_a_voice_agrees_by_meaning_only_with_two_links() -> None:
    # a chain (each a little like the next) falls apart; a triangle holds, its pendant does not
    assert _at_least_two_links(4, [(0, 1), (1, 2), (2, 3)]) == set()
    assert _at_least_two_links(5, [(0, 1), (1, 2), (2, 0), (2, 3), (3, 4)]) == {0, 1, 2}


def test_what_is_compared_of_a_message_leaves_out_handles_and_links() -> None:
    assert (
        meaning_text("@SpotifyCares my offline songs are gone https://t.co/x1 ")
        == "my offline songs are gone"
    )
    assert meaning_text("@SpotifyCares https://t.co/x1") == "."
