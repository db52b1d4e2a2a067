"""A feed whose answer unpacks past the size limit is refused while it is read, not after."""

from __future__ import annotations

import zlib
from collections.abc import Iterator

import httpx
import pytest

from ombuds.connectors.base import FetchFailed
from ombuds.connectors.rss.fetcher import MAX_FEED_BYTES, RssConfig, RssFetcher

MEGABYTE = 1024 * 1024


def test_a_compressed_answer_that_unpacks_past_the_limit_is_refused_while_read() -> None:
    sent: list[int] = []

    def bomb() -> Iterator[bytes]:
        """200 MB once unpacked, a few hundred kilobytes on the wire, a megabyte at a time."""
        packer = zlib.compressobj(wbits=31)  # gzip
        for number in range(200):
            sent.append(number)
            yield packer.compress(b" " * MEGABYTE) + packer.flush(zlib.Z_SYNC_FLUSH)
        yield packer.flush()

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=bomb(), headers={"Content-Encoding": "gzip"})

    with httpx.Client(transport=httpx.MockTransport(answer)) as client:
        fetcher = RssFetcher(RssConfig(url="https://reviews.example/feed"), timeout=5, client=client)
        with pytest.raises(FetchFailed, match=f"over {MAX_FEED_BYTES} bytes"):
            fetcher.fetch(None)
    assert len(sent) <= MAX_FEED_BYTES // MEGABYTE + 2, "it stopped reading soon after the limit"
