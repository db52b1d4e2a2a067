"""The detection stage: routed mentions feed the brand's streaming detectors; storms become incidents.

The pipeline calls ``detect`` after routing, once per brand and batch, inside the batch's
transaction. The brand's monitor is stored in that same transaction, so a rolled-back batch
leaves the detectors as they were and a retried batch is seen once: whole in
``incident_detector_state`` now and then, and between, each batch's observations as a journal
entry (``incident_detector_journal``), since storing the whole state cost more than detecting
once it had grown. A process keeps the monitor it last wrote and reuses it while the stored
version still matches, so a busy worker does not read its own state back on every batch.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import case, select
from sqlalchemy.orm import Session

from ombuds.enrichment.findings import SIGNALS
from ombuds.enrichment.meaning import read_meaning
from ombuds.enrichment.models import Enrichment
from ombuds.incidents import actions
from ombuds.incidents.detectors import BrandMonitor, DetectorSettings, Observation, Storm, StormChange
from ombuds.incidents.detectors.state import dump_journal_entry, dumps, replay
from ombuds.incidents.models import DetectorState, Incident, IncidentStatus
from ombuds.incidents.observations import observation_from
from ombuds.mentions.models import Direction, Mention

#: The analyzers whose findings detectors read (see ``observations.observation_from``).
ANALYZERS = ("sentiment", "category", "signals", "duplicates")

#: Observations journaled before the state is stored whole again: the most a worker that did not
#: write the last batches feeds again to catch up (about a second on one core).
JOURNAL_LIMIT = 5_000

# (database, brand) -> (stored version, monitor, observations journaled since the whole state)
_monitors: dict[tuple[str, int], tuple[int, BrandMonitor, int]] = {}


@dataclass(frozen=True, slots=True)
class _Finding:
    label: str | None
    data: Mapping[str, Any]


_lock = threading.Lock()


def _cache_key(session: Session, brand_id: int) -> tuple[str, int]:
    return (str(session.get_bind().engine.url), brand_id)


def _monitor_for(session: Session, row: DetectorState) -> tuple[BrandMonitor, int]:
    """The brand's monitor as stored, and how many observations its journal holds."""
    key = _cache_key(session, row.brand_id)
    with _lock:
        cached = _monitors.pop(key, None)  # taken out while in use: a failed batch leaves nothing behind
    if cached is not None and row.state is not None and cached[0] == row.version:
        return cached[1], cached[2]
    return stored_monitor(session, brand_id=row.brand_id, state=row.state, settings=row.settings)


def stored_monitor(
    session: Session, *, brand_id: int, state: bytes | None, settings: Mapping[str, Any] | None
) -> tuple[BrandMonitor, int]:
    """The monitor the database holds for a brand (its whole state and the journal after it),
    and how many observations that journal holds; a fresh one where none is stored yet."""
    if state is not None:
        journal = actions.detector_journal(session, brand_id=brand_id)
        monitor = replay(actions.stored_monitor(session, state), (entry for entry, _ in journal))
        return monitor, sum(observations for _, observations in journal)
    monitor = BrandMonitor(settings=DetectorSettings.from_dict(dict(settings or {})))
    monitor.read_meaning_with(read_meaning)
    return monitor, 0


@dataclass(frozen=True, slots=True)
class Observed:
    """What one batch did to a brand's monitor: the storm changes for the incidents, the storms
    as each change left them, and what to store (the whole state, or a journal entry, or nothing)."""

    changes: list[StormChange]
    storms: dict[int, Storm]
    whole: bytes | None
    entry: bytes | None
    fed: int  # observations the monitor had not seen: the entry's size

    @property
    def journaled(self) -> int:
        """Observations this batch adds to the journal since the last whole state."""
        return self.fed if self.entry is not None else 0


def observe_batch(
    monitor: BrandMonitor,
    observations: Sequence[Observation],
    *,
    resolved: Sequence[int],
    stored: bool,
    journaled: int,
) -> Observed:
    """Feed a batch to the monitor (pure: no database). ``stored``: a whole state exists
    already; ``journaled``: observations its journal holds. The state is stored whole when there
    is none yet or the journal is long, else the batch becomes a journal entry; a rerun of seen
    mentions changes nothing and stores nothing."""
    changes: list[StormChange] = []
    # the storms as each change left them: a batch spanning days (a replay, the demo, catching up
    # after downtime) can see a storm open, go quiet and be forgotten by the monitor before its end
    storms: dict[int, Storm] = {}
    fed: list[Observation] = []  # what the monitor has not seen yet: the journal entry
    for observation in observations:
        if observation.mention_id not in monitor.seen:
            fed.append(observation)
        found = monitor.observe(observation)
        for change in found:
            storm = monitor.storms.get(change.storm_id)
            if storm is not None:
                storms[change.storm_id] = storm
        changes.extend(found)
    whole = entry = None
    if not stored or journaled + len(fed) >= JOURNAL_LIMIT:
        whole = dumps(monitor)
    elif resolved or fed:
        entry = dump_journal_entry(resolved, fed)
    return Observed(changes, storms, whole, entry, len(fed))


def write_observed(
    session: Session,
    *,
    brand_id: int,
    row: DetectorState,
    observed: Observed,
    now: datetime,
    version: int | None = None,
) -> list[Incident]:
    """Write what a batch did: its incidents, and the monitor whole or as a journal entry
    (``version``: the one to give the stored row, else a fresh one)."""
    incidents = actions.apply_storm_changes(
        session, brand_id=brand_id, storms=observed.storms, changes=observed.changes
    )
    if observed.whole is not None:
        actions.store_detector_state(session, row=row, state=observed.whole, now=now, version=version)
    elif observed.entry is not None:
        actions.journal_detector_batch(
            session, row=row, entry=observed.entry, observations=observed.fed, now=now, version=version
        )
    return incidents


def observations_for(session: Session, mentions: Sequence[Mention]) -> list[Observation]:
    """The mentions with their enrichments, as detectors see them, in time order."""
    ids = [mention.id for mention in mentions]
    findings: dict[int, dict[str, _Finding]] = {mention_id: {} for mention_id in ids}
    # only the signals' data is read (``observation_from``); the others' (an embedding's floats
    # among them) would be parsed for nothing
    data = case((Enrichment.analyzer == SIGNALS, Enrichment.data), else_=None)
    wanted = (Enrichment.mention_id, Enrichment.analyzer, Enrichment.label, data)
    for start in range(0, len(ids), 900):
        rows = session.execute(
            select(*wanted).where(
                Enrichment.mention_id.in_(ids[start : start + 900]), Enrichment.analyzer.in_(ANALYZERS)
            )
        )
        for mention_id, analyzer, label, data in rows:
            findings[mention_id][analyzer] = _Finding(label, data or {})
    ordered = sorted(mentions, key=lambda m: (m.created_at, m.id))
    return [
        observation_from(
            mention_id=mention.id,
            created_at=mention.created_at,
            text=mention.text,
            author=mention.author_handle,
            channel=mention.channel,
            followers=mention.author_followers,
            metrics=mention.metrics,
            findings=findings[mention.id],
            in_reply_to=mention.in_reply_to,
        )
        for mention in ordered
    ]


def forget_resolved(session: Session, brand_id: int, monitor: BrandMonitor) -> list[int]:
    """Storms whose incident a person resolved stop growing and are never reopened; their ids."""
    live = [storm_id for storm_id, storm in monitor.storms.items() if not storm.is_resolved]
    if not live:
        return []
    resolved = session.scalars(
        select(Incident.storm_id).where(
            Incident.brand_id == brand_id,
            Incident.storm_id.in_(live),
            Incident.status == IncidentStatus.RESOLVED,
        )
    )
    forgotten = [storm_id for storm_id in resolved if storm_id is not None]
    for storm_id in forgotten:
        monitor.resolve(storm_id)
    return forgotten


def detect(session: Session, *, brand_id: int, mentions: Sequence[Mention], now: datetime) -> list[Incident]:
    """Feed one brand's new mentions to its detectors; open and grow incidents. Idempotent per mention.

    Only the brand's inbound mentions count (its own replies are not the public's voice). The
    detectors run on the mentions' own timestamps, so replayed data keeps its clock; ``now``
    stamps the stored state.
    """
    inbound = [m for m in mentions if m.brand_id == brand_id and m.direction is Direction.INBOUND]
    row = actions.detector_state_for_update(session, brand_id=brand_id, now=now)
    monitor, journaled = _monitor_for(session, row)
    resolved = forget_resolved(session, brand_id, monitor)
    observed = observe_batch(
        monitor,
        observations_for(session, inbound),
        resolved=resolved,
        stored=row.state is not None,
        journaled=journaled,
    )
    incidents = write_observed(session, brand_id=brand_id, row=row, observed=observed, now=now)
    with _lock:
        _monitors[_cache_key(session, row.brand_id)] = (
            row.version,
            monitor,
            journaled_after(journaled, observed),
        )
    session.flush()
    return incidents


def journaled_after(journaled: int, observed: Observed) -> int:
    """Observations the journal holds after a batch was written."""
    return 0 if observed.whole is not None else journaled + observed.journaled


def detect_all(session: Session, *, mentions: Sequence[Mention], now: datetime) -> list[Incident]:
    """``detect`` for every brand in a batch, one brand after another."""
    brands = sorted({mention.brand_id for mention in mentions})
    found: list[Incident] = []
    for brand_id in brands:
        found.extend(detect(session, brand_id=brand_id, mentions=mentions, now=now))
    return found
