"""The detectors on real public streams, replayed in time order, with bursts injected into them.

A PR lead wants to hear about a burst within minutes of its first message, and not to be woken
for ordinary days or for a stream that has only just started. These tests replay the development
data sets (no tuning on held-back data) and count.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from ombuds.incidents.detectors import BrandMonitor, Observation
from ombuds.incidents.detectors.state import dumps, loads
from ombuds_lab.incidents import evaluation as ev

pytestmark = pytest.mark.slow

EVENTS = Path(__file__).resolve().parents[3] / "benchmarks" / "data" / "airline_dev_events.json"


@pytest.fixture(scope="module")
def spotify_openings(spotify: list[Observation]) -> list[ev.Opening]:
    return ev.run_monitor(spotify)


@pytest.fixture(scope="module")
def airline_openings(airlines: dict[str, list[Observation]]) -> dict[str, list[ev.Opening]]:
    return {name: ev.run_monitor(stream) for name, stream in airlines.items()}


def _after_warm_up(stream: list[Observation]) -> datetime:
    start = ev.busy_from(stream)
    assert start is not None
    return start + timedelta(days=2)


def test_a_quiet_real_stream_raises_at_most_one_incident_a_week(
    spotify: list[Observation], spotify_openings: list[ev.Opening]
) -> None:
    assert len(spotify_openings) / ev.brand_weeks(spotify) <= 1.0


def test_people_quoting_one_message_open_an_incident_within_15_minutes(spotify: list[Observation]) -> None:
    stream, bursts = ev.inject(
        spotify, kinds=["echo"], size=25, minutes=30, seed=11, after=_after_warm_up(spotify), per_kind=4
    )
    result = ev.score(ev.run_monitor(stream), bursts)
    assert result.missed == 0
    assert max(result.delays) <= 15.0
    assert len(result.unmatched) / ev.brand_weeks(spotify) <= 1.0


def test_a_surge_of_different_messages_opens_an_incident_within_15_minutes(
    spotify: list[Observation],
) -> None:
    stream, bursts = ev.inject(
        spotify, kinds=["volume"], size=40, minutes=30, seed=5, after=_after_warm_up(spotify), per_kind=4
    )
    result = ev.score(ev.run_monitor(stream), bursts)
    assert result.detected >= 3
    assert all(delay <= 15.0 for delay in result.delays)


def test_the_baselines_raise_far_more_incidents_on_the_same_stream(
    spotify: list[Observation], spotify_openings: list[ev.Opening]
) -> None:
    ours = len(spotify_openings)
    assert len(ev.fixed_threshold(spotify)) > 5 * max(1, ours)
    assert len(ev.last_hour_vs_previous_12(spotify)) > 5 * max(1, ours)


def test_a_backfired_marketing_post_is_an_incident_within_minutes(
    airlines: dict[str, list[Observation]], airline_openings: dict[str, list[ev.Opening]]
) -> None:
    # the "Delta" rows of this data set are tweets to @JetBlue
    stream = airlines["Delta"]
    first_quote = min(o.at for o in stream if "on fleek" in o.text.lower())
    openings = airline_openings["Delta"]
    storm = next(o for o in openings if first_quote <= o.opened_at)
    assert storm.opened_at - first_quote <= timedelta(minutes=15)
    assert "fleek" in storm.representative_text.lower()


def test_incidents_outside_real_events_stay_under_one_per_brand_week(
    airlines: dict[str, list[Observation]], airline_openings: dict[str, list[ev.Opening]]
) -> None:
    """Real events (annotated by reading the tweets, see benchmarks/data) are allowed to alarm."""
    scored = ev.score_events(airline_openings, ev.load_events(EVENTS))
    weeks = sum(ev.brand_weeks(stream) for stream in airlines.values())
    assert len(scored.false) / weeks <= 1.0
    assert {event.kind for event, _ in scored.found} >= {"marketing post backfired", "weather disruption"}


def test_no_stream_alarms_on_its_first_day(
    airlines: dict[str, list[Observation]], airline_openings: dict[str, list[ev.Opening]]
) -> None:
    # American's stream starts mid-week, at full volume, after days of near silence
    for name, stream in airlines.items():
        assert ev.first_day_openings(airline_openings[name], stream) == 0


def test_a_burst_on_a_stream_s_first_day_is_not_an_incident(spotify: list[Observation]) -> None:
    start = ev.busy_from(spotify)
    assert start is not None
    first_days = [o for o in spotify if o.at < start + timedelta(hours=30)]
    burst, _ = ev.make_burst(
        first_days,
        kind="echo",
        start=start + timedelta(hours=6),
        size=40,
        minutes=20,
        rng=random.Random(3),
        first_id=10**9,
    )
    stream = sorted([*first_days, *burst], key=lambda o: (o.at, o.mention_id))
    assert ev.run_monitor(stream) == []


def test_one_storm_is_one_incident_that_grows(spotify: list[Observation]) -> None:
    stream, bursts = ev.inject(
        spotify, kinds=["echo"], size=60, minutes=90, seed=2, after=_after_warm_up(spotify), per_kind=1
    )
    openings = ev.run_monitor(stream)
    on_burst = [o for o in openings if o.mention_ids & bursts[0].mention_ids]
    assert len(on_burst) == 1
    assert len(on_burst[0].mention_ids & bursts[0].mention_ids) >= 50


def test_a_monitor_stored_and_read_back_carries_on_as_if_never_stopped(spotify: list[Observation]) -> None:
    start = ev.busy_from(spotify)
    assert start is not None
    three_weeks = [o for o in spotify if start <= o.at < start + timedelta(days=21)]
    stream, _ = ev.inject(
        three_weeks, kinds=["echo", "volume"], size=30, minutes=30, seed=8, after=start + timedelta(days=2)
    )
    half = len(stream) // 2
    straight = BrandMonitor()
    resumed = BrandMonitor()
    opened_straight, opened_resumed = [], []
    for observation in stream:
        opened_straight += [c.at for c in straight.observe(observation) if c.kind == "opened"]
    for observation in stream[:half]:
        opened_resumed += [c.at for c in resumed.observe(observation) if c.kind == "opened"]
    resumed = loads(dumps(resumed))
    for observation in stream[half:]:
        opened_resumed += [c.at for c in resumed.observe(observation) if c.kind == "opened"]
    assert opened_resumed == opened_straight
    assert len(opened_straight) >= 1


def test_a_mention_seen_twice_counts_once(spotify: list[Observation]) -> None:
    monitor = BrandMonitor()
    for observation in spotify[:3000]:
        monitor.observe(observation)
    before = monitor.keys["all"].series.total(0, 10**7)
    assert monitor.observe(spotify[2999]) == []
    assert monitor.keys["all"].series.total(0, 10**7) == before


def test_streams_come_from_the_importer_s_presets(airlines: dict[str, list[Observation]]) -> None:
    assert set(airlines) == {"American", "Delta", "Southwest", "United", "US Airways", "Virgin America"}
    assert all(o.at.tzinfo is not None for o in airlines["United"][:50])
