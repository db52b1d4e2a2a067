"""The bluesky kind as registered under the ``ombuds.connectors`` entry points."""

from __future__ import annotations

from typing import ClassVar

from pydantic import BaseModel

from ombuds.connectors.base import Fetcher, Sink
from ombuds.connectors.bluesky.config import BlueskyConfig
from ombuds.connectors.bluesky.fetcher import BlueskyFetcher
from ombuds.connectors.bluesky.sink import BlueskySink


class BlueskyKind:
    name: ClassVar[str] = "bluesky"
    title: ClassVar[str] = "Bluesky account or search"
    config_model: ClassVar[type[BaseModel]] = BlueskyConfig
    secret_fields: ClassVar[frozenset[str]] = frozenset({"app_password"})
    #: its sink answers in public only; a private reply goes by the brand's reply sink
    answers_privately: ClassVar[bool] = False

    def fetcher(self, config: BaseModel, *, timeout: float) -> Fetcher | None:
        assert isinstance(config, BlueskyConfig)
        return BlueskyFetcher(config, timeout=timeout)

    def sink(self, config: BaseModel, *, timeout: float) -> Sink | None:
        assert isinstance(config, BlueskyConfig)
        return BlueskySink(config, timeout=timeout)
