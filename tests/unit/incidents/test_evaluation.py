"""The measuring code of the early-warning benchmark: where bursts land, and what it builds them from.

Pure and quick: made-up streams of a few observations, no analysis engine.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from ombuds.incidents.detectors import Observation
from ombuds_lab.incidents import evaluation as ev
from ombuds_lab.incidents.bursts import starts


def stream(
    first: datetime, hours: int, text: str = "my flight was delayed again, no word from the crew"
) -> list[Observation]:
    return [
        Observation(mention_id=i + 1, at=first + timedelta(minutes=20 * i), text=text, author=f"a{i}")
        for i in range(hours * 3)
    ]


def test_a_burst_never_starts_before_the_days_being_measured() -> None:
    # ``after`` at a quarter to the hour, and only that hour to draw from: a start drawn at a
    # random minute of it fell before ``after`` three times in four, outside the measured days,
    # and its incident (opened before ``after`` too) was dropped with them: a found burst
    # counted as missed (two airline bursts of the report half, found in 3 and 6 minutes)
    after = datetime(2015, 2, 21, 10, 45, tzinfo=UTC)
    observations = stream(datetime(2015, 2, 20, tzinfo=UTC), hours=40)
    drawn = [
        start
        for seed in range(20)
        for start in starts(
            observations,
            count=1,
            rng=random.Random(seed),
            after=after,
            before=after.replace(minute=0) + timedelta(hours=5),
            gap=timedelta(days=1),
        )
    ]
    assert len(drawn) == 20
    assert min(drawn) >= after, sorted(drawn)[:3]
    assert max(drawn) < after.replace(minute=0) + timedelta(hours=1)


def test_an_echo_burst_on_a_thin_stream_without_short_messages_quotes_its_message_bare() -> None:
    # a small airline thinned to 10 % held no message of two to six words to react with
    observations = stream(datetime(2015, 2, 20, tzinfo=UTC), hours=4)
    made, burst = ev.make_burst(
        observations,
        kind="echo",
        start=datetime(2015, 2, 20, 6, tzinfo=UTC),
        size=5,
        minutes=30.0,
        rng=random.Random(1),
        first_id=1000,
    )
    assert [o.text for o in made] == [f"“{observations[0].text}”"] * 5
    assert burst.mention_ids == frozenset(range(1000, 1005))
