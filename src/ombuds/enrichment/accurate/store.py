"""Where a brand's accurate model lives: a folder in the data directory, never the repository.

The database keeps which one is current (a ``brand_model`` row named ``accurate`` whose weights
are this small JSON pointer, with the model's version); the folder keeps the weights. A pointer
to a folder that is gone (a restored database on another machine) leaves the fast path in charge.
"""

from __future__ import annotations

import json
import logging
import shutil
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ombuds.enrichment.accurate.tuning import AccurateModel

#: The ``brand_model.analyzer`` of a brand's accurate model.
ACCURATE = "accurate"

#: A folder written within this many seconds may belong to a tuning that has not recorded it yet.
RECENT_SECONDS = 3600

log = logging.getLogger(__name__)
#: brand folder → (model folder, model): one model per brand in memory (~370 MB resident with an
#: int8 export, ~760 MB with torch: benchmarks/bench_accurate.py)
_loaded: dict[Path, tuple[Path, AccurateModel]] = {}


@dataclass(frozen=True)
class Pointer:
    """The current model of a brand: its folder (relative to the data directory) and version."""

    folder: str
    version: str

    def to_bytes(self) -> bytes:
        return json.dumps({"folder": self.folder, "version": self.version}).encode()

    @classmethod
    def from_bytes(cls, blob: bytes) -> Pointer:
        found = json.loads(blob.decode())
        return cls(folder=str(found["folder"]), version=str(found["version"]))


def brand_folder(brand_id: int, version: str) -> str:
    """Where a brand's model of this version is kept, relative to the data directory."""
    return f"models/accurate/brand-{brand_id}/{version}"


def load_pointed(data_dir: Path, pointer: Pointer, *, threads: int) -> AccurateModel | None:
    """The model the pointer names, read once per process; None (logged) when its folder is gone."""
    folder = (data_dir / pointer.folder).resolve()
    cached = _loaded.get(folder.parent)
    if cached is not None and cached[0] == folder:
        return cached[1]
    try:
        model = AccurateModel.load(folder, threads=threads)
    except FileNotFoundError as exc:
        log.warning("accurate model %s not loaded, the fast path reads instead: %s", pointer.version, exc)
        return None
    _loaded[folder.parent] = (folder, model)  # a brand's newer model replaces its older one
    return model


def prune_versions(data_dir: Path, brand_id: int, keep: Iterable[str]) -> list[str]:
    """Remove the brand's model folders but ``keep`` (folders relative to the data directory) and
    any written in the last hour (another tuning's, not recorded yet); the names removed.

    Each tuning saves about 110 MB (weights and export); the background tunes a brand again as
    often as daily, so only the current model and the one it replaced stay (a process that loaded
    the older one keeps reading it from memory until it sees the new pointer).
    """
    root = data_dir / "models" / "accurate" / f"brand-{brand_id}"
    if not root.is_dir():
        return []
    kept = {(data_dir / folder).resolve() for folder in keep}
    removed = []
    for folder in sorted(root.iterdir()):
        if not folder.is_dir() or folder.resolve() in kept:
            continue
        if time.time() - folder.stat().st_mtime < RECENT_SECONDS:
            continue
        shutil.rmtree(folder, ignore_errors=True)
        removed.append(folder.name)
    return removed
