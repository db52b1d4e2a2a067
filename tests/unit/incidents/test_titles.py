"""A storm's title follows what most people say and how big it got, without flickering."""

from __future__ import annotations

from datetime import UTC, datetime

from ombuds.incidents.detectors import Signal, Storm
from ombuds.incidents.detectors.storms import StormMessage
from ombuds.incidents.detectors.text import NEAR_DUPLICATES, REPLIES_TO_ONE_POST
from ombuds.incidents.titles import (
    choose_phrase,
    phrase_counts,
    refreshed_title,
    size_band,
    spoken_phrases,
    storm_title,
    stream_words,
)

AT = datetime(2017, 11, 28, 9, tzinfo=UTC)


def _storm(phrases: list[str], texts: list[str], *, mention_count: int | None = None) -> Storm:
    storm = Storm(storm_id=1, signal=Signal.CLUSTER, key="phrase", opened_at=AT, last_activity_at=AT)
    storm.phrases = dict(enumerate(phrases))
    storm.sample = [
        StormMessage(
            mention_id=index,
            at=AT.timestamp(),
            text=text,
            voice=f"a{index}",
            followers=10,
            engagement=0,
            is_negative=True,
            sentiment="negative",
        )
        for index, text in enumerate(texts)
    ]
    storm.mention_count = len(texts) if mention_count is None else mention_count
    return storm


def test_the_title_names_what_most_people_say_not_the_longest_phrase() -> None:
    texts = ["@SpotifyCares app crashed again"] * 2 + ["my downloads gone after the update"] * 7
    storm = _storm(["app crashed again", "downloads gone"], texts)
    assert storm_title(storm) == "Many people saying “downloads gone”"


def test_a_storm_that_changes_subject_gets_a_new_title_once_the_new_phrase_clearly_leads() -> None:
    first = _storm(["app crashed", "downloads gone"], ["app crashed on start"] * 6 + ["downloads gone"] * 2)
    title = storm_title(first)
    assert title == "Many people saying “app crashed”"

    # A few more about downloads: close, so the title stays put.
    closer = _storm(["app crashed", "downloads gone"], ["app crashed on start"] * 6 + ["downloads gone"] * 8)
    assert storm_title(closer, current=title) == title

    # Downloads now clearly lead: the title follows (and says the storm passed 25 mentions).
    grown = _storm(["app crashed", "downloads gone"], ["app crashed on start"] * 6 + ["downloads gone"] * 20)
    assert storm_title(grown, current=title) == "Many people saying “downloads gone” · 25+ mentions"


def test_crossing_a_size_band_refreshes_the_title_and_small_growth_does_not() -> None:
    texts = ["can't download podcast episodes"] * 10
    assert (
        storm_title(_storm(["download podcast"], texts, mention_count=24))
        == "Many people saying “download podcast”"
    )
    assert storm_title(_storm(["download podcast"], texts, mention_count=99)).endswith("· 25+ mentions")
    assert storm_title(_storm(["download podcast"], texts, mention_count=140)).endswith("· 100+ mentions")
    assert [size_band(n) for n in (0, 24, 25, 499, 500, 12_000)] == [0, 0, 25, 100, 500, 10_000]


def test_a_person_s_title_is_never_replaced() -> None:
    mine = "Podcast downloads broken by 8.4.28"
    assert (
        refreshed_title(current=mine, proposed="Many people saying “download”", edited_by_person=True) is None
    )
    assert refreshed_title(current="a", proposed="a", edited_by_person=False) is None
    assert refreshed_title(current="a", proposed="b", edited_by_person=False) == "b"


def test_phrases_are_counted_word_for_word_whatever_the_case_links_and_handles() -> None:
    counts = phrase_counts(
        ["fleet's on fleek", "on fleek"],
        ["STAHP “@Skyways: Our fleet's on fleek.” https://t.co/x", "fleek", "@a ON FLEEK lol"],
    )
    assert counts == {"fleet's on fleek": 1, "on fleek": 2}
    # Phrases the sample never spells out (stems, say) fall back to the longest one.
    assert choose_phrase({"crash": 0, "download podcast": 0}) == "download podcast"
    assert choose_phrase({}) is None


def test_storms_without_words_keep_their_plain_titles() -> None:
    assert storm_title(_storm([REPLIES_TO_ONE_POST], ["lol", "no"])) == "Many people answering one post"
    volume = _storm([], [])
    volume.signal = Signal.VOLUME
    volume.key = "category:billing"
    assert storm_title(volume) == "Surge of mentions about billing"
    volume.key = "channel:x"
    assert storm_title(volume) == "Surge of mentions on X"
    reach = _storm([], [])
    reach.signal, reach.key = Signal.HIGH_REACH, "author:reddit:skytraveller"
    assert storm_title(reach) == "High-reach author complaining: skytraveller on Reddit"
    reach.key = "author:skytraveller"  # stored before voices had a channel
    assert storm_title(reach) == "High-reach author complaining: skytraveller"


def test_the_part_of_the_stream_an_alarm_watched_reads_as_words() -> None:
    """The incident's history said "author:x:dana_reports"; people read who or what it was."""
    assert stream_words("author:x:dana_reports") == "dana_reports on X"
    assert stream_words("author:dana_reports") == "dana_reports"  # stored before voices had a channel
    assert stream_words("category:lost_luggage") == "about lost luggage"
    assert stream_words("signal:media_author") == "media author"
    assert stream_words("tone:negative") == "negative tone"
    assert stream_words("channel:email") == "on Email"
    assert [stream_words(key) for key in ("all", "phrase:8f3a", "manual")] == [None, None, None]


def test_what_people_keep_saying_leaves_out_markers_and_phrases_inside_longer_ones() -> None:
    found = [
        "#slowdownwithlarkspur is",
        "#slowdownwithlarkspur is the",
        NEAR_DUPLICATES,
        REPLIES_TO_ONE_POST,
        "wifi",
    ]
    assert spoken_phrases(found) == ["#slowdownwithlarkspur is the", "wifi"]
    assert spoken_phrases([NEAR_DUPLICATES]) == []
    assert len(spoken_phrases([f"phrase {n}" for n in range(20)])) == 5
