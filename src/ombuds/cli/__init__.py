"""The ``ombuds`` command: one module per command group, wired together in ``main``."""

from ombuds.cli.main import app

__all__ = ["app"]
