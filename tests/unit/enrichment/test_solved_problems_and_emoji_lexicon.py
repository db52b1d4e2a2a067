"""Thanks for a problem solved reads as thanks, and the common emoji of annoyance read negative.

The sentences marked held out were written after the reading was built and run once, as they are.
"""

from __future__ import annotations

import json

import pytest

from ombuds.enrichment.analyzers.emoji_reading import polarity_lexicon
from ombuds.enrichment.analyzers.resolution import read_resolution, warmth
from ombuds.enrichment.artifacts import trained_dir
from ombuds.enrichment.base import Finding, MentionFacts
from ombuds.enrichment.engine import load_default_engine

DEMO_PRAISE = "@LarkspurAir Maria at the Vancouver desk found my lost passport. Hero"
THANKS = [
    DEMO_PRAISE,
    # held out
    "@LarkspurAir A flight attendant returned the wallet I forgot in seat 14C. Thank you so much!",
    "@LarkspurAir my missing golf clubs were delivered to the hotel this morning, brilliant work by the Denver team",
    "@LarkspurAir Whoever recovered the laptop I left at security in Seattle: you saved my week",
]
STILL_COMPLAINTS = [
    "@LarkspurAir still haven't found my lost bag",
    "@LarkspurAir please help me find my lost bag",
    "@LarkspurAir finally found my lost bag myself after 3 weeks, no help from you at all",
    # held out
    "@LarkspurAir you never found my lost bag and nobody calls back",
    "@LarkspurAir I lost my bag in Toronto and it still has not been returned",
    "@LarkspurAir they located my missing suitcase, however half my things are gone",
]


def _findings(*texts: str) -> list[dict[str, Finding]]:
    batch = [MentionFacts(text) for text in texts]
    return [{found.analyzer: found for found in row} for row in load_default_engine().analyze(batch)]


@pytest.mark.parametrize("text", THANKS)
def test_thanks_for_a_lost_thing_found_is_positive_and_names_nothing_to_fix(text: str) -> None:
    (found,) = _findings(text)
    assert found["sentiment"].label == "positive"
    assert found["sentiment"].data["solved"]
    assert found["category"].label is None, "not a lost-luggage complaint"
    assert found["intent"].label == "praise"


@pytest.mark.parametrize("text", STILL_COMPLAINTS)
def test_a_problem_not_solved_or_something_else_wrong_stays_a_complaint(text: str) -> None:
    (found,) = _findings(text)
    assert found["sentiment"].label == "negative"
    assert "solved" not in found["sentiment"].data
    assert found["category"].label is not None


def test_the_reading_sets_the_solved_problem_aside_and_reads_the_rest() -> None:
    resolution = read_resolution(DEMO_PRAISE)
    assert resolution is not None
    assert resolution.solved == "found my lost"
    assert resolution.is_thanks
    assert resolution.warmth > 0.5  # "Hero"
    assert read_resolution("my lost passport") is None
    turned = read_resolution("you found my missing suitcase but it was smashed to pieces")
    assert turned is not None
    assert not turned.is_thanks
    assert warmth("no help at all") < 0 < warmth("a great help")


@pytest.mark.parametrize("emoji", ["🙄", "😤"])
def test_eye_rolls_and_huffs_read_negative(emoji: str) -> None:
    (found,) = _findings(f"@LarkspurAir seriously {emoji}")
    assert found["sentiment"].label == "negative"
    assert found["sentiment"].data["emoji"] == [emoji]


def test_common_emoji_of_both_kinds_have_a_polarity_from_the_built_lexicon() -> None:
    lexicon = polarity_lexicon()
    # held out from the two above: frustration, disgust, sadness, heartbreak; and warmth
    assert all(lexicon[e] < 0 for e in ("🤦", "🤮", "😔", "💔", "👎", "😒", "😩", "😡"))
    assert all(lexicon[e] > 0 for e in ("🥰", "😍", "🙏", "👏", "👍", "😊", "❤"))
    document = json.loads((trained_dir() / "emoji_polarity.json").read_text(encoding="utf-8"))
    assert document["built_by"] == "scripts/build_emoji_polarity.py"
    assert any("CLDR" in source and "annotations" in source for source in document["sources"])
