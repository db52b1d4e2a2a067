"""Bluesky (AT Protocol): the brand account's mentions, replies and quotes, or a search, in; replies out."""

from ombuds.connectors.bluesky.config import BlueskyConfig
from ombuds.connectors.bluesky.fetcher import BlueskyFetcher
from ombuds.connectors.bluesky.kind import BlueskyKind
from ombuds.connectors.bluesky.sink import BlueskySink

__all__ = ["BlueskyConfig", "BlueskyFetcher", "BlueskyKind", "BlueskySink"]
