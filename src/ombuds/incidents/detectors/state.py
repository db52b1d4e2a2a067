"""A monitor's state as plain JSON-ready values, so any worker can pick up where another stopped."""

from __future__ import annotations

import json
import zlib
from collections import OrderedDict
from typing import Any

from ombuds.incidents.detectors.baseline import HourlySeries, Profile
from ombuds.incidents.detectors.monitor import BrandMonitor, KeyState
from ombuds.incidents.detectors.phrases import PhraseBackground, PhraseWindow
from ombuds.incidents.detectors.settings import DetectorSettings
from ombuds.incidents.detectors.storms import Storm, StormMessage
from ombuds.incidents.detectors.windows import SlidingWindow

STATE_VERSION = 1


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


def _rng_state(monitor: BrandMonitor) -> list[Any]:
    version, internal, gauss = monitor.book.rng.getstate()
    return [version, list(internal), gauss]


def dumps(monitor: BrandMonitor) -> bytes:
    """Compact bytes for a database column."""
    return zlib.compress(json.dumps(monitor_to_state(monitor), separators=(",", ":")).encode("utf-8"), 1)


def loads(blob: bytes) -> BrandMonitor:
    return monitor_from_state(json.loads(zlib.decompress(blob).decode("utf-8")))


__all__ = ["dumps", "loads", "monitor_from_state", "monitor_to_state"]
