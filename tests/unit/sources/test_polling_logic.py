"""The pure parts of polling: the backoff, turning fetched records into mentions or dead letters,
and reading a feed item."""

from __future__ import annotations

import time

from ombuds.connectors.base import RawRecord, RecordProblem
from ombuds.connectors.rss.fetcher import item_fields
from ombuds.sources.backoff import retry_delay
from ombuds.sources.records import sort_records


def test_the_backoff_doubles_from_thirty_seconds_to_an_hour_with_jitter() -> None:
    lowest = [retry_delay(failures, every_seconds=300, rng=lambda: 0.0) for failures in (1, 2, 3, 9, 30)]
    highest = [retry_delay(failures, every_seconds=300, rng=lambda: 1.0) for failures in (1, 2, 3, 9, 30)]
    assert highest == [30.0, 60.0, 120.0, 3600.0, 3600.0]
    assert lowest == [15.0, 30.0, 60.0, 1800.0, 1800.0]
    assert retry_delay(30, every_seconds=86_400, rng=lambda: 1.0) == 86_400.0, "never more often than asked"


def _record(
    position: int, fields: dict[str, object] | None, problem: RecordProblem | None = None
) -> RawRecord:
    return RawRecord(position=position, raw=b"{}", raw_format="json", fields=fields, problem=problem)


def test_records_become_mentions_or_dead_letters_that_name_the_field() -> None:
    good = {
        "external_id": "1",
        "author_handle": "mara",
        "text": "late again",
        "created_at": "2026-11-30T09:00:00Z",
    }
    accepted, unusable = sort_records(
        [
            _record(1, good),
            _record(2, {**good, "external_id": "2", "created_at": "someday"}),
            _record(3, {**good, "external_id": "3", "followers": "many"}),
            _record(4, None, RecordProblem("invalid JSON at byte 3")),
        ]
    )
    assert [item.mention.external_id for item in accepted] == ["1"]
    assert [(item.record.position, item.field) for item in unusable] == [
        (2, "created_at"),
        (3, "followers"),
        (4, None),
    ]
    assert unusable[0].error.startswith("created_at: ")
    assert unusable[2].error == "invalid JSON at byte 3"


def test_a_feed_item_reads_as_plain_words_and_an_undated_one_has_no_date() -> None:
    entry = {
        "id": "urn:1",
        "title": "Lost <em>bag</em>",
        "summary": "<p>Still &amp; again</p><p>nothing</p>",
        "link": "https://reviews.example.org/1",
        "published_parsed": time.gmtime(1_764_493_200),
    }
    fields = item_fields(entry, feed_title="Reviews", channel="rss")
    assert fields == {
        "channel": "rss",
        "external_id": "urn:1",
        "author_handle": "Reviews",
        "text": "Lost bag\n\nStill & again\nnothing",
        "created_at": "2025-11-30T09:00:00+00:00",
        "url": "https://reviews.example.org/1",
    }
    assert "created_at" not in item_fields({"id": "urn:2", "title": "x"}, feed_title="Reviews", channel="rss")


def test_a_feed_item_titled_with_the_start_of_its_text_reads_it_once() -> None:
    text = "Flight LK 212 was three hours late and nobody at the gate knew why."
    for title in (text[:40], text[:40] + "…", text[:40] + "...", text):
        entry = {"id": "urn:3", "title": title, "summary": text, "published_parsed": time.gmtime(0)}
        assert item_fields(entry, feed_title="Reviews", channel="rss")["text"] == text
    headline = {"id": "urn:4", "title": "Late again", "summary": text, "published_parsed": time.gmtime(0)}
    assert item_fields(headline, feed_title="Reviews", channel="rss")["text"] == f"Late again\n\n{text}"
