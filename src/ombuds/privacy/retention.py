"""Pure rules of retention: the cut-off date, and how purged rows add up into daily roll-up rows."""

from __future__ import annotations

import calendar
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import MINYEAR, date, datetime, timedelta

#: A purge runs at most this often per brand from the runner's rounds.
PURGE_INTERVAL = timedelta(days=1)
#: Rows deleted per transaction, so a purge of millions never holds the embedded database for long.
BATCH_SIZE = 1000


#: The longest retention: a century. Longer is forever, which is said by keeping no limit.
MAX_RETENTION_MONTHS = 1200


def months_before(moment: datetime, months: int) -> datetime:
    """``moment`` minus whole calendar months (31 March less one month is 28/29 February)."""
    if months < 0:
        raise ValueError(f"retention months must be 0 or more, not {months}")
    index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(index, 12)
    if year < MINYEAR:  # further back than any calendar date: nothing is that old
        return datetime.min.replace(tzinfo=moment.tzinfo)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


@dataclass(frozen=True, slots=True)
class RollupKey:
    day: date
    channel: str
    category: str = ""
    sentiment: str = ""
    priority: int = 0


@dataclass(frozen=True, slots=True)
class MentionFact:
    created_at: datetime
    channel: str
    category: str | None
    sentiment: str | None


@dataclass(frozen=True, slots=True)
class CaseFact:
    opened_at: datetime
    channel: str
    priority: int
    resolved_at: datetime | None
    first_responded_at: datetime | None


@dataclass(slots=True)
class Tally:
    """The measures of one roll-up row."""

    mentions: int = 0
    cases_opened: int = 0
    cases_resolved: int = 0
    first_responses: int = 0
    first_response_seconds: int = 0

    def add(self, other: Tally) -> None:
        self.mentions += other.mentions
        self.cases_opened += other.cases_opened
        self.cases_resolved += other.cases_resolved
        self.first_responses += other.first_responses
        self.first_response_seconds += other.first_response_seconds


def tally_mentions(facts: Iterable[MentionFact]) -> dict[RollupKey, Tally]:
    """Inbound messages counted per day, channel, category and sentiment."""
    counts = Counter(
        RollupKey(f.created_at.date(), f.channel, category=f.category or "", sentiment=f.sentiment or "")
        for f in facts
    )
    return {key: Tally(mentions=n) for key, n in counts.items()}


def tally_cases(facts: Iterable[CaseFact]) -> dict[RollupKey, Tally]:
    """Cases counted per day opened, channel and priority: opened, resolved, first-response times."""
    tallies: dict[RollupKey, Tally] = {}
    for f in facts:
        tally = tallies.setdefault(RollupKey(f.opened_at.date(), f.channel, priority=f.priority), Tally())
        tally.cases_opened += 1
        tally.cases_resolved += f.resolved_at is not None
        if f.first_responded_at is not None:
            tally.first_responses += 1
            tally.first_response_seconds += int((f.first_responded_at - f.opened_at).total_seconds())
    return tallies


def merge_tallies(*parts: dict[RollupKey, Tally]) -> dict[RollupKey, Tally]:
    merged: dict[RollupKey, Tally] = {}
    for part in parts:
        for key, tally in part.items():
            merged.setdefault(key, Tally()).add(tally)
    return merged
