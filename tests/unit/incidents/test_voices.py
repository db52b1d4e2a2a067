"""A person is a handle on one channel: "sam" on X and "sam" on Reddit are two people to the
detectors, as they are to the rest of the desk; and a state stored when detectors counted bare
handles is read back with its mentions' channels."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

from ombuds.incidents.detectors import BrandMonitor, Observation
from ombuds.incidents.detectors.state import (
    mentions_of_bare_handles,
    monitor_from_state,
    monitor_to_state,
    voices_from_handles,
)
from ombuds.incidents.detectors.types import speaker_of
from tests.support.detector_states import as_stored_before_voices

START = datetime(2026, 3, 2, tzinfo=UTC)
CHANNELS = ("x", "reddit")


def _trickle(days: float, per_day: int) -> list[Observation]:
    """Ordinary questions from different people, each on one of the brand's two channels."""
    rng = random.Random(1)
    moments = sorted(
        START + timedelta(seconds=rng.uniform(0, days * 86400)) for _ in range(int(days * per_day))
    )
    return [
        Observation(
            mention_id=1 + i,
            at=at,
            text=f"question {i} about my account",
            author=f"regular{i}",
            channel=CHANNELS[i % 2],
        )
        for i, at in enumerate(moments)
    ]


def _burst(at: datetime, *, handles: int) -> list[Observation]:
    """Each handle complains on both channels: the same name, two different people."""
    return [
        Observation(
            mention_id=10_000 + 2 * i + side,
            at=at + timedelta(seconds=40 * (2 * i + side)),
            text=f"the app logged me out and now nothing works {i}",
            author=f"angry{i}",
            channel=CHANNELS[side],
            sentiment="negative",
        )
        for i in range(handles)
        for side in (0, 1)
    ]


def _replay(stream: list[Observation]) -> BrandMonitor:
    monitor = BrandMonitor()
    for observation in sorted(stream, key=lambda o: (o.at, o.mention_id)):
        monitor.observe(observation)
    return monitor


def test_one_handle_on_two_channels_is_two_people_in_a_storm() -> None:
    burst = _burst(START + timedelta(days=3, hours=14), handles=15)
    monitor = _replay([*_trickle(days=3.5, per_day=8), *burst])
    [storm] = monitor.storms.values()
    attached = [o for o in burst if o.mention_id in storm.recent_ids]
    people = {(o.channel, o.author) for o in attached}
    assert len(people) > len({o.author for o in attached})  # the storm holds both sides of some handles
    assert storm.author_count == len(people)
    loudest = storm.evidence()["top_authors"]
    assert {(a["channel"], a["author"]) for a in loudest} <= people
    assert {a["mentions"] for a in loudest} == {1}  # nobody here wrote twice on one channel


def test_one_person_writing_twice_on_one_channel_is_still_one_voice() -> None:
    burst = [
        Observation(
            mention_id=10_000 + i,
            at=START + timedelta(days=3, hours=14, seconds=40 * i),
            text=f"the app logged me out again {i}",
            author=f"angry{i // 2}",
            channel="x",
            sentiment="negative",
        )
        for i in range(30)
    ]
    monitor = _replay([*_trickle(days=3.5, per_day=8), *burst])
    for storm in monitor.storms.values():
        attached = [o for o in burst if o.mention_id in storm.recent_ids]
        assert storm.author_count == len({o.author for o in attached})


def _normalised(state: dict[str, Any]) -> dict[str, Any]:
    for data in state["keys"].values():
        data["hour_authors"] = sorted(data["hour_authors"])
    return state


def test_a_state_stored_with_bare_handles_reads_back_as_the_voices_it_counted() -> None:
    stream = [
        *_trickle(days=3.5, per_day=8),
        *(o for o in _burst(START + timedelta(days=3, hours=14), handles=15) if o.mention_id % 2 == 0),
    ]
    state = monitor_to_state(_replay(stream))
    assert state["storms"], "the stream must leave a storm to carry over"
    old = as_stored_before_voices(monitor_to_state(_replay(stream)))
    channels = {o.mention_id: o.channel for o in stream}
    needed = mentions_of_bare_handles(old)
    assert needed
    assert needed <= channels.keys()

    upgraded = voices_from_handles(old, {i: channels[i] for i in needed})

    assert _normalised(upgraded) == _normalised(state)
    assert monitor_to_state(monitor_from_state(upgraded)) == monitor_to_state(monitor_from_state(state))


def test_a_handle_seen_on_two_channels_keeps_each_row_s_own_channel_when_read_back() -> None:
    stream = [*_trickle(days=3.5, per_day=8), *_burst(START + timedelta(days=3, hours=14), handles=15)]
    state = monitor_to_state(_replay(stream))
    old = as_stored_before_voices(monitor_to_state(_replay(stream)))
    upgraded = voices_from_handles(old, {o.mention_id: o.channel for o in stream})
    # every row that names its mention is exact; the hour's voices of a handle on both
    # channels cannot be told apart and stay bare until the hour passes
    assert upgraded["phrase_window"] == state["phrase_window"]
    assert upgraded["recent"] == state["recent"]
    assert [s["sample"] for s in upgraded["storms"]] == [s["sample"] for s in state["storms"]]
    windows = {key: data["windows"] for key, data in state["keys"].items()}
    assert {key: data["windows"] for key, data in upgraded["keys"].items()} == windows
    hour = {v for data in upgraded["keys"].values() for v in data["hour_authors"]}
    assert {v for v in hour if speaker_of(v)[0] is None} <= {f"angry{i}" for i in range(15)}
