"""An X source's settings: the app's bearer token for reading, what to read, and the brand
account's OAuth 1.0a keys for replies."""

from __future__ import annotations

from typing import Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ombuds.connectors.http import BASE_URL_PATTERN, BaseUrl

#: The most posts one call to either endpoint returns (and the least recent search takes).
MAX_PAGE_SIZE = 100
MIN_PAGE_SIZE = 10


class XConfig(BaseModel):
    """Mentions of the brand account (``user_id``) or a recent-search ``query``; one of the two."""

    model_config = ConfigDict(extra="forbid")

    api_url: BaseUrl = Field(
        default="https://api.x.com",
        pattern=BASE_URL_PATTERN,
        description="The API's address (changed only for tests).",
    )
    # Plain str, not SecretStr: the registry seals them at rest; repr=False keeps them out of logs.
    bearer_token: str = Field(
        min_length=1,
        max_length=1000,
        repr=False,
        description="The app's bearer token: reads mentions and search.",
    )
    user_id: str | None = Field(
        default=None,
        pattern=r"^[0-9]{1,25}$",
        description="The brand account's numeric id: read its mentions.",
    )
    query: str | None = Field(
        default=None,
        min_length=1,
        max_length=4096,
        description="A recent-search query instead (last 7 days).",
    )
    consumer_key: str | None = Field(
        default=None,
        min_length=1,
        max_length=500,
        repr=False,
        description="The app's API key (OAuth 1.0a), for replies.",
    )
    consumer_secret: str | None = Field(
        default=None, min_length=1, max_length=500, repr=False, description="The app's API key secret."
    )
    access_token: str | None = Field(
        default=None,
        min_length=1,
        max_length=500,
        repr=False,
        description="The brand account's access token.",
    )
    access_token_secret: str | None = Field(
        default=None, min_length=1, max_length=500, repr=False, description="Its secret."
    )
    page_size: int = Field(
        default=MAX_PAGE_SIZE, ge=MIN_PAGE_SIZE, le=MAX_PAGE_SIZE, description="Posts per call."
    )
    pages_per_fetch: int = Field(default=5, ge=1, le=100, description="Calls per fetch at most.")
    first_walk_pages: int = Field(
        default=1,
        ge=1,
        le=100,
        description="How far back a new source reads, in pages (each read is billed).",
    )

    @model_validator(mode="after")
    def _one_listing_and_whole_keys(self) -> Self:
        if (self.user_id is None) == (self.query is None):
            raise ValueError("give user_id (the account's mentions) or query (recent search), not both")
        keys = (self.consumer_key, self.consumer_secret, self.access_token, self.access_token_secret)
        if any(keys) and not all(keys):
            raise ValueError(
                "replies need all four OAuth 1.0a keys: consumer_key, consumer_secret, access_token, "
                "access_token_secret"
            )
        return self

    @property
    def can_reply(self) -> bool:
        return self.access_token_secret is not None
