"""Streaming storm detectors: plain values in, alarms and storms out. No database, no web.

A ``BrandMonitor`` watches one brand's stream of observations (one per mention, in time
order) and keeps, per key (the whole brand, each category, channel and signal), a seasonal
baseline, sliding windows and a background of phrases. It raises alarms (volume, negative
share, emerging cluster, high reach, rising signal) and folds them into storms, so that one
storm becomes one incident that grows.
"""

from ombuds.incidents.detectors.monitor import BrandMonitor
from ombuds.incidents.detectors.settings import DetectorSettings
from ombuds.incidents.detectors.storms import Storm, StormChange
from ombuds.incidents.detectors.types import Alarm, Observation, Severity, Signal

__all__ = [
    "Alarm",
    "BrandMonitor",
    "DetectorSettings",
    "Observation",
    "Severity",
    "Signal",
    "Storm",
    "StormChange",
]
