"""Promises over JSON: the scorecard as machines read it."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class AlignmentRead(BaseModel):
    score: float | None = Field(description="Posterior mean share of voices confirming the promise.")
    low: float | None = Field(description="Lower end of the 90% interval.")
    high: float | None = Field(description="Upper end of the 90% interval.")
    voices: int = Field(description="Distinct voices (echoes of one message count once).")
    messages: int


class WindowRead(BaseModel):
    starts_at: datetime
    ends_at: datetime
    alignment: AlignmentRead


class PromiseRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    key: str
    text: str
    campaign: str | None
    channels: list[str]
    starts_at: datetime | None
    ends_at: datetime | None
    owner: str | None
    is_active: bool


class PromiseCardRead(BaseModel):
    promise: PromiseRead
    alignment: AlignmentRead
    trend: list[WindowRead]
    alerts: list[str]
    volume: int
    contradicting: int
    confirming: int
    themes: list[str]
    contradicting_case_ids: list[int]


class ScorecardRead(BaseModel):
    brand: str
    promises: list[PromiseCardRead]


class PreflightCreate(BaseModel):
    text: str = Field(min_length=1, max_length=500, description="The draft claim, as marketing would say it.")
    weeks: int = Field(
        default=8, ge=1, le=52, description="How many weeks of customers' messages to hold it against."
    )


class PreflightExample(BaseModel):
    text: str = Field(description="The customer's message.")
    stance: str = Field(description="confirms or contradicts")
    case_id: int | None
    mention_id: int
    evidence: str = Field(description="The sentence of the message closest to the claim.")


class PreflightRead(BaseModel):
    text: str
    weeks: int
    messages: int = Field(description="Customers' messages in the window.")
    read: int = Field(description="Of those, how many the matcher read (the nearest, for a large window).")
    matches: int = Field(description="Messages that speak to the claim.")
    confirms: int
    contradicts: int
    neutral: int
    voices: int = Field(description="Distinct voices among the matches (echoes count once).")
    alignment: float | None = Field(description="Share of voices confirming the claim, as for a promise.")
    interval: list[float | None] = Field(description="The alignment's 90% interval: [low, high].")
    examples: list[PreflightExample] = Field(description="Contradicting voices first, then confirming ones.")
