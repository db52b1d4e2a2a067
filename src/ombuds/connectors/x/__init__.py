"""X (formerly Twitter), API v2: the brand account's mentions or a recent search in, replies out."""

from ombuds.connectors.x.config import XConfig
from ombuds.connectors.x.fetcher import XFetcher
from ombuds.connectors.x.kind import XKind
from ombuds.connectors.x.sink import XSink

__all__ = ["XConfig", "XFetcher", "XKind", "XSink"]
