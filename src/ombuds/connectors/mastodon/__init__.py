"""Mastodon: the brand account's mentions or a hashtag's timeline in, replies out."""

from ombuds.connectors.mastodon.config import MastodonConfig
from ombuds.connectors.mastodon.fetcher import MastodonFetcher
from ombuds.connectors.mastodon.kind import MastodonKind
from ombuds.connectors.mastodon.sink import MastodonSink

__all__ = ["MastodonConfig", "MastodonFetcher", "MastodonKind", "MastodonSink"]
