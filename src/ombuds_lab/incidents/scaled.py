"""Early warning at every volume: thin a real stream to a smaller brand, inject bursts, score.

One run takes a seeded ``share`` of a stream (the same days at a smaller brand's volume), injects
bursts of one shape at start times that alternate between quiet and busy hours, replays it through
a brand monitor and scores: bursts detected, delay from a burst's first message to its incident,
and incidents on no burst per brand-week.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from ombuds.incidents.detectors import DetectorSettings, Observation
from ombuds.incidents.detectors.meaning import ReadMeaning
from ombuds_lab.incidents import evaluation as ev
from ombuds_lab.incidents.bursts import Analyse, Topic, make_topic_burst, starts, thinned

#: burst shape → (mentions, minutes): a new problem all at once, the same building over three
#: hours, and people quoting one message.
SHAPES: dict[str, tuple[int, float]] = {"burst": (34, 40.0), "slow": (34, 180.0), "echo": (20, 30.0)}
#: the new problem again, with only 7 of its 34 messages in its first quarter hour (a test's worst case)
WORST_CASES: dict[str, tuple[int, float]] = {"thin_start": (34, 40.0)}


@dataclass(frozen=True, slots=True)
class Run:
    share: float
    seed: int
    shape: str
    score: ev.Score
    weeks: float
    bursts: int


def scaled_run(
    stream: Sequence[Observation],
    *,
    share: float,
    seed: int,
    shape: str,
    topics: Sequence[Topic],
    analyse: Analyse,
    after: datetime,
    before: datetime,
    count: int = 4,
    gap: timedelta = timedelta(days=3),
    settings: DetectorSettings | None = None,
    history: timedelta = timedelta(days=28),
    meaning: ReadMeaning | None = ev.PRODUCT_MEANING,
) -> Run:
    """One thinned stream with ``count`` bursts of ``shape`` between ``after`` and ``before``.

    Only the stream between ``after`` minus ``history`` and ``before`` is replayed;
    false incidents are counted from ``after``, so the two halves of a stream score apart.
    """
    rng = random.Random(f"{seed}-{shape}-{share}")
    sample = [o for o in thinned(stream, share, seed) if after - history <= o.at < before]
    size, minutes = SHAPES.get(shape) or WORST_CASES[shape]
    next_id = max((o.mention_id for o in stream), default=0) + 1_000_000
    added: list[Observation] = []
    bursts: list[ev.Burst] = []
    for index, start in enumerate(starts(sample, count=count, rng=rng, after=after, before=before, gap=gap)):
        if shape == "echo":
            made, burst = ev.make_burst(
                sample, kind="echo", start=start, size=size, minutes=minutes, rng=rng, first_id=next_id
            )
        else:
            made, burst = make_topic_burst(
                sample,
                topic=topics[(seed + index) % len(topics)],
                shape=shape,
                start=start,
                size=size,
                minutes=minutes,
                rng=rng,
                first_id=next_id,
                analyse=analyse,
            )
        next_id += size
        added.extend(made)
        bursts.append(burst)
    merged = sorted([*sample, *added], key=lambda o: (o.at, o.mention_id))
    openings = [o for o in ev.run_monitor(merged, settings, meaning=meaning) if o.opened_at >= after]
    score = ev.score(openings, bursts, late=timedelta(hours=1))
    weeks = (min(before, merged[-1].at) - after).total_seconds() / (7 * 86400) if merged else 0.0
    return Run(share=share, seed=seed, shape=shape, score=score, weeks=weeks, bursts=len(bursts))


def summarise(runs: Sequence[Run]) -> dict[str, float | int | None]:
    """Detection, delay and false incidents per brand-week over several runs."""
    total = ev.Score()
    weeks = 0.0
    for run in runs:
        total.delays += run.score.delays
        total.missed += run.score.missed
        total.unmatched += run.score.unmatched
        weeks += run.weeks
    return total.summary(weeks=weeks)
