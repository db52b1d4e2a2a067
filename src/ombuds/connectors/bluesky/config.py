"""A Bluesky source's settings: the brand account, its app password, and what to read."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from ombuds.connectors.http import BASE_URL_PATTERN, BaseUrl

MAX_PAGE_SIZE = 100


class BlueskyConfig(BaseModel):
    """The brand account's mentions and replies, or a search of all posts, on the AT Protocol."""

    model_config = ConfigDict(extra="forbid")

    service_url: BaseUrl = Field(
        default="https://bsky.social",
        pattern=BASE_URL_PATTERN,
        description="The account's PDS (bsky.social for most accounts).",
    )
    identifier: str = Field(
        min_length=3,
        max_length=253,
        description="The brand account's handle or DID, e.g. acmeair.bsky.social.",
    )
    # A plain str, not SecretStr: the registry seals it at rest; repr=False keeps it out of logs.
    app_password: str = Field(
        min_length=1, max_length=200, repr=False, description="An app password (Settings → App passwords)."
    )
    query: str | None = Field(
        default=None,
        min_length=1,
        max_length=300,
        description="Search all posts for this instead of the mentions.",
    )
    page_size: int = Field(default=50, ge=1, le=MAX_PAGE_SIZE, description="Items per call.")
    pages_per_fetch: int = Field(default=5, ge=1, le=100, description="Calls per fetch at most.")
    first_walk_pages: int = Field(
        default=2, ge=1, le=100, description="How far back a new source reads, in pages."
    )
