"""A mention's pipeline stage and direction: plain values shared beyond the tables, no ORM."""

from __future__ import annotations

from enum import StrEnum


class Stage(StrEnum):
    """The last pipeline stage a mention has passed; each stage picks up the one before."""

    INGESTED = "ingested"
    ENRICHED = "enriched"
    THREADED = "threaded"
    ROUTED = "routed"
    DETECTED = "detected"  # seen by incident detection and promise matching: the end of the chain
    FAILED = "failed"  # a stage raised on this mention alone; see its pipeline.failed event


class Direction(StrEnum):
    INBOUND = "inbound"
    OUTBOUND = "outbound"
