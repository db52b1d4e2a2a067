"""The reading paths' speed and share of mentions over a recent window: what operators watch.

The ``enrich`` stage reads each batch with a brand's accurate model or with the fast path, and
after a burst the accurate model re-reads what the fast path read; each batch adds its mentions
and reading seconds to its minute's ``analysis_pass`` row (``actions.record_analysis_pass``).
``path_figures`` (pure) turns those rows into messages per second and shares; ``recent_paths``
reads them, ``count_reread_waiting`` how many burst mentions still wait for the accurate model.
``ombuds pipeline status`` and the operations ``/metrics`` show them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ombuds.enrichment.models import AnalysisPass, RereadWaiting

ACCURATE = "accurate"
FAST = "fast"
REREAD = "reread"  # the accurate model re-reading what the fast path read in a burst
PATHS = (ACCURATE, FAST, REREAD)
#: The window the figures look back over.
RECENT = timedelta(minutes=15)
#: Rows older than this are dropped as new ones are written.
KEEP = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class PathFigure:
    path: str
    mentions: int
    seconds: float
    share: float | None  # of mentions read the first time (accurate + fast); None for re-reads

    @property
    def messages_per_second(self) -> float | None:
        """Mentions read per second of reading; None when the path read nothing."""
        if self.mentions == 0 or self.seconds <= 0:
            return None
        return self.mentions / self.seconds


def path_figures(rows: Iterable[tuple[str, int, float]]) -> dict[str, PathFigure]:
    """Each path's figures from (path, mentions, seconds) rows; every path is present."""
    mentions = dict.fromkeys(PATHS, 0)
    seconds = dict.fromkeys(PATHS, 0.0)
    for path, count, spent in rows:
        if path in mentions:
            mentions[path] += int(count)
            seconds[path] += float(spent)
    first = mentions[ACCURATE] + mentions[FAST]
    return {
        path: PathFigure(
            path,
            mentions[path],
            seconds[path],
            None if path == REREAD else (mentions[path] / first if first else 0.0),
        )
        for path in PATHS
    }


def minute_of(at: datetime) -> datetime:
    return at.replace(second=0, microsecond=0)


def recent_paths(session: Session, *, now: datetime, window: timedelta = RECENT) -> dict[str, PathFigure]:
    """Every brand's reading over the window before ``now`` (the minute under way included)."""
    rows = session.execute(
        select(AnalysisPass.path, func.sum(AnalysisPass.mentions), func.sum(AnalysisPass.seconds))
        .where(AnalysisPass.minute >= minute_of(now - window))
        .group_by(AnalysisPass.path)
    ).all()
    return path_figures((path, count or 0, spent or 0.0) for path, count, spent in rows)


def count_reread_waiting(session: Session) -> int:
    """Mentions the fast path read in a burst that the accurate model has not re-read yet."""
    return session.scalar(select(func.count()).select_from(RereadWaiting)) or 0
