"""Bursts of new complaints to inject into real streams, and streams thinned to a smaller brand.

``evaluation.make_burst`` builds bursts from the stream's own messages (an echo of one message, a
surge of different ones). A brand's worst hour is often something else: a new problem that many
people describe in their own words ("my downloaded podcasts vanished after the update", "can't
download any podcast episodes since updating"), arriving all at once or building over hours.
These bursts are written here, from a bank of problems each worded many ways, and analysed by the
same engine as the stream, so the detectors see them as they would see real mentions.

The bank is split in two: ``TUNING_TOPICS`` may be looked at while choosing thresholds,
``REPORT_TOPICS`` only when reporting (with the other half of the stream's days).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from ombuds.incidents.detectors import Observation
from ombuds_lab.incidents.evaluation import Burst

#: Turns texts (with their authors and times) into observations, analysed like the stream.
Analyse = Callable[[Sequence[tuple[int, datetime, str, str]], str], list[Observation]]


@dataclass(frozen=True, slots=True)
class Topic:
    """One new problem and the ways customers put it."""

    name: str
    wordings: tuple[str, ...]


TUNING_TOPICS = (
    Topic(
        "podcast downloads lost after an update",
        (
            "my downloaded podcasts vanished after the update",
            "can't download any podcast episodes after the app update",
            "all my downloaded podcast episodes are gone since the latest update??",
            "podcasts won't download anymore after updating the app, what happened",
            "updated the app and now my podcast downloads disappeared",
            "why did the new update delete every podcast I had downloaded",
        ),
    ),
    Topic(
        "card charged twice",
        (
            "I've been charged twice this month, please refund one",
            "double charge on my card again?? two payments taken today",
            "you took the payment twice from my account",
            "just noticed two identical charges on my bank statement from you",
            "why was I billed two times for one subscription",
            "charged 2x this morning, need my money back",
        ),
    ),
    Topic(
        "login codes never arrive",
        (
            "the login code never arrives, I can't get into my account",
            "not receiving the verification email to sign in",
            "stuck at the sign in screen waiting for a code that never comes",
            "your verification code isn't being sent, locked out",
            "no confirmation email, can't log in since this morning",
        ),
    ),
)

REPORT_TOPICS = (
    Topic(
        "offline playlists gone",
        (
            "all my offline playlists got wiped overnight",
            "the songs I saved for offline are not there anymore",
            "offline mode lost every playlist I had downloaded",
            "where did my offline music go?? everything I downloaded is gone",
            "lost all downloaded songs, have to download everything again",
            "my saved offline tracks disappeared after restarting my phone",
        ),
    ),
    Topic(
        "app crashes on start",
        (
            "the app crashes as soon as I open it",
            "keeps closing itself on launch since this morning",
            "app won't even start, it just shuts down straight away",
            "crashing on startup every single time, reinstalled twice",
            "opened the app and it instantly quits",
        ),
    ),
    Topic(
        "wrong price after promotion",
        (
            "my bill went up even though I signed up for the promo price",
            "promotion ended early and now I'm paying full price",
            "you charged the full amount instead of the discount I was promised",
            "the discounted rate disappeared from my plan without warning",
            "was told 3 months at the offer price, billed the normal price after one",
        ),
    ),
)

OPENERS = ("", "", "", "hey ", "ugh ", "seriously, ", "help! ", "anyone else? ")
CLOSERS = ("", "", "", " 😡", " please fix", " ??", " this is so annoying", " any news?")


def topic_texts(topic: Topic, count: int, rng: random.Random, *, handle: str) -> list[str]:
    """``count`` messages about ``topic``, each a wording with its own opening, ending and case."""
    texts = []
    for _ in range(count):
        text = f"{rng.choice(OPENERS)}{rng.choice(topic.wordings)}{rng.choice(CLOSERS)}"
        if rng.random() < 0.3:
            text = text.capitalize()
        texts.append(f"{handle} {text}" if handle and rng.random() < 0.85 else text)
    return texts


def offsets(shape: str, count: int, minutes: float, rng: random.Random) -> list[float]:
    """Seconds after the start of each message: ``burst`` arrives evenly at random, ``slow``
    builds up (the rate rises steadily over the span, so half arrive in its last third),
    ``thin_start`` is a ``burst`` whose first quarter hour happens to be thin."""
    span = minutes * 60.0
    if shape == "thin_start":
        # at random, as ``burst``, drawn again until the first quarter hour holds only 7 of 34 (a
        # fifth): a quiet gap early on, as about one burst in a hundred has by chance
        wanted = max(2, round(count * 7 / 34))
        while True:
            drawn = [rng.uniform(0, span) for _ in range(count - 1)]
            if 1 + sum(1 for offset in drawn if offset <= 900.0) == wanted:
                return sorted([0.0, *drawn])
    if shape == "slow":
        # density proportional to t: the inverse of t**2 / span**2
        drawn = [span * rng.random() ** 0.5 for _ in range(count - 1)]
    else:
        drawn = [rng.uniform(0, span) for _ in range(count - 1)]
    return sorted([0.0, *drawn])


def brand_handle(stream: Sequence[Observation]) -> str:
    """The @handle most of the stream's messages are addressed to."""
    counts: dict[str, int] = {}
    for observation in stream[:2000]:
        first = observation.text.split(maxsplit=1)[0] if observation.text else ""
        if first.startswith("@"):
            counts[first] = counts.get(first, 0) + 1
    return max(counts, key=lambda h: counts[h]) if counts else ""


def make_topic_burst(
    stream: Sequence[Observation],
    *,
    topic: Topic,
    shape: str,
    start: datetime,
    size: int,
    minutes: float,
    rng: random.Random,
    first_id: int,
    analyse: Analyse,
) -> tuple[list[Observation], Burst]:
    """``size`` new authors describing ``topic`` in their own words over ``minutes``."""
    texts = topic_texts(topic, size, rng, handle=brand_handle(stream))
    rows = [
        (first_id + index, start + timedelta(seconds=offset), f"topic-{first_id + index}", text)
        for index, (offset, text) in enumerate(zip(offsets(shape, size, minutes, rng), texts, strict=True))
    ]
    made = analyse(rows, stream[-1].channel if stream else "x")
    burst = Burst(
        kind=shape,
        start=start,
        end=start + timedelta(minutes=minutes),
        mention_ids=frozenset(o.mention_id for o in made),
        seed_text=topic.name,
    )
    return made, burst


def thinned(stream: Sequence[Observation], share: float, seed: int) -> list[Observation]:
    """A seeded random ``share`` of the stream's mentions: the same days at a smaller brand's volume."""
    rng = random.Random(seed)
    return [o for o in stream if rng.random() < share]


def starts(
    stream: Sequence[Observation],
    *,
    count: int,
    rng: random.Random,
    after: datetime,
    before: datetime,
    gap: timedelta,
) -> list[datetime]:
    """Start times between ``after`` and ``before``, ``gap`` apart, alternating between the
    stream's quiet hours (at or below the median hourly volume) and its busy ones (above).

    A start drawn in the hour that holds ``after`` is never before it: a burst before ``after``
    lies outside the days being measured, and its incident, opened before ``after`` too, was
    dropped with them, so the burst counted as missed."""
    by_hour: dict[int, int] = {}
    for observation in stream:
        hour = int(observation.at.timestamp() // 3600)
        by_hour[hour] = by_hour.get(hour, 0) + 1
    first, last = int(after.timestamp() // 3600), int(before.timestamp() // 3600) - 4
    hours = list(range(first, last))
    if not hours:
        return []
    ordered = sorted(by_hour.get(hour, 0) for hour in hours)
    median = ordered[len(ordered) // 2]
    pools = [
        [hour for hour in hours if by_hour.get(hour, 0) <= median],
        [hour for hour in hours if by_hour.get(hour, 0) > median],
    ]
    for pool in pools:
        rng.shuffle(pool)
    chosen: list[int] = []
    turn = 0
    while len(chosen) < count and any(pools):
        pool = pools[turn % 2] or pools[(turn + 1) % 2]
        hour = pool.pop()
        if all(abs(hour - other) * 3600 >= gap.total_seconds() for other in chosen):
            chosen.append(hour)
            turn += 1
    tz = stream[0].at.tzinfo
    earliest = after.timestamp()
    return sorted(
        datetime.fromtimestamp(max(earliest, hour * 3600 + rng.randrange(3600)), tz) for hour in chosen
    )
