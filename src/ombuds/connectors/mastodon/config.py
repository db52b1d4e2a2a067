"""A Mastodon source's settings: the instance, the brand's account token, and what to follow."""

from __future__ import annotations

from urllib.parse import urlsplit

import httpx
from pydantic import BaseModel, ConfigDict, Field

from ombuds.clock import Clock
from ombuds.connectors.http import BASE_URL_PATTERN, Api, BaseUrl

#: The most items one call to either listing returns.
MAX_PAGE_SIZE = 40


class MastodonConfig(BaseModel):
    """The brand's account on one instance: its mentions, or a hashtag's timeline there."""

    model_config = ConfigDict(extra="forbid")

    instance_url: BaseUrl = Field(
        min_length=8,
        max_length=500,
        pattern=BASE_URL_PATTERN,
        description="The instance the brand's account is on, e.g. https://mastodon.social.",
    )
    # A plain str, not SecretStr: the registry seals it at rest; repr=False keeps it out of logs.
    access_token: str = Field(
        min_length=1,
        max_length=1000,
        repr=False,
        description="The account's access token (scopes read:notifications, read:statuses, write:statuses).",
    )
    hashtag: str | None = Field(
        default=None,
        max_length=100,
        pattern=r"^#?\w+$",
        description="Follow this hashtag's timeline on the instance instead of the account's mentions.",
    )
    page_size: int = Field(default=MAX_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE, description="Items per call.")
    pages_per_fetch: int = Field(default=5, ge=1, le=100, description="Calls per fetch at most.")
    first_walk_pages: int = Field(
        default=3, ge=1, le=1000, description="How far back a new source reads, in pages."
    )

    @property
    def host(self) -> str:
        return urlsplit(self.instance_url).hostname or self.instance_url


def mastodon_api(
    config: MastodonConfig, *, timeout: float, clock: Clock, transport: httpx.BaseTransport | None
) -> Api:
    """The instance's API as the account: one place for the fetcher and the sink."""
    return Api(
        name=f"Mastodon at {config.host}",
        base_url=config.instance_url,
        timeout=timeout,
        headers={"Authorization": f"Bearer {config.access_token}"},
        clock=clock,
        transport=transport,
    )
