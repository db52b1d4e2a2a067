"""The mastodon kind as registered under the ``ombuds.connectors`` entry points."""

from __future__ import annotations

from typing import ClassVar

from pydantic import BaseModel

from ombuds.connectors.base import Fetcher, Sink
from ombuds.connectors.mastodon.config import MastodonConfig
from ombuds.connectors.mastodon.fetcher import MastodonFetcher
from ombuds.connectors.mastodon.sink import MastodonSink


class MastodonKind:
    name: ClassVar[str] = "mastodon"
    title: ClassVar[str] = "Mastodon account or hashtag"
    config_model: ClassVar[type[BaseModel]] = MastodonConfig
    secret_fields: ClassVar[frozenset[str]] = frozenset({"access_token"})

    def fetcher(self, config: BaseModel, *, timeout: float) -> Fetcher | None:
        assert isinstance(config, MastodonConfig)
        return MastodonFetcher(config, timeout=timeout)

    def sink(self, config: BaseModel, *, timeout: float) -> Sink | None:
        assert isinstance(config, MastodonConfig)
        return MastodonSink(config, timeout=timeout)
