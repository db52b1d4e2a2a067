"""CLI commands of this package, added to the ``ombuds`` app by ``register``."""

from __future__ import annotations

from ombuds.commandline import Groups


def register(groups: Groups) -> None:
    """Add this package's commands to the CLI groups."""
