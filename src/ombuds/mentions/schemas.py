"""What a mention looks like on the way in (API, importer, connectors) and what ingest answers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Literal

from pydantic import (
    AliasChoices,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
)

from ombuds.fields import INT32_MAX, Metric, NoNul, Text
from ombuds.mentions.timestamps import EARLIEST_YEAR, LATEST_YEAR

MAX_TEXT_CHARS = 50_000  # long complaint narratives run to ~22,000; beyond this is a broken record
MAX_HANDLE_CHARS = 200
MAX_BIO_CHARS = 2000
MAX_ID_CHARS = 200
MAX_URL_CHARS = 2000
MAX_METRICS = 50
MAX_FOLLOWERS = INT32_MAX  # the column is a 32-bit integer on PostgreSQL

Handle = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_HANDLE_CHARS), NoNul
]
ExternalId = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_ID_CHARS), NoNul
]
Channel = Annotated[
    str,
    BeforeValidator(lambda value: value.strip().lower() if isinstance(value, str) else value),
    StringConstraints(min_length=1, max_length=32, pattern=r"^[a-z0-9][a-z0-9._-]*$"),
]


class MentionCreate(BaseModel):
    """One mention to store. ``created_at`` must carry its UTC offset; it is kept in UTC."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    external_id: ExternalId = Field(description="The id the channel gave the message; unique per source.")
    # Stored and shown as author_handle everywhere; "author", the name this API first took, is
    # still accepted so existing clients and import files keep working.
    author_handle: Handle = Field(
        validation_alias=AliasChoices("author_handle", "author"),
        description='The author\'s handle, address or id on that channel ("author" is accepted too).',
    )
    author_name: Annotated[str, StringConstraints(max_length=MAX_HANDLE_CHARS), NoNul] | None = Field(
        default=None, description="The author's display name, when the channel has one."
    )
    author_bio: Annotated[str, StringConstraints(max_length=MAX_BIO_CHARS), NoNul] | None = Field(
        default=None, description="The author's profile text (it tells journalists and officials apart)."
    )
    text: Text = Field(min_length=1, max_length=MAX_TEXT_CHARS, description="The message as written.")
    created_at: AwareDatetime = Field(description="When it was written, ISO 8601 with offset.")
    channel: Channel = Field(default="other", description="Where it was said: twitter, email, chat, ...")
    url: Annotated[str, StringConstraints(max_length=MAX_URL_CHARS), NoNul] | None = Field(
        default=None, description="Where a person can read it."
    )
    followers: int | None = Field(
        default=None, ge=0, le=MAX_FOLLOWERS, strict=True, description="The author's audience size."
    )
    in_reply_to: ExternalId | None = Field(default=None, description="external_id of the message it answers.")
    is_public: bool = Field(default=True, description="False for private channels (DM, email, portal).")
    direction: Literal["inbound", "outbound"] = Field(
        default="inbound", description="inbound: from a customer; outbound: the brand's own message."
    )
    metrics: dict[Annotated[str, StringConstraints(min_length=1, max_length=64), NoNul], Metric] = Field(
        default_factory=dict, max_length=MAX_METRICS, description="Counts such as retweets or likes."
    )

    @field_validator("text")
    @classmethod
    def _text_has_words(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("text is blank")
        return value

    @field_validator("created_at")
    @classmethod
    def _in_utc(cls, value: datetime) -> datetime:
        # Checked before converting: year 1 or 9999 with an offset has no UTC equivalent.
        if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
            raise ValueError(f"the year must be from {EARLIEST_YEAR} to {LATEST_YEAR}")
        return value.astimezone(UTC)

    @field_validator("url")
    @classmethod
    def _web_address(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError("url must start with http:// or https://")
        return value


@dataclass(frozen=True, slots=True)
class IncomingMention:
    """A validated mention and the payload it came in, kept byte for byte."""

    mention: MentionCreate
    raw: bytes
    raw_format: str


@dataclass(frozen=True, slots=True)
class IngestResult:
    """What ingest did: new mentions, repeats of stored ones, and an id for every mention given."""

    imported: int
    duplicates: int
    ids: list[int]


class MentionIngestRead(BaseModel):
    """The API's answer; ``ids`` has one id per mention sent, in order, new or already stored."""

    imported: int
    duplicates: int
    ids: list[int]
