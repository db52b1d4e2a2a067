"""A Reddit source's settings: the app's keys, the account that answers, and what to read."""

from __future__ import annotations

from typing import Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ombuds import __version__
from ombuds.connectors.http import BASE_URL_PATTERN, BaseUrl

MAX_PAGE_SIZE = 100


class RedditConfig(BaseModel):
    """A subreddit's new posts (or comments), or a search, read through Reddit's OAuth API."""

    model_config = ConfigDict(extra="forbid")

    client_id: str = Field(min_length=1, max_length=100, description="The app's client id (under its name).")
    # Plain str, not SecretStr: the registry seals it at rest; repr=False keeps it out of logs.
    client_secret: str = Field(min_length=1, max_length=200, repr=False, description="The app's secret.")
    username: str | None = Field(
        default=None,
        max_length=40,
        description="The brand account (a script app's owner): needed for replies.",
    )
    password: str | None = Field(
        default=None, min_length=1, max_length=200, repr=False, description="That account's password."
    )
    subreddit: str | None = Field(
        default=None, pattern=r"^[A-Za-z0-9_]{2,21}$", description="Read this subreddit (without r/)."
    )
    query: str | None = Field(
        default=None,
        min_length=1,
        max_length=512,
        description="Search for this (in the subreddit when one is set).",
    )
    comments: bool = Field(
        default=False, description="Read the subreddit's new comments instead of its posts."
    )
    user_agent: str | None = Field(
        default=None, max_length=200, description="What Reddit asks for: platform:app:version (by /u/name)."
    )
    api_url: BaseUrl = Field(default="https://oauth.reddit.com", pattern=BASE_URL_PATTERN)
    auth_url: BaseUrl = Field(default="https://www.reddit.com", pattern=BASE_URL_PATTERN)
    page_size: int = Field(default=MAX_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE, description="Items per call.")
    pages_per_fetch: int = Field(default=5, ge=1, le=100, description="Calls per fetch at most.")
    first_walk_pages: int = Field(
        default=1, ge=1, le=10, description="How far back a new source reads, in pages."
    )

    @model_validator(mode="after")
    def _something_to_read(self) -> Self:
        if self.subreddit is None and self.query is None:
            raise ValueError("give subreddit, query or both")
        if self.comments and (self.subreddit is None or self.query is not None):
            raise ValueError("comments are read from a subreddit, without a query")
        if (self.username is None) != (self.password is None):
            raise ValueError("replies need both username and password (of the script app's account)")
        return self

    @property
    def can_reply(self) -> bool:
        return self.password is not None

    @property
    def agent(self) -> str:
        by = f" (by /u/{self.username})" if self.username else ""
        return self.user_agent or f"server:ombuds:{__version__}{by}"
