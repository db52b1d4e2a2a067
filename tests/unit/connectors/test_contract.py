"""The contract every source keeps: batches until ``is_last``, and a cursor that resumes exactly."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import pytest

from ombuds.connectors.base import Cursor, Fetcher, OutgoingReply, RawRecord, Sink
from ombuds.connectors.files import FileFetcher
from ombuds.connectors.testing import MemoryFetcher, MemorySink

ITEMS = [
    {"external_id": str(number), "author": f"user{number}", "text": f"message {number}\nwith a second line"}
    for number in range(1, 12)
]


@contextmanager
def memory_source(_: Path) -> Iterator[Fetcher]:
    yield MemoryFetcher(ITEMS, batch_size=4)


@contextmanager
def csv_source(folder: Path) -> Iterator[Fetcher]:
    path = folder / "items.csv"
    lines = ["external_id,author,text"] + [
        f'{item["external_id"]},{item["author"]},"{item["text"]}"' for item in ITEMS
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with FileFetcher(path, batch_size=4) as source:
        yield source


@contextmanager
def jsonl_source(folder: Path) -> Iterator[Fetcher]:
    import json

    path = folder / "items.jsonl"
    path.write_text("".join(json.dumps(item) + "\n" for item in ITEMS), encoding="utf-8")
    with FileFetcher(path, batch_size=4) as source:
        yield source


def drain(source: Fetcher, cursor: Cursor | None = None) -> list[RawRecord]:
    records: list[RawRecord] = []
    while True:
        batch = source.fetch(cursor)
        records.extend(batch.records)
        if batch.is_last:
            return records
        assert batch.cursor is not None, "a batch that is not the last must say where to go on"
        cursor = batch.cursor


@pytest.mark.parametrize("make", [memory_source, csv_source, jsonl_source], ids=["memory", "csv", "jsonl"])
def test_a_source_delivers_every_record_once_and_resumes_from_any_cursor(
    make: Callable[[Path], AbstractContextManager[Fetcher]], tmp_path: Path
) -> None:
    with make(tmp_path) as source:
        assert isinstance(source, Fetcher)
        everything = drain(source)
        first = source.fetch(None)
        rest = drain(source, first.cursor)

    assert [record.fields and record.fields["external_id"] for record in everything] == [
        item["external_id"] for item in ITEMS
    ]
    assert all(record.problem is None and record.raw for record in everything)
    assert [r.raw for r in [*first.records, *rest]] == [r.raw for r in everything]
    assert [record.fields and record.fields["text"] for record in everything] == [
        item["text"] for item in ITEMS
    ]


def test_the_memory_sink_keeps_what_it_sent_and_can_fail_once() -> None:
    sink = MemorySink()
    assert isinstance(sink, Sink)
    reply = OutgoingReply(text="Sorry, we are on it", in_reply_to="11", recipient="user11")

    sent = sink.send(reply)
    sink.fail_with = ConnectionError("channel down")
    with pytest.raises(ConnectionError):
        sink.send(reply)
    again = sink.send(reply)

    assert sink.sent == [reply, reply]
    assert (sent.external_id, again.external_id) == ("memory-1", "memory-2")
