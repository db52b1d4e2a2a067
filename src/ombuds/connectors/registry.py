"""Which connector kinds exist, so a Source row's ``kind`` can be turned into a working source.

Built-in kinds register here; other packages add theirs through the ``ombuds.sources`` entry
point group (``kind = "package.module:factory"``), so a connector ships on its own.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from importlib.metadata import entry_points
from typing import Any

from ombuds.connectors.base import Source
from ombuds.errors import InvalidInput

SourceFactory = Callable[[Mapping[str, Any]], Source]

ENTRY_POINT_GROUP = "ombuds.sources"


def _file_source(config: Mapping[str, Any]) -> Source:
    from ombuds.connectors.files import FileSource

    return FileSource.from_config(config)


_BUILT_IN: dict[str, SourceFactory] = {"file": _file_source}
_registered: dict[str, SourceFactory] = {}


def register_source(kind: str, factory: SourceFactory) -> None:
    """Make ``kind`` available; registering a kind twice replaces the earlier factory."""
    _registered[kind] = factory


def source_kinds() -> list[str]:
    """Every kind that can be built, sorted."""
    return sorted(set(_BUILT_IN) | set(_registered) | {point.name for point in _entry_points()})


def build_source(kind: str, config: Mapping[str, Any]) -> Source:
    """A source of ``kind`` configured by ``config``; ``InvalidInput`` for an unknown kind."""
    factory = _registered.get(kind) or _BUILT_IN.get(kind)
    if factory is None:
        point = next((point for point in _entry_points() if point.name == kind), None)
        if point is None:
            raise InvalidInput(f"unknown source kind {kind!r}; known: {', '.join(source_kinds())}")
        factory = point.load()
    return factory(config)


def _entry_points() -> list[Any]:
    return list(entry_points(group=ENTRY_POINT_GROUP))
