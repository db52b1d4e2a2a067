"""RSS and Atom feeds (review sites, news, forums): polled with ETag and Last-Modified."""

from ombuds.connectors.rss.fetcher import RssConfig, RssFetcher
from ombuds.connectors.rss.kind import RssKind

__all__ = ["RssConfig", "RssFetcher", "RssKind"]
