"""In-memory fetcher and sink for tests of anything that consumes connectors."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import ClassVar

from ombuds.clock import Clock, utcnow
from ombuds.connectors.base import Batch, Cursor, OutgoingReply, RawRecord, SentReply


class MemoryFetcher:
    """Serves given records in batches; the cursor is the index of the next record.

    Records can be appended while it is in use, as a live feed would deliver them.
    """

    kind: ClassVar[str] = "memory"

    def __init__(self, items: Sequence[Mapping[str, object]] = (), *, batch_size: int = 100) -> None:
        self.batch_size = batch_size
        self.records: list[RawRecord] = []
        for item in items:
            self.append(item)

    def append(self, item: Mapping[str, object]) -> RawRecord:
        """Add one item; its raw payload is its JSON."""
        record = RawRecord(
            position=len(self.records) + 1,
            raw=json.dumps(item, ensure_ascii=False, default=str).encode(),
            raw_format="json",
            fields=dict(item),
        )
        self.records.append(record)
        return record

    def fetch(self, cursor: Cursor | None) -> Batch:
        start = int(cursor.value) if cursor is not None else 0
        end = min(start + self.batch_size, len(self.records))
        return Batch(
            records=self.records[start:end],
            cursor=Cursor(str(end)),
            is_last=end >= len(self.records),
        )


@dataclass
class MemorySink:
    """Keeps what it was asked to send; ``fail_with`` makes the next send raise it."""

    kind: ClassVar[str] = "memory"
    clock: Clock = utcnow
    sent: list[OutgoingReply] = field(default_factory=list)
    fail_with: Exception | None = None

    def send(self, reply: OutgoingReply) -> SentReply:
        if self.fail_with is not None:
            error, self.fail_with = self.fail_with, None
            raise error
        self.sent.append(reply)
        return SentReply(external_id=f"memory-{len(self.sent)}", sent_at=self.clock())
