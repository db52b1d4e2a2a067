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


class ClosingSettingsRead(BaseModel):
    """How the brand closes the loop with its customers."""

    reopen_window_days: int = Field(
        description="a customer writing again this many days after resolution reopens the case"
    )
    survey_message: str | None = Field(
        description="the brand's wording of the message that carries the survey link; null: the default"
    )
    default_survey_message: str = Field(description="the wording used when the brand has none")


class ClosingSettingsWrite(BaseModel):
    """A change: fields left out stay as they are; ``survey_message`` null goes back to the default."""

    model_config = ConfigDict(extra="forbid")

    reopen_window_days: int | None = Field(default=None, description="1 to 90 days")
    survey_message: str | None = Field(
        default=None,
        max_length=4000,
        description="must contain {survey_url}; may use {first_name} and {subject}",
    )
