"""Where a brand's accurate model lives: a folder in the data directory, never the repository.

The database keeps which one is current (a ``brand_model`` row named ``accurate`` whose weights
are this small JSON pointer, with the model's version); the folder keeps the weights. A pointer
to a folder that is gone (a restored database on another machine) leaves the fast path in charge.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path

from ombuds.enrichment.accurate.tuning import AccurateModel

#: The ``brand_model.analyzer`` of a brand's accurate model.
ACCURATE = "accurate"

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
