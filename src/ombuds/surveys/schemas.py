"""What the API says of a case's survey."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class CsatRead(BaseModel):
    """The customer's answer to the survey: a score 1 (poor) … 5 (great) and an optional comment."""

    model_config = ConfigDict(from_attributes=True)

    score: int = Field(ge=1, le=5)
    comment: str | None
    answered_at: datetime
