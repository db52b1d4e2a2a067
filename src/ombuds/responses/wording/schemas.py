"""Pydantic shapes of talking points, reply templates, news items and suggestions, in and out."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from ombuds.fields import Id, Moment, NoNul
from ombuds.responses.wording.models import NewsKind

TITLE_MAX_CHARS = 300
#: A statement, a template or a news item: long enough for an email, short of a document.
TEXT_MAX_CHARS = 10_000
TERM_MAX_CHARS = 100
MAX_TERMS = 50


def _distinct(terms: list[str]) -> list[str]:
    seen: dict[str, str] = {}
    for term in terms:
        seen.setdefault(term.lower(), term)
    return list(seen.values())


Title = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=TITLE_MAX_CHARS), NoNul
]
Body = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=TEXT_MAX_CHARS), NoNul
]
Term = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=TERM_MAX_CHARS), NoNul
]
Terms = Annotated[list[Term], Field(max_length=MAX_TERMS), AfterValidator(_distinct)]
ChannelName = Annotated[
    str, StringConstraints(strip_whitespace=True, to_lower=True, min_length=1, max_length=32), NoNul
]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _Read(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class TalkingPointCreate(_In):
    title: Title
    text: Body
    incident_id: Id | None = Field(default=None, description="Makes it the incident's holding statement.")
    categories: Terms = Field(default_factory=list)
    keywords: Terms = Field(default_factory=list)
    valid_from: Moment | None = Field(default=None, description="Default: now.")
    valid_until: Moment | None = None


class TalkingPointRevise(_In):
    """A new version: new words, and optionally a new title, topic or end of validity."""

    text: Body
    title: Title | None = None
    categories: Terms | None = None
    keywords: Terms | None = None
    valid_until: Moment | None = None


class TalkingPointVersionRead(_Read):
    version: int
    text: str
    author_id: int | None
    approved_by_id: int | None
    approved_at: datetime | None
    created_at: datetime


class TalkingPointRead(BaseModel):
    """A talking point with its current version's words."""

    id: int
    brand_id: int
    incident_id: int | None
    title: str
    categories: list[str]
    keywords: list[str]
    owner_id: int | None
    valid_from: datetime
    valid_until: datetime | None
    version: int
    text: str
    approved_by_id: int | None
    approved_by_name: str | None = None
    approved_at: datetime | None
    is_valid: bool = Field(description="In force now: from valid_from, before valid_until.")


class TalkingPointDetail(TalkingPointRead):
    versions: list[TalkingPointVersionRead]


class TemplateWrite(_In):
    name: Title
    body: Body
    variants: dict[ChannelName, Body] = Field(
        default_factory=dict, max_length=20, description="Wording per channel (x, email, ...)."
    )
    categories: Terms = Field(default_factory=list)
    keywords: Terms = Field(default_factory=list)


class TemplateRead(_Read):
    id: int
    brand_id: int
    name: str
    body: str
    variants: dict[str, str]
    categories: list[str]
    keywords: list[str]
    usage_count: int
    created_at: datetime
    updated_at: datetime


class TemplateUse(_In):
    case_id: Id | None = Field(default=None, description="Fill the variables from this case.")


class TemplateUsed(BaseModel):
    template_id: int
    usage_count: int
    text: str = Field(description="The wording for the case's channel with its variables filled in.")


class NewsWrite(_In):
    kind: NewsKind
    title: Title
    body: Annotated[str, StringConstraints(strip_whitespace=True, max_length=TEXT_MAX_CHARS), NoNul] = ""
    categories: Terms = Field(default_factory=list)
    keywords: Terms = Field(default_factory=list)
    may_share: bool = False
    valid_from: Moment | None = None
    valid_until: Moment | None = None


class NewsRead(_Read):
    id: int
    brand_id: int
    kind: NewsKind
    title: str
    body: str
    categories: list[str]
    keywords: list[str]
    may_share: bool
    valid_from: datetime
    valid_until: datetime | None
    created_at: datetime


class SuggestedTalkingPoint(BaseModel):
    id: int
    version: int
    title: str
    text: str
    incident_id: int | None
    is_incident_active: bool
    matched: list[str] = Field(description="The case's categories or words it matched on.")
    valid_until: datetime | None


class SuggestedTemplate(BaseModel):
    id: int
    name: str
    text: str = Field(description="The channel's wording with the case's variables filled in.")
    usage_count: int
    matched: list[str]


class SuggestedNews(BaseModel):
    id: int
    kind: NewsKind
    title: str
    body: str
    may_share: bool
    matched: list[str]


class SuggestedPastReply(BaseModel):
    """A reply sent on a similar case of the brand that ended resolved."""

    id: int = Field(description="The past reply's id.")
    case_id: int
    visibility: str
    text: str = Field(description="As sent, with that customer's name replaced by this one's.")
    sent_at: datetime
    matched: list[str] = Field(
        description="The categories both cases share, or the words both customers used."
    )


class Suggestions(BaseModel):
    """Best first; the agent edits before sending, nothing is sent from here."""

    talking_points: list[SuggestedTalkingPoint]
    templates: list[SuggestedTemplate]
    news: list[SuggestedNews]
    past_replies: list[SuggestedPastReply] = []
