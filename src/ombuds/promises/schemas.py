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
