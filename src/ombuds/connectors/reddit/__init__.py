"""Reddit: a subreddit's posts or comments, or a search, in; comment replies out."""

from ombuds.connectors.reddit.config import RedditConfig
from ombuds.connectors.reddit.fetcher import RedditFetcher
from ombuds.connectors.reddit.kind import RedditKind
from ombuds.connectors.reddit.sink import RedditSink

__all__ = ["RedditConfig", "RedditFetcher", "RedditKind", "RedditSink"]
