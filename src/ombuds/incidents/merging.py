"""Whether two incidents are one event. Pure: incident shapes in, a proposal out.

One outage can open several incidents: people answering one tweet ("also down for me"), a
second cluster minutes later that shares no phrase with the first, the "all good now" wave
hours after (SpotifyCares, 28 Nov 2017; docs/early-warning.md). When a new storm opens while
another incident of the brand is open, overlaps it in time and comes from the same complaint
stream, the desk proposes merging it into the older one; a person decides. The benchmark counts
a proposed merge as one incident, so its false-incident figures mean what the desk shows.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

#: Two incidents whose mentions come within this of each other overlap in time. An outage's
#: talk can pause for a couple of hours before the "all good now" wave (two hours on 28 Nov 2017).
GAP = timedelta(hours=3)
#: Keys that name a narrow stream of their own (one author, one channel, one category, one
#: signal); every other key (the whole brand, its negative tone, a cluster of phrases) is the
#: brand's general complaint stream.
_OWN_STREAM_PREFIXES = ("author:", "category:", "channel:", "signal:")


@dataclass(frozen=True, slots=True)
class IncidentShape:
    """What the merge decision reads of an incident."""

    id: int
    opened_at: datetime
    first_mention_at: datetime | None
    last_mention_at: datetime | None
    key: str
    category: str | None = None  # the commonest category of its mentions, when analysis named one
    phrases: frozenset[str] = frozenset()
    is_manual: bool = False

    @property
    def span(self) -> tuple[datetime, datetime]:
        start = min(self.first_mention_at or self.opened_at, self.opened_at)
        end = max(self.last_mention_at or self.opened_at, self.opened_at)
        return start, end


def complaint_stream(key: str) -> str:
    """The stream an incident's key belongs to: its own narrow one, or the brand's general one."""
    return key if key.startswith(_OWN_STREAM_PREFIXES) else "all"


def overlaps(a: IncidentShape, b: IncidentShape, *, gap: timedelta = GAP) -> bool:
    (a_start, a_end), (b_start, b_end) = a.span, b.span
    return a_start <= b_end + gap and b_start <= a_end + gap


def same_stream(a: IncidentShape, b: IncidentShape) -> bool:
    """Same key stream, or the same named category, or a phrase in common."""
    if a.category is not None and a.category == b.category:
        return True
    if a.phrases & b.phrases:
        return True
    return complaint_stream(a.key) == complaint_stream(b.key)


def merge_target(new: IncidentShape, others: Iterable[IncidentShape], *, gap: timedelta = GAP) -> int | None:
    """The open incident ``new`` looks like a part of (the earliest opened), or None.

    ``others`` are the brand's other open incidents. Incidents a person opened are never proposed:
    they were opened on purpose.
    """
    if new.is_manual:
        return None
    candidates = [
        other
        for other in others
        if other.id != new.id
        and not other.is_manual
        and other.opened_at <= new.opened_at
        and overlaps(new, other, gap=gap)
        and same_stream(new, other)
    ]
    if not candidates:
        return None
    return min(candidates, key=lambda other: (other.opened_at, other.id)).id
