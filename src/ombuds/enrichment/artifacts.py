"""Where shipped models live and how they are read: from the package, never from a hub."""

from __future__ import annotations

import hashlib
from importlib import resources
from pathlib import Path

import numpy as np
import numpy.typing as npt

DEFAULT_MODEL = "default"
Arrays = dict[str, npt.NDArray[np.generic]]


def trained_dir() -> Path:
    """The folder of shipped artifacts inside the installed package."""
    return Path(str(resources.files("ombuds.enrichment.trained")))


def model_path(configured: Path | None) -> Path:
    """The artifact to load: the configured file, a shipped model by name (``permissive``), or
    the default one."""
    if configured is None:
        return trained_dir() / f"{DEFAULT_MODEL}.npz"
    shipped = trained_dir() / f"{configured}.npz"
    if configured.parent == Path() and not configured.suffix and shipped.is_file():
        return shipped
    return configured


def read_arrays(path: Path) -> Arrays:
    """Read an ``.npz`` artifact without ever unpickling."""
    with np.load(path, allow_pickle=False) as stored:
        return {name: stored[name] for name in stored.files}


def write_arrays(path: Path, arrays: Arrays) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        np.savez_compressed(handle, **arrays)  # type: ignore[arg-type]


def fingerprint(path: Path) -> str:
    """A short content hash: the model version changes whenever the artifact does."""
    return hashlib.sha256(path.read_bytes()).hexdigest()[:10]
