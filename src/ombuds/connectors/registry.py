"""The kinds of connector this installation knows, found through the ``ombuds.connectors`` entry points.

Each entry point names a class that satisfies ``ConnectorKind``; Ombuds' own kinds (rss, webhook)
are registered the same way in its pyproject.toml, so a third party's package is no different.
After adding an entry point, reinstall the package (``pip install -e .``) so its metadata lists it.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from functools import cache
from importlib.metadata import entry_points
from typing import Any, cast

from pydantic import BaseModel, ValidationError

from ombuds.connectors.base import ConnectorKind
from ombuds.errors import InvalidInput

log = logging.getLogger(__name__)
GROUP = "ombuds.connectors"


class UnknownKind(InvalidInput):
    """No installed connector has this name."""


@cache
def installed_kinds() -> Mapping[str, ConnectorKind]:
    """Every registered kind by name, loaded once per process."""
    kinds: dict[str, ConnectorKind] = {}
    for point in entry_points(group=GROUP):
        try:
            loaded = point.load()
        except Exception:  # one broken package must not take every channel down with it
            log.exception(
                "connector kind %r (%s) could not be loaded; it is left out", point.name, point.value
            )
            continue
        kind = cast(ConnectorKind, loaded() if isinstance(loaded, type) else loaded)
        if kind.name != point.name:
            raise TypeError(f"entry point {point.name!r} ({point.value}) names a kind called {kind.name!r}")
        kinds[kind.name] = kind
    return dict(sorted(kinds.items()))


def get_kind(name: str) -> ConnectorKind:
    """The installed kind called ``name``; ``UnknownKind`` lists the ones there are."""
    kinds = installed_kinds()
    if name not in kinds:
        raise UnknownKind(f"kind: {name[:40]!r} is not an installed connector; one of {', '.join(kinds)}")
    return kinds[name]


def validate_config(kind: ConnectorKind, values: Mapping[str, Any]) -> BaseModel:
    """The kind's typed config from plain values; ``InvalidInput`` names the first wrong field."""
    try:
        return kind.config_model.model_validate(dict(values))
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(part) for part in error["loc"]) or "config"
        message = str(error["msg"]).removeprefix("Value error, ")
        raise InvalidInput(f"{kind.name} config: {where}: {message}") from None


def polls(kind: ConnectorKind) -> bool:
    """Whether sources of this kind are fetched on a schedule (webhooks only receive pushes)."""
    return getattr(kind, "polls", True)


def dedupes_across_sources(kind: ConnectorKind) -> bool:
    """Whether the same item from two sources of one brand is one mention (an RSS guid in two feeds)."""
    return getattr(kind, "dedupe_across_sources", False)
