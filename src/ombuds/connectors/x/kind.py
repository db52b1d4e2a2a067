"""The x kind as registered under the ``ombuds.connectors`` entry points."""

from __future__ import annotations

from typing import ClassVar

from pydantic import BaseModel

from ombuds.connectors.base import Fetcher, Sink
from ombuds.connectors.x.config import XConfig
from ombuds.connectors.x.fetcher import XFetcher
from ombuds.connectors.x.sink import XSink


class XKind:
    name: ClassVar[str] = "x"
    title: ClassVar[str] = "X (formerly Twitter) mentions or search"
    config_model: ClassVar[type[BaseModel]] = XConfig
    secret_fields: ClassVar[frozenset[str]] = frozenset(
        {"bearer_token", "consumer_key", "consumer_secret", "access_token", "access_token_secret"}
    )
    #: its sink answers in public only; a private reply goes by the brand's reply sink
    answers_privately: ClassVar[bool] = False

    def fetcher(self, config: BaseModel, *, timeout: float) -> Fetcher | None:
        assert isinstance(config, XConfig)
        return XFetcher(config, timeout=timeout)

    def sink(self, config: BaseModel, *, timeout: float) -> Sink | None:
        assert isinstance(config, XConfig)
        return XSink(config, timeout=timeout) if config.can_reply else None  # read-only without the keys
