"""A monitor's state as plain JSON-ready values, so any worker can pick up where another stopped.

Storing the whole state costs more as it grows (a busy brand's is about a megabyte), so between
whole states a batch is kept as a journal entry: the storms resolved before it and the
observations it fed, which ``replay`` feeds again to the last whole state. The monitor is
deterministic (its random source is part of the state), so the replayed monitor is the one that
saw them.
"""

from __future__ import annotations

import json
import zlib
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from ombuds.incidents.detectors.baseline import HourlySeries, Profile
from ombuds.incidents.detectors.monitor import BrandMonitor, KeyState
from ombuds.incidents.detectors.phrases import PhraseBackground, PhraseWindow
from ombuds.incidents.detectors.settings import DetectorSettings
from ombuds.incidents.detectors.storms import Storm, StormMessage
from ombuds.incidents.detectors.types import Observation, voice_of
from ombuds.incidents.detectors.windows import SlidingWindow

STATE_VERSION = 2  # 2: people are voices, a handle on a channel (1 held bare handles)
JOURNAL_VERSIONS = (1, 2)  # an observation carries its handle and channel apart in both


def monitor_to_state(monitor: BrandMonitor) -> dict[str, Any]:
    def key_state(state: KeyState) -> dict[str, Any]:
        return {
            "counts": state.series.counts,
            "newest": state.series.newest,
            "first_hour": state.first_hour,
            "hour_authors": sorted(state.hour_authors),
            "windows": [[w.span, w.to_state()] for w in state.windows],
        }

    negatives = monitor.negatives
    return {
        "version": STATE_VERSION,
        "settings": monitor.settings.to_dict(),
        "seed": monitor.seed,
        "keys": {key: key_state(state) for key, state in monitor.keys.items()},
        "clock": monitor.clock,
        "hour": monitor.hour,
        "established_at": monitor.established_at,
        "is_warm": monitor.is_warm,
        "baseline_start": monitor.baseline_start,
        "trailing_closed": monitor.trailing_closed,
        "negatives": [negatives.negative, negatives.total, negatives.hour_negative, negatives.hour_total],
        "background": monitor.background.to_state(),
        "phrase_window": monitor.phrase_window.to_state(),
        "recent": [message.to_state() for message in monitor.recent.values()],
        "storms": [storm.to_state() for storm in monitor.book.storms.values()],
        "next_storm_id": monitor.book.next_storm_id,
        "seen": [[mention_id, at] for mention_id, at in monitor.seen.items()],
        "channels": monitor.channels,
        "rng": _rng_state(monitor),
    }


def monitor_from_state(state: dict[str, Any]) -> BrandMonitor:
    if state.get("version") != STATE_VERSION:
        raise ValueError(f"detector state version {state.get('version')!r} is not {STATE_VERSION}")
    settings = DetectorSettings.from_dict(state["settings"])
    monitor = BrandMonitor(settings=settings, seed=int(state["seed"]))
    for key, data in state["keys"].items():
        monitor.keys[key] = KeyState(
            series=HourlySeries([float(v) for v in data["counts"]], data["newest"]),
            windows=[SlidingWindow.from_state(float(span), rows) for span, rows in data["windows"]],
            first_hour=int(data["first_hour"]),
            hour_authors=set(data["hour_authors"]),
        )
    monitor.profile = Profile()
    monitor.clock = state["clock"]
    monitor.hour = state["hour"]
    monitor.established_at = state["established_at"]
    # a state stored before warm-up was counted in messages too: warm once the hours have passed
    monitor.is_warm = bool(
        state.get(
            "is_warm",
            monitor.established_at is not None
            and monitor.clock is not None
            and monitor.clock - monitor.established_at >= settings.warmup_hours * 3600,
        )
    )
    monitor.baseline_start = state["baseline_start"]
    monitor.trailing_closed = float(state["trailing_closed"])
    negatives = state["negatives"]
    monitor.negatives.negative, monitor.negatives.total = float(negatives[0]), float(negatives[1])
    monitor.negatives.hour_negative, monitor.negatives.hour_total = int(negatives[2]), int(negatives[3])
    monitor.background = PhraseBackground.from_state(
        state["background"], half_life_days=settings.phrase_half_life_days
    )
    monitor.phrase_window = PhraseWindow.from_state(
        settings.cluster_window_minutes * 60.0, state["phrase_window"]
    )
    monitor.recent = OrderedDict((row[0], StormMessage.from_state(row)) for row in state["recent"])
    for data in state["storms"]:
        storm = Storm.from_state(data)
        monitor.book.storms[storm.storm_id] = storm
    monitor.book.next_storm_id = int(state["next_storm_id"])
    monitor.seen = OrderedDict((int(mention_id), float(at)) for mention_id, at in state["seen"])
    monitor.channels = {str(k): float(v) for k, v in state["channels"].items()}
    version, internal, gauss = state["rng"]
    monitor.book.rng.setstate((version, tuple(internal), gauss))
    return monitor


def read_state(blob: bytes) -> dict[str, Any]:
    """A stored state as plain values, of whichever version it was stored in."""
    state: dict[str, Any] = json.loads(zlib.decompress(blob).decode("utf-8"))
    return state


def mentions_of_bare_handles(state: dict[str, Any]) -> set[int]:
    """The mentions whose channel ``voices_from_handles`` needs: those a version 1 state names."""
    if state.get("version") != 1:
        return set()
    return {int(mention_id) for mention_id, _ in _handles_by_mention(state)}


def voices_from_handles(state: dict[str, Any], channels: Mapping[int, str]) -> dict[str, Any]:
    """A version 1 state (bare handles) as version 2 (voices), given its mentions' channels.

    Rows that name their mention take that mention's channel. A handle named without one (the
    hour's voices, a storm's loudest, a high-reach storm's key) takes the one channel the rows
    show it on, or the brand's only channel; a handle seen on several channels, or nowhere, is
    left bare, so it may count as a second voice until the windows it is in have passed.
    """
    if state.get("version") != 1:
        return state
    seen: dict[str, set[str]] = {}
    for mention_id, handle in _handles_by_mention(state):
        if (channel := channels.get(int(mention_id))) is not None:
            seen.setdefault(handle, set()).add(channel)
    only = next(iter(state["channels"])) if len(state["channels"]) == 1 else None

    def of_handle(handle: str) -> str:
        found = seen.get(handle, set())
        channel = next(iter(found)) if len(found) == 1 else only if not found else None
        return voice_of(channel, handle) if channel is not None else handle

    def of_row(mention_id: int, handle: str) -> str:
        channel = channels.get(int(mention_id))
        return voice_of(channel, handle) if channel is not None else of_handle(handle)

    def of_key(key: str) -> str:
        kind, colon, rest = key.partition(":")
        return f"author:{of_handle(rest)}" if colon and kind == "author" else key

    for data in state["keys"].values():
        data["hour_authors"] = [of_handle(handle) for handle in data["hour_authors"]]
        for _, rows in data["windows"]:
            for row in rows:
                row[2] = of_row(row[1], row[2])
    for row in state["phrase_window"]:
        row[2] = of_row(row[1], row[2])
    for row in state["recent"]:
        row[3] = of_row(row[0], row[3])
    for storm in state["storms"]:
        storm["key"] = of_key(storm["key"])
        storm["keys"] = [of_key(key) for key in storm["keys"]]
        storm["authors"] = {of_handle(handle): count for handle, count in storm["authors"].items()}
        for row in (*storm["sample"], *storm["top"]):
            row[3] = of_row(row[0], row[3])
    return {**state, "version": STATE_VERSION}


def _handles_by_mention(state: dict[str, Any]) -> Iterable[tuple[int, str]]:
    """(mention id, handle) of every row of a version 1 state that names its mention."""
    for data in state["keys"].values():
        for _, rows in data["windows"]:
            yield from ((row[1], row[2]) for row in rows)
    yield from ((row[1], row[2]) for row in state["phrase_window"])
    yield from ((row[0], row[3]) for row in state["recent"])
    for storm in state["storms"]:
        yield from ((row[0], row[3]) for row in (*storm["sample"], *storm["top"]))


def _rng_state(monitor: BrandMonitor) -> list[Any]:
    version, internal, gauss = monitor.book.rng.getstate()
    return [version, list(internal), gauss]


def dumps(monitor: BrandMonitor) -> bytes:
    """Compact bytes for a database column."""
    return zlib.compress(json.dumps(monitor_to_state(monitor), separators=(",", ":")).encode("utf-8"), 1)


def loads(blob: bytes) -> BrandMonitor:
    return monitor_from_state(read_state(blob))


def dump_journal_entry(resolved: Sequence[int], observations: Sequence[Observation]) -> bytes:
    """One batch's journal entry: the storms resolved before it, then its observations in order."""
    rows = [
        [
            o.mention_id,
            o.at.isoformat(),  # exact, where a float of seconds could round a microsecond
            o.text,
            o.author,
            o.sentiment,
            o.category,
            o.channel,
            list(o.signals),
            o.followers,
            o.engagement,
            o.is_media,
            o.duplicate_group,
            o.in_reply_to,
        ]
        for o in observations
    ]
    entry = {"version": STATE_VERSION, "resolved": list(resolved), "observations": rows}
    return zlib.compress(json.dumps(entry, separators=(",", ":")).encode("utf-8"), 1)


def load_journal_entry(blob: bytes) -> tuple[list[int], list[Observation]]:
    entry = json.loads(zlib.decompress(blob).decode("utf-8"))
    if entry.get("version") not in JOURNAL_VERSIONS:
        raise ValueError(
            f"detector journal version {entry.get('version')!r} is not one of {JOURNAL_VERSIONS}"
        )
    observations = [
        Observation(
            mention_id=int(row[0]),
            at=datetime.fromisoformat(row[1]),
            text=row[2],
            author=row[3],
            sentiment=row[4],
            category=row[5],
            channel=row[6],
            signals=tuple(row[7]),
            followers=row[8],
            engagement=int(row[9]),
            is_media=bool(row[10]),
            duplicate_group=row[11],
            in_reply_to=row[12],
        )
        for row in entry["observations"]
    ]
    return [int(storm_id) for storm_id in entry["resolved"]], observations


def replay(monitor: BrandMonitor, entries: Iterable[bytes]) -> BrandMonitor:
    """Feed journal entries, oldest first, to the monitor they were journaled after."""
    for blob in entries:
        resolved, observations = load_journal_entry(blob)
        for storm_id in resolved:
            monitor.resolve(storm_id)
        for observation in observations:
            monitor.observe(observation)
    return monitor


__all__ = [
    "dump_journal_entry",
    "dumps",
    "load_journal_entry",
    "loads",
    "mentions_of_bare_handles",
    "monitor_from_state",
    "monitor_to_state",
    "read_state",
    "replay",
    "voices_from_handles",
]
