"""Expensive, pure test inputs computed once and shared by every test process through files.

The detection tests replay public streams analysed by the default engine (seconds per stream);
each pytest-xdist worker would otherwise analyse the same file again. ``cached`` keeps the result
as a pickle under the pytest cache folder, keyed by everything the result depends on:

* the input file's bytes (a hash, so a copied or touched file with the same content still hits),
* every file under ``src/`` (code, trained models, lexicons): an edit anywhere in the package
  makes a new key, so a changed analyzer, mapping or ``Observation`` type is never served stale,
* the Python and library versions, and every ``OMBUDS_*`` setting in the environment,
* the caller's own name and arguments.

A lock per key makes two processes that ask at once compute it once; the file is written to a
temporary name and renamed, so a reader never sees half of it. An unreadable entry is computed
again. Only pure results belong here (no database rows, no detector output under test).
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
import tempfile
from collections.abc import Callable, Iterable
from importlib import metadata
from pathlib import Path
from typing import TypeVar

from filelock import FileLock

T = TypeVar("T")

SOURCES = Path(__file__).resolve().parents[2] / "src"
#: Libraries whose numbers could change an analysis (parsing, features, models).
LIBRARIES = ("numpy", "scipy", "scikit-learn", "pydantic")


def source_digest(root: Path = SOURCES) -> str:
    """A hash of every file under ``root`` (names and bytes), caches of compiled code aside."""
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(root).as_posix().encode())
            digest.update(b"\0")
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def environment_digest() -> str:
    """The interpreter, the libraries' versions and the app's settings from the environment."""
    parts = [sys.version]
    for name in LIBRARIES:
        try:
            parts.append(f"{name}=={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            parts.append(f"{name} absent")
    parts.extend(f"{k}={v}" for k, v in sorted(os.environ.items()) if k.startswith("OMBUDS_"))
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def cache_key(*, inputs: Iterable[Path], arguments: Iterable[str] = ()) -> str:
    """A hash of all a result depends on: the sources, the environment, the inputs, the arguments."""
    digest = hashlib.sha256()
    for part in (
        source_digest(),
        environment_digest(),
        *(file_digest(path) for path in inputs),
        *arguments,
    ):
        digest.update(part.encode())
        digest.update(b"\0")
    return digest.hexdigest()[:32]


def cached(folder: Path | None, name: str, key: str, compute: Callable[[], T]) -> T:
    """``compute()``, or the result a process computed before as ``name`` under ``key``.

    Without a folder (pytest's cache turned off) it simply computes, and so it does where the
    folder cannot be written (read-only, full): the cache only saves time. Writing a new entry
    removes the entries (and locks) of the same name under older keys: one per name is kept.
    """
    if folder is None:
        return compute()
    path = folder / f"{name}-{key}.pickle"
    lock = FileLock(folder / f"{name}-{key}.lock")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        lock.acquire()
    except OSError:
        return compute()
    try:
        found: tuple[T] | None = _read(path)
        if found is not None:
            return found[0]
        result = compute()
        _write(path, result)
    finally:
        lock.release()
    for old in folder.glob(f"{name}-*"):
        if old.suffix in {".pickle", ".lock"} and old.stem != path.stem:
            old.unlink(missing_ok=True)
    return result


def _read(path: Path) -> tuple[T] | None:
    try:
        with path.open("rb") as file:
            return (pickle.load(file),)  # our own file, written by _write
    except Exception:  # an entry a changed class cannot load is computed again, never trusted
        return None


def _write(path: Path, value: object) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".partial")
    try:
        with os.fdopen(handle, "wb") as file:
            pickle.dump(value, file, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, path)
    except OSError:  # a full disk: this process has its result, the next computes it again
        Path(temporary).unlink(missing_ok=True)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
