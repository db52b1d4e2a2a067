"""Replay a timestamped data set through the pipeline, on the data's own clock, and list its incidents.

The file is read with the importer's presets, sorted by time and fed in chunks: each chunk is
ingested and run through the pipeline, detection included, with the chunk's last timestamp as
"now". As fast as the machine allows, and as if the mentions had arrived live.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ombuds.accounts import actions as accounts
from ombuds.accounts.models import Brand
from ombuds.accounts.queries import get_default_team
from ombuds.incidents.models import Incident
from ombuds.incidents.schemas import ReplayIncident
from ombuds.mentions.actions import get_or_create_source, ingest_mentions
from ombuds.mentions.datasets import BrandMention, Tally, read_mentions
from ombuds.pipeline.runner_inline import run_until_idle
from ombuds.slugs import slugify

SOURCE_KIND = "import"


@dataclass
class ReplayResult:
    incidents: list[ReplayIncident]
    mentions: int
    tally: Tally
    brands: dict[str, int]  # label in the output -> brand id


def _brand_for(session: Session, label: str, *, is_slug: bool) -> Brand:
    slug = label if is_slug else slugify(label, fallback="brand")
    brand = session.scalar(select(Brand).where(Brand.slug == slug))
    if brand is None:
        brand = accounts.create_brand(session, slug=slug, name=label)
    if get_default_team(session, brand.id) is None:
        accounts.create_team(session, brand=brand, slug="care", name="Care", is_default=True)
    return brand


def replay(
    factory: sessionmaker[Session],
    path: Path,
    *,
    preset: str,
    brand: str | None = None,
    brand_column: str | None = None,
    overrides: Sequence[tuple[str, str]] = (),
    chunk_size: int = 1000,
    on_progress: Callable[[int, int], None] = lambda done, total: None,
) -> ReplayResult:
    """Feed the file through ingest, the pipeline and detection, in time order; return the incidents."""
    tally = Tally()
    found = list(
        read_mentions(
            path, preset=preset, brand=brand, brand_column=brand_column, tally=tally, overrides=overrides
        )
    )
    found.sort(key=lambda item: (item.mention.created_at, item.mention.external_id))
    labels = sorted({item.brand for item in found})
    with factory.begin() as session:
        brands = {label: _brand_for(session, label, is_slug=brand is not None).id for label in labels}
        sources = {
            label: get_or_create_source(
                session, brand_id=brand_id, kind=SOURCE_KIND, name=f"{SOURCE_KIND}:{preset}"
            ).id
            for label, brand_id in brands.items()
        }
    for start in range(0, len(found), chunk_size):
        chunk = found[start : start + chunk_size]
        now = chunk[-1].mention.created_at
        _ingest(factory, chunk, sources)
        run_until_idle(factory, now=_clock(now))  # its last stage is detection
        on_progress(start + len(chunk), len(found))
    with factory() as session:
        return ReplayResult(
            incidents=list_replay_incidents(session, brands),
            mentions=len(found),
            tally=tally,
            brands=brands,
        )


def _clock(moment: datetime) -> Callable[[], datetime]:
    """The data's own time, as the pipeline's clock for one chunk."""
    return lambda: moment


def _ingest(factory: sessionmaker[Session], chunk: Sequence[BrandMention], sources: dict[str, int]) -> None:
    from ombuds.mentions.models import Source

    by_label: dict[str, list[BrandMention]] = {}
    for item in chunk:
        by_label.setdefault(item.brand, []).append(item)
    with factory.begin() as session:
        for label, items in by_label.items():
            source = session.get(Source, sources[label])
            assert source is not None
            ingest_mentions(session, source=source, mentions=[item.incoming() for item in items])


def list_replay_incidents(session: Session, brands: dict[str, int]) -> list[ReplayIncident]:
    """Every incident of the replayed brands, in the order they opened, in the replay contract's shape."""
    label_of = {brand_id: label for label, brand_id in brands.items()}
    incidents = session.scalars(
        select(Incident)
        .where(Incident.brand_id.in_(list(label_of)))
        .order_by(Incident.opened_at, Incident.id)
    )
    return [
        ReplayIncident(
            brand=label_of[incident.brand_id],
            opened_at=incident.opened_at.isoformat(),
            signal=incident.signal,
            severity=incident.severity.value,
            mention_count=incident.mention_count,
            representative_text=incident.representative_text,
        )
        for incident in incidents
    ]
