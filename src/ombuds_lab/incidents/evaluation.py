"""Measure early warning on real streams: inject bursts built from real messages, replay, score.

Pure: streams of observations in, numbers out. Used by ``benchmarks/eval_early_warning.py``
and by the detector tests. Two simple baselines run on the same streams for comparison: a
fixed hourly threshold, and "the last hour against the twelve before it".
"""

from __future__ import annotations

import json
import random
import statistics
from collections import Counter, deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np

from ombuds.enrichment.meaning import read_meaning
from ombuds.incidents.detectors import BrandMonitor, DetectorSettings, Observation
from ombuds.incidents.detectors.meaning import ReadMeaning, Vectors
from ombuds.incidents.detectors.text import LINKS
from ombuds.incidents.merging import IncidentShape, merge_target

HOUR = timedelta(hours=1)
BurstKind = str  # "echo" (many people quoting one message) or "volume" (many different messages)


@dataclass(frozen=True, slots=True)
class Burst:
    """A burst put into a stream: when it starts, and which mentions are its own."""

    kind: BurstKind
    start: datetime
    end: datetime
    mention_ids: frozenset[int]
    seed_text: str = ""


@dataclass(frozen=True, slots=True)
class Opening:
    """An incident as a detector (ours or a baseline) opened it."""

    opened_at: datetime
    mention_ids: frozenset[int]  # the mentions known to belong to it by the end of the replay
    signal: str = ""
    representative_text: str = ""
    #: the earlier opening (its index in the list) the desk proposes merging this one into: the
    #: same event, so it is not counted as an incident of its own (``ombuds.incidents.merging``)
    merged_into: int | None = None


def incidents(openings: Iterable[Opening]) -> list[Opening]:
    """The incidents a desk shows once proposed merges are taken: a merged opening is one with its first."""
    return [opening for opening in openings if opening.merged_into is None]


@dataclass
class Score:
    """Detection delays for injected bursts and incidents that match no burst."""

    delays: list[float] = field(default_factory=list)  # minutes, for detected bursts
    missed: int = 0
    unmatched: list[Opening] = field(default_factory=list)

    @property
    def detected(self) -> int:
        return len(self.delays)

    def summary(self, *, weeks: float) -> dict[str, float | int | None]:
        total = self.detected + self.missed
        within = sum(1 for delay in self.delays if delay <= 15.0)
        return {
            "bursts": total,
            "detected": self.detected,
            "detected_within_15_min": within,
            "median_delay_min": round(statistics.median(self.delays), 1) if self.delays else None,
            "p90_delay_min": round(_quantile(self.delays, 0.9), 1) if self.delays else None,
            "other_incidents": len(self.unmatched),
            "other_incidents_per_brand_week": round(len(self.unmatched) / weeks, 2) if weeks else None,
        }


def _quantile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


# -- injection -------------------------------------------------------------------------------------


def quiet_starts(
    stream: Sequence[Observation], *, count: int, rng: random.Random, after: datetime, gap: timedelta
) -> list[datetime]:
    """Start times in quiet hours (at or below the median hourly volume), ``gap`` apart."""
    by_hour: dict[int, int] = {}
    for observation in stream:
        hour = int(observation.at.timestamp() // 3600)
        by_hour[hour] = by_hour.get(hour, 0) + 1
    first, last = int(after.timestamp() // 3600), max(by_hour)
    counts = [by_hour.get(hour, 0) for hour in range(first, last + 1)]
    if not counts:
        return []
    median = statistics.median(counts)
    quiet = [hour for hour in range(first, last - 2) if 0 < by_hour.get(hour, 0) <= median]
    rng.shuffle(quiet)
    chosen: list[int] = []
    for hour in quiet:
        if all(abs(hour - other) * 3600 >= gap.total_seconds() for other in chosen):
            chosen.append(hour)
        if len(chosen) == count:
            break
    tz = stream[0].at.tzinfo
    return sorted(datetime.fromtimestamp(hour * 3600 + rng.randrange(3600), tz) for hour in chosen)


def make_burst(
    stream: Sequence[Observation],
    *,
    kind: BurstKind,
    start: datetime,
    size: int,
    minutes: float,
    rng: random.Random,
    first_id: int,
) -> tuple[list[Observation], Burst]:
    """``size`` mentions by new authors over ``minutes``, every text taken from the stream.

    An echo burst quotes one real message, each time behind a real short reaction from the
    stream; a volume burst is ``size`` different real messages (a broad outage, say).
    """
    texts = [o for o in stream if len(o.text) > 30]
    # a thin stream may hold no short message to react with: then people quote it bare
    reactions = [o.text for o in stream if 2 <= len(o.text.split()) <= 6] or [""]
    seed = rng.choice(texts)
    offsets = sorted([0.0] + [rng.uniform(0, minutes * 60.0) for _ in range(size - 1)])
    made: list[Observation] = []
    for index, offset in enumerate(offsets):
        source = seed if kind == "echo" else rng.choice(texts)
        text = f"{rng.choice(reactions)} “{seed.text}”".lstrip() if kind == "echo" else source.text
        made.append(
            replace(
                source,
                mention_id=first_id + index,
                at=start + timedelta(seconds=offset),
                text=text,
                author=f"injected-{first_id + index}",
            )
        )
    burst = Burst(
        kind=kind,
        start=start,
        end=start + timedelta(minutes=minutes),
        mention_ids=frozenset(o.mention_id for o in made),
        seed_text=seed.text,
    )
    return made, burst


def inject(
    stream: Sequence[Observation],
    *,
    kinds: Sequence[BurstKind],
    size: int,
    minutes: float,
    seed: int,
    after: datetime,
    gap: timedelta = timedelta(days=3),
    per_kind: int = 1,
) -> tuple[list[Observation], list[Burst]]:
    """The stream with bursts added in its quiet hours, in time order, and the bursts."""
    rng = random.Random(seed)
    starts = quiet_starts(stream, count=len(kinds) * per_kind, rng=rng, after=after, gap=gap)
    next_id = max(o.mention_id for o in stream) + 1_000_000
    added: list[Observation] = []
    bursts: list[Burst] = []
    for index, start in enumerate(starts):
        made, burst = make_burst(
            stream,
            kind=kinds[index % len(kinds)],
            start=start,
            size=size,
            minutes=minutes,
            rng=rng,
            first_id=next_id,
        )
        next_id += size
        added.extend(made)
        bursts.append(burst)
    merged = sorted([*stream, *added], key=lambda o: (o.at, o.mention_id))
    return merged, bursts


def remembered(read: ReadMeaning) -> ReadMeaning:
    """``read`` with each text's vector kept: the runs over thinned copies of one stream read the
    same texts again and again."""
    kept: dict[str, Vectors] = {}

    def reading(texts: Sequence[str]) -> Vectors:
        new = [text for text in dict.fromkeys(texts) if text not in kept]
        if new:
            kept.update(zip(new, read(new), strict=True))
        return np.stack([kept[text] for text in texts]) if texts else read(texts)

    return reading


#: The detection stage's reader of meaning, each text read once per process (loaded on first use).
PRODUCT_MEANING: ReadMeaning = remembered(read_meaning)


# -- detectors under test ----------------------------------------------------------------------


def run_monitor(
    stream: Iterable[Observation],
    settings: DetectorSettings | None = None,
    *,
    meaning: ReadMeaning | None = PRODUCT_MEANING,
) -> list[Opening]:
    """Replay a stream through a brand monitor; one opening per storm, each new one checked for
    being a part of an earlier one (the merge the desk proposes). People who agree are linked by
    what they mean as well as by rare words, as the detection stage links them (``meaning``
    None: by words alone)."""
    monitor = BrandMonitor(settings=settings or DetectorSettings())
    monitor.read_meaning_with(meaning)
    opened: dict[int, datetime] = {}
    members: dict[int, set[int]] = {}
    signals: dict[int, str] = {}
    texts: dict[int, str] = {}
    merged: dict[int, int] = {}
    seen: dict[int, Observation] = {}
    for observation in stream:
        seen[observation.mention_id] = observation
        for change in monitor.observe(observation):
            members.setdefault(change.storm_id, set()).update(change.mention_ids)
            if change.kind == "opened":
                opened[change.storm_id] = change.at
                signals[change.storm_id] = change.alarm.signal.value if change.alarm else ""
                into = _merge_into(monitor, change.storm_id, opened, members, seen)
                if into is not None:
                    merged[change.storm_id] = merged.get(into, into)
            storm = monitor.storms.get(change.storm_id)
            if storm is not None:
                texts[change.storm_id] = storm.representative_text
    order = sorted(opened, key=lambda storm_id: opened[storm_id])
    index = {storm_id: position for position, storm_id in enumerate(order)}
    return [
        Opening(
            opened[storm_id],
            frozenset(members.get(storm_id, ())),
            signals[storm_id],
            texts.get(storm_id, ""),
            merged_into=index[merged[storm_id]] if storm_id in merged else None,
        )
        for storm_id in order
    ]


def _shape(
    storm_id: int,
    opened_at: datetime,
    mention_ids: set[int],
    key: str,
    phrases: Iterable[str],
    seen: dict[int, Observation],
) -> IncidentShape:
    times = [seen[m].at for m in mention_ids if m in seen]
    categories = Counter(seen[m].category for m in mention_ids if m in seen and seen[m].category)
    return IncidentShape(
        id=storm_id,
        opened_at=opened_at,
        first_mention_at=min(times, default=None),
        last_mention_at=max(times, default=None),
        key=key,
        category=max(categories, key=lambda c: (categories[c], c)) if categories else None,
        phrases=frozenset(p for p in phrases if p not in LINKS),
    )


def _merge_into(
    monitor: BrandMonitor,
    storm_id: int,
    opened: dict[int, datetime],
    members: dict[int, set[int]],
    seen: dict[int, Observation],
) -> int | None:
    """The earlier storm the desk would propose merging this new one into, as the stage does."""

    def shape(sid: int) -> IncidentShape:
        storm = monitor.storms.get(sid)
        key = storm.key if storm is not None else "all"
        phrases = storm.phrases.values() if storm is not None else ()
        return _shape(sid, opened[sid], members.get(sid, set()), key, phrases, seen)

    others = [shape(sid) for sid in opened if sid != storm_id]
    return merge_target(shape(storm_id), others)


Baseline = Callable[[Sequence[Observation]], list[Opening]]


def _baseline_openings(
    stream: Sequence[Observation], fires: Callable[[datetime, int, deque[datetime]], bool]
) -> list[Opening]:
    """Shared by the baselines: an alarm opens an incident unless one is open; six quiet hours
    close it. Its mentions are those of the hours it was open."""
    recent: deque[datetime] = deque()  # the last 13 hours of mention times
    openings: list[Opening] = []
    current: tuple[datetime, set[int]] | None = None
    last_alarm: datetime | None = None
    for observation in stream:
        at = observation.at
        recent.append(at)
        while recent and recent[0] <= at - 13 * HOUR:
            recent.popleft()
        last_hour = sum(1 for moment in recent if moment > at - HOUR)
        if current is not None and last_alarm is not None and at - last_alarm >= 6 * HOUR:
            openings.append(Opening(current[0], frozenset(current[1])))
            current = None
        if fires(at, last_hour, recent):
            last_alarm = at
            if current is None:
                current = (at, set())
        if current is not None:
            current[1].add(observation.mention_id)
    if current is not None:
        openings.append(Opening(current[0], frozenset(current[1])))
    return openings


def fixed_threshold(stream: Sequence[Observation]) -> list[Opening]:
    """Alarm when the last hour holds more than a fixed number of mentions.

    The number is what a person would set after watching the stream's first day: two and a
    half times its mean hourly volume (at least ten).
    """
    if not stream:
        return []
    start = stream[0].at
    first_day = sum(1 for o in stream if o.at < start + 24 * HOUR)
    threshold = max(10.0, 2.5 * first_day / 24.0)
    return _baseline_openings(stream, lambda at, last_hour, recent: last_hour >= threshold)


def last_hour_vs_previous_12(stream: Sequence[Observation]) -> list[Opening]:
    """Alarm when the last hour holds at least twice the mean hour of the twelve before it."""

    def fires(at: datetime, last_hour: int, recent: deque[datetime]) -> bool:
        if not recent or at - recent[0] < 12 * HOUR:
            return False
        previous = len(recent) - last_hour
        return last_hour >= 10 and last_hour >= 2.0 * previous / 12.0

    return _baseline_openings(stream, fires)


# -- scoring -----------------------------------------------------------------------------------


def score(openings: Sequence[Opening], bursts: Sequence[Burst], *, late: timedelta = HOUR) -> Score:
    """Delay from a burst's first message to the first incident opened on it.

    An incident counts for a burst when it opens between the burst's start and an hour after
    its end and holds at least one of its mentions; every other incident is unmatched.
    """
    result = Score()
    used: set[int] = set()
    for burst in bursts:
        found = [
            (index, opening)
            for index, opening in enumerate(openings)
            if burst.start <= opening.opened_at <= burst.end + late
            and opening.mention_ids & burst.mention_ids
        ]
        if found:
            _, opening = min(found, key=lambda item: item[1].opened_at)
            result.delays.append((opening.opened_at - burst.start).total_seconds() / 60.0)
            used.update(i for i, _ in found)
        else:
            result.missed += 1
    result.unmatched = [
        opening for index, opening in enumerate(openings) if index not in used and opening.merged_into is None
    ]
    return result


def busy_from(stream: Sequence[Observation], *, per_day: int = 24) -> datetime | None:
    """When the stream first held ``per_day`` messages within 24 hours: its real start."""
    times = [o.at for o in stream]
    return next(
        (times[i] for i in range(len(times) - per_day + 1) if times[i + per_day - 1] - times[i] <= 24 * HOUR),
        None,
    )


def brand_weeks(stream: Sequence[Observation]) -> float:
    """How many weeks of the stream count, from its real start to its last mention."""
    start = busy_from(stream)
    return 0.0 if start is None else (stream[-1].at - start).total_seconds() / (7 * 86400)


def first_day_openings(openings: Sequence[Opening], stream: Sequence[Observation]) -> int:
    """Incidents opened before a day has passed since the stream's real start."""
    start = busy_from(stream)
    if start is None:
        return len(openings)
    return sum(1 for opening in openings if opening.opened_at < start + 24 * HOUR)


# -- annotated events --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class KnownEvent:
    """Something that really happened in a data set, annotated by a person to score detectors."""

    brand: str
    start: datetime
    end: datetime
    kind: str
    what: str


def load_events(path: Path) -> list[KnownEvent]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return [
        KnownEvent(
            brand=item["brand"],
            start=datetime.fromisoformat(item["start"]),
            end=datetime.fromisoformat(item["end"]),
            kind=item["kind"],
            what=item["what"],
        )
        for item in data["events"]
    ]


@dataclass
class EventScore:
    """Annotated events an incident opened on (with its delay), and incidents on no event."""

    found: list[tuple[KnownEvent, float]] = field(default_factory=list)  # minutes after the start
    missed: list[KnownEvent] = field(default_factory=list)
    false: list[tuple[str, Opening]] = field(default_factory=list)


def score_events(openings: dict[str, Sequence[Opening]], events: Sequence[KnownEvent]) -> EventScore:
    """An incident matches an event of its brand when it opens between the start and the end."""
    result = EventScore()
    matched: set[tuple[str, int]] = set()
    for event in events:
        hits = [
            (index, opening)
            for index, opening in enumerate(openings.get(event.brand, ()))
            if event.start <= opening.opened_at <= event.end
        ]
        if hits:
            first = min(opening.opened_at for _, opening in hits)
            result.found.append((event, (first - event.start).total_seconds() / 60.0))
            matched.update((event.brand, index) for index, _ in hits)
        else:
            result.missed.append(event)
    for brand, found in openings.items():
        result.false.extend(
            (brand, o)
            for index, o in enumerate(found)
            if (brand, index) not in matched and o.merged_into is None
        )
    return result
