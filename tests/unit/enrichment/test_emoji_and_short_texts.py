"""Emoji and short messages: the mood a person would read in them, whatever the language guess."""

from __future__ import annotations

import pytest

from ombuds.enrichment.analyzers.emoji_reading import polarity_lexicon, read_emoji
from ombuds.enrichment.base import Finding, MentionFacts
from ombuds.enrichment.engine import load_default_engine


def _findings(*texts: str, is_outbound: bool = False) -> list[dict[str, Finding]]:
    batch = [MentionFacts(text, is_outbound=is_outbound) for text in texts]
    return [{found.analyzer: found for found in row} for row in load_default_engine().analyze(batch)]


@pytest.mark.parametrize("angry", ["🤬", "😡", "👎", "😠", "😒"])
def test_a_short_nudge_with_an_angry_emoji_reads_negative(angry: str) -> None:
    (found,) = _findings(f"@LarkspurAir hello?? {angry}")
    assert found["language"].label == "und", "too short to tell the language"
    assert found["sentiment"].label == "negative"
    assert found["sentiment"].data["emoji"] == [angry]
    assert found["intent"].label == "complaint"


def test_the_same_nudge_without_emoji_stays_neutral() -> None:
    (found,) = _findings("@LarkspurAir hello??")
    assert found["sentiment"].label == "neutral"
    assert "emoji" not in found["sentiment"].data


def test_emoji_alone_are_read_and_skin_tones_do_not_hide_them() -> None:
    angry, thumbs_down, heart = _findings("🤬🤬🤬", "👎🏽", "❤️")
    assert angry["sentiment"].label == "negative"
    assert thumbs_down["sentiment"].label == "negative"
    assert heart["sentiment"].label == "positive"


def test_a_praise_emoji_turns_a_thank_you_for_a_found_passport_positive() -> None:
    (found,) = _findings("@LarkspurAir Maria at the Vancouver desk found my lost passport. Hero 🙌")
    assert found["sentiment"].label == "positive"
    assert found["intent"].label == "praise"


def test_a_polite_emoji_does_not_soften_a_long_complaint() -> None:
    (found,) = _findings(
        "@LarkspurAir flight 212 delayed 4 hours, nobody at the gate knows anything and the app says on time 🙏"
    )
    assert found["sentiment"].label == "negative"


def test_emoji_weigh_less_the_more_words_there_are() -> None:
    short = read_emoji("ugh 😡")
    long = read_emoji("ugh the flight was late and the crew did not say a single word about it 😡")
    assert short is not None
    assert long is not None
    assert short.polarity == long.polarity < 0
    assert short.weight > 2 * long.weight


def test_the_lexicon_is_the_built_file_and_knows_both_sides() -> None:
    lexicon = polarity_lexicon()
    assert lexicon["🤬"] < -0.3
    assert lexicon["😡"] < -0.2
    assert lexicon["👍"] > 0.3
    assert lexicon["😊"] > 0.3
    assert read_emoji("no emoji here") is None


def test_the_brands_own_reply_gets_no_sentiment_or_intent() -> None:
    (reply,) = _findings(
        "@ana Hi Ana, we're sorry to hear this. Could you DM us your booking reference? ^MK", is_outbound=True
    )
    assert "sentiment" not in reply
    assert "intent" not in reply
    assert {"language", "pii", "signals"} <= reply.keys(), "the other analyzers still read it"
