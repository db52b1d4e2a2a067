"""The rss kind as registered under the ``ombuds.connectors`` entry points."""

from __future__ import annotations

from typing import ClassVar

from pydantic import BaseModel

from ombuds.connectors.base import Fetcher, Sink
from ombuds.connectors.rss.fetcher import RssConfig, RssFetcher


class RssKind:
    name: ClassVar[str] = "rss"
    title: ClassVar[str] = "RSS or Atom feed"
    config_model: ClassVar[type[BaseModel]] = RssConfig
    secret_fields: ClassVar[frozenset[str]] = frozenset()
    # a story syndicated in two feeds of one brand (same guid or link) is one mention
    dedupe_across_sources: ClassVar[bool] = True

    def fetcher(self, config: BaseModel, *, timeout: float) -> Fetcher | None:
        assert isinstance(config, RssConfig)
        return RssFetcher(config, timeout=timeout)

    def sink(self, config: BaseModel, *, timeout: float) -> Sink | None:
        return None  # a feed is read-only
