"""Ombuds: a self-hosted customer-voice desk where PR and customer care work as one."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("ombuds")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"
