"""The outcomes over JSON: the keys the contract of GET /api/v1/metrics/outcomes names, no more."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime

from pydantic import BaseModel, Field

from ombuds.metrics.definitions import Outcomes

RATE = "a fraction from 0 to 1; null when nothing to measure"


class SpreadRead(BaseModel):
    median: float | None
    p90: float | None


class CsatRead(BaseModel):
    average: float | None = Field(description="mean score (1–5) of the answered surveys; null: none answered")
    responses: int = Field(description="surveys answered")
    response_rate: float | None = Field(description=f"answered ÷ sent: {RATE}")


class ExperienceDebtRead(BaseModel):
    unresolved_negative: float = Field(
        description="negative experiences unresolved at the end of the period, weighted by reach and age"
    )
    resolved_positive: int = Field(description="cases resolved in the period with a positive experience")
    ratio: float | None = Field(
        description="resolved_positive ÷ unresolved_negative (12 pays one back); null when there is no debt"
    )


class SentimentRecoveryRead(BaseModel):
    measured: int = Field(
        description="resolved cases with the customer's sentiment read before and after our first reply"
    )
    negative_before: int = Field(description="of those, the customer was negative before our first reply")
    recovered: int = Field(description="of those, the customer was not negative after it")
    recovery_rate: float | None = Field(description=f"recovered ÷ negative_before: {RATE}")
    mean_change: float | None = Field(
        description="mean of after − before on negative -1, neutral 0, positive +1 (from -2 to +2); null: none measured"
    )


class PublicComplaintsRead(BaseModel):
    cases: int = Field(description="resolved cases that began as a complaint in public")
    closed_in_public: int = Field(description="of those, closed with a public reply (none private after it)")
    rate: float | None = Field(description=f"closed_in_public ÷ cases: {RATE}")


class OutcomesRead(BaseModel):
    cases_opened: int
    cases_resolved: int = Field(description="cases whose first resolution falls in the period")
    resolution_rate: float | None = Field(
        description=f"cases opened in the period and resolved in it: {RATE}"
    )
    first_contact_resolution_rate: float | None = Field(description=RATE)
    reopen_rate: float | None = Field(description=f"resolved cases reopened within 7 days: {RATE}")
    handoffs_per_case: float | None
    first_response_minutes: SpreadRead = Field(description="business minutes to the first response")
    resolution_hours: SpreadRead = Field(description="business hours to resolution")
    sla_attainment: float | None = Field(description=f"resolved cases that met every SLA target: {RATE}")
    csat: CsatRead
    experience_debt: ExperienceDebtRead
    sentiment_recovery: SentimentRecoveryRead
    public_complaints: PublicComplaintsRead

    @classmethod
    def of(cls, found: Outcomes) -> OutcomesRead:
        return cls(
            cases_opened=found.cases_opened,
            cases_resolved=found.cases_resolved,
            resolution_rate=found.resolution_rate,
            first_contact_resolution_rate=found.first_contact_resolution_rate,
            reopen_rate=found.reopen_rate,
            handoffs_per_case=found.handoffs_per_case,
            first_response_minutes=SpreadRead(
                median=found.first_response_minutes.median, p90=found.first_response_minutes.p90
            ),
            resolution_hours=SpreadRead(median=found.resolution_hours.median, p90=found.resolution_hours.p90),
            sla_attainment=found.sla_attainment,
            csat=CsatRead(
                average=found.csat.average,
                responses=found.csat.responses,
                response_rate=found.csat.response_rate,
            ),
            experience_debt=ExperienceDebtRead(
                unresolved_negative=found.experience_debt.unresolved_negative,
                resolved_positive=found.experience_debt.resolved_positive,
                ratio=found.experience_debt.ratio,
            ),
            sentiment_recovery=SentimentRecoveryRead(**asdict(found.sentiment_recovery)),
            public_complaints=PublicComplaintsRead(**asdict(found.public_complaints)),
        )


class GroupOutcomesRead(BaseModel):
    id: int | str | None = Field(
        description="the team's or agent's id, the channel or the category; null: none"
    )
    name: str
    outcomes: OutcomesRead


class BreakdownRead(BaseModel):
    by: str = Field(description="team, agent, channel or category")
    rows: list[GroupOutcomesRead] = Field(description="one row a group, by name (volume ranks no one)")


class DebtPointRead(BaseModel):
    start: datetime
    end: datetime
    unresolved_negative: float
    resolved_positive: int
    ratio: float | None


class DebtCaseOut(BaseModel):
    case_id: int
    subject: str
    status: str
    weight: float = Field(description="(1 + log10(1 + followers)) × (1 + weeks open)")
    followers: int
    opened_at: datetime


class ExperienceDebtReport(ExperienceDebtRead):
    target: int = Field(description="resolved positive experiences that pay back one unresolved negative one")
    trend: list[DebtPointRead] = Field(
        description="the debt at the end of each day, week or month of the period"
    )
    pay_down: list[DebtCaseOut] = Field(description="the open cases that would pay the debt down fastest")


class ExampleRead(BaseModel):
    case_id: int | None
    at: datetime
    text: str = Field(
        description="the customer's message, masked as everywhere else for those who may not see it"
    )


class CategoryVoiceRead(BaseModel):
    category: str
    messages: int = Field(description="customer messages of the period in this category")
    negative_share: float | None
    previous_messages: int = Field(description="the same count in the period of the same length before")
    change: float | None = Field(
        description="(messages − previous) ÷ previous; null when there were none before"
    )
    is_emerging: bool = Field(description="at least 3 messages and at least twice as many as before")
    examples: list[ExampleRead]


class VoiceRead(BaseModel):
    categories: list[CategoryVoiceRead]
