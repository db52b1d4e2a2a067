"""The reddit kind as registered under the ``ombuds.connectors`` entry points."""

from __future__ import annotations

from typing import ClassVar

from pydantic import BaseModel

from ombuds.connectors.base import Fetcher, Sink
from ombuds.connectors.reddit.config import RedditConfig
from ombuds.connectors.reddit.fetcher import RedditFetcher
from ombuds.connectors.reddit.sink import RedditSink


class RedditKind:
    name: ClassVar[str] = "reddit"
    title: ClassVar[str] = "Reddit subreddit or search"
    config_model: ClassVar[type[BaseModel]] = RedditConfig
    secret_fields: ClassVar[frozenset[str]] = frozenset({"client_secret", "password"})
    #: its sink answers in public only; a private reply goes by the brand's reply sink
    answers_privately: ClassVar[bool] = False

    def fetcher(self, config: BaseModel, *, timeout: float) -> Fetcher | None:
        assert isinstance(config, RedditConfig)
        return RedditFetcher(config, timeout=timeout)

    def sink(self, config: BaseModel, *, timeout: float) -> Sink | None:
        assert isinstance(config, RedditConfig)
        return (
            RedditSink(config, timeout=timeout) if config.can_reply else None
        )  # read-only without the account
